// One run of the tree target: walk each volume in manifest order, hard-link what the
// previous snapshot already holds unchanged, copy (and hash) the rest with bounded
// parallelism, stream the manifest, then publish the snapshot atomically (layout.ts).
//
// Order is what keeps memory flat: the walk yields entries in comparePaths order, the
// previous manifest is read alongside it (ManifestCursor), and results are written to the
// new manifest in the same order through a window of at most CONCURRENCY entries in flight.
// A folder's metadata is applied when the window reaches its "leave" item, i.e. after all of
// its entries are written, so its mtime stays the source's.

import { mkdirSync, readlinkSync, symlinkSync, type BigIntStats } from 'node:fs';
import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import type { CopySource, TargetContext, TargetResult } from '../target.ts';
import type { SkipReason } from '../../events/types.ts';
import { COPY_BUFFER_BYTES, copyCancelled, copyRegularFile, linkUnchanged, type CopyOutcome, type FileFacts } from './copy.ts';
import { BATCHED_FILE_BYTES, CopyPool, type CopyRoots, type FileCopy } from './copy-pool.ts';
import { SnapshotFlush, WRITE_BACK_BYTES } from './flush.ts';
import {
  MANIFEST_FILE,
  SUMMARY_FILE,
  below,
  compareNames,
  fsyncPath,
  listSnapshots,
  publish,
  removeStale,
  reservePartial,
  volumeFolder,
  type SnapshotRecord,
  type SnapshotSummary,
  type VolumeRecord,
} from './layout.ts';
import { ManifestCursor, ManifestWriter, entryTypeOf, mergeManifests, type EntryType, type ManifestEntry, type ManifestLine } from './manifest.ts';
import { applyMetadata, metadataOf, probeNewFileDefaults, sourceXattrs, xattrsToManifest, type EntryMetadata } from './metadata.ts';
import { makeNode, setTimes } from './libc.ts';
import { OrderedWindow } from './ordered-window.ts';
import { Selection, walk } from './walk.ts';
import { TreeScan, type ScanStart, type WalkPosition } from './scan.ts';

/**
 * Entries in flight at once: enough for several batches of small files to be copied while the
 * walk goes on, few enough to keep order cheap.
 */
const CONCURRENCY = 256;
const PROGRESS_EVERY_MS = 250;
/**
 * The scan for the total starts when the copy has taken this long. In its first seconds a copy
 * gains little from a total: the time left comes from the rate of the last 10 s. And on two
 * cores the scan's thread takes CPU from the copy while it runs: started at once, it made the
 * first backup of 20,000 files / 220 MiB (2.6 s) about 6% slower (bench/results/tree-profile.md,
 * tenth round).
 */
const SCAN_AFTER_MS = 2000;
/**
 * How the scan shares the CPU. After a previous snapshot, in the background (nice 10): the
 * progress has an estimate from the start (#estimate), and such a run mostly reads metadata, as
 * the scan does; even niced, started after 250 ms, the scan made the incremental of 20,000
 * files (0.7-0.9 s) 13-15% slower, and the one of 50,000 files (1.7 s) about 8% (eighth round).
 * A first backup has no estimate and copies every byte, which keeps both cores busy: a niced
 * scan of every file got so little CPU that its total came 93-99% into a copy of 50,000 files
 * (tenth round). At the copy's priority the scan that meets the walk (scan.ts), its reads in
 * the idle I/O class, gives it 70-83% in, and the copy was no faster without a scan in 16
 * paired rounds; at nice 10 it came later and the copy was no faster (eleventh round).
 */
const scanStart = (previous: SnapshotRecord | undefined): ScanStart => ({ afterMs: SCAN_AFTER_MS, background: previous !== undefined });
/**
 * Unchanged files linked on the walking thread before the copy threads are started: a small run
 * with nothing changed starts none (each costs tens of milliseconds to start). A run after a
 * snapshot of more files than this starts them at once.
 */
const LINKS_BEFORE_THREADS = 1000;
/**
 * Small files copied on the walking thread before the copy threads are started: a first
 * backup of a small tree is done before threads would have loaded, and closing the pool waits
 * for a thread still loading (CopyPool.close). A large file starts them at once.
 */
const COPIES_BEFORE_THREADS = 250;
/**
 * Files the walking thread handles itself between two turns of the event loop while no copy
 * thread is ready: the message that one is ready only arrives in such a turn, and nothing
 * else in the walk waits for one.
 */
const FILES_BETWEEN_TURNS = 64;

/** What an entry adds to the snapshot once its copy is done. */
type Done =
  /** `text`: the entry's line in the previous manifest, for a file linked unchanged. */
  | { kind: 'entry'; entry: ManifestEntry; text?: string; bytes: number; copiedBytes: number; linked: boolean }
  | { kind: 'set-aside'; file: SetAside }
  | { kind: 'skipped'; path: string; reason: SkipReason; detail: string }
  | { kind: 'nothing' };

/** A live file that phase one could not copy; phase two retries it. */
interface SetAside {
  manifestPath: string;
  /** As the user knows it: under the volume root. */
  shownPath: string;
  abs: string;
  dest: string;
  /** As the walk saw it. */
  size: bigint;
  reason: 'locked' | 'changed-during-copy';
  detail: string;
  parentDest: string;
  parent: EntryMetadata;
}

export async function writeSnapshot(targetDir: string, sources: CopySource[], context: TargetContext): Promise<TargetResult> {
  await prepareTargetDir(targetDir);
  const stale = await removeStale(targetDir);
  if (stale.length > 0) {
    context.warn(`removed ${stale.length} unfinished folder(s) left in ${targetDir} by an earlier run`, stale.join(', '));
  }
  const { complete } = await listSnapshots(targetDir);
  const previous = complete.at(-1);
  const { name, partialDir } = await reservePartial(targetDir, context.started).catch((error) => {
    throw targetError(error, targetDir);
  });
  try {
    await using flush = new SnapshotFlush(partialDir, context.signal);
    const run = new SnapshotRun(targetDir, partialDir, previous, context, flush);
    const { summary, published } = await flush.explainFailure(async () => {
      const summary = await run.write(volumesOf(sources));
      return { summary, published: await publish(targetDir, partialDir, name, flush) };
    });
    return {
      status: summary.status,
      bytes: summary.bytes,
      files: summary.files,
      skipped: summary.skipped,
      snapshotId: published,
      location: join(targetDir, published),
      details: { linked: summary.linked, copied: summary.files - summary.linked, copiedBytes: run.copiedBytes, previous: previous?.id ?? '' },
    };
  } catch (error) {
    await rm(partialDir, { recursive: true, force: true }).catch(() => {});
    throw targetError(error, targetDir);
  }
}

async function prepareTargetDir(targetDir: string): Promise<void> {
  try {
    await mkdir(targetDir, { recursive: true });
  } catch (error) {
    throw targetError(error, targetDir);
  }
}

/** Target-side failures, in words that say what to fix. */
function targetError(error: unknown, targetDir: string): Error {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') {
    return new Error(
      `tree target ${targetDir}: no space left on its filesystem (${e.code}${e.path ? ` writing ${e.path}` : ''}); ` +
        'free space or keep fewer snapshots. The unfinished snapshot was removed; earlier snapshots are intact.',
      { cause: error },
    );
  }
  if ((e.code === 'EROFS' || e.code === 'EACCES' || e.code === 'EPERM') && (e.path ?? '').startsWith(targetDir)) {
    return new Error(
      `tree target ${targetDir} is not writable (${e.code}${e.path ? ` on ${e.path}` : ''}): ` +
        'check the folder\'s permissions, attributes (chattr) and that its filesystem is mounted read-write',
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

interface Volume {
  source: CopySource;
  record: VolumeRecord;
}

function volumesOf(sources: CopySource[]): Volume[] {
  const volumes = sources.map((source) => ({
    source,
    record: { volume: source.volume, root: source.root, folder: volumeFolder(source.root) },
  }));
  const seen = new Map<string, string>();
  for (const { record } of volumes) {
    const other = seen.get(record.folder);
    if (other !== undefined) throw new Error(`volumes ${other} and ${record.volume} have the same root ${record.root}: list each volume once`);
    seen.set(record.folder, record.volume);
  }
  return volumes.sort((a, b) => compareNames(a.record.folder, b.record.folder));
}

function entryOf(path: string, stat: BigIntStats, extra: Partial<ManifestEntry>): ManifestEntry {
  return { ...factsEntry(path, entryTypeOf(stat)!, stat), size: Number(stat.size), ...extra };
}

function factsEntry(path: string, type: EntryType, stat: FileFacts): ManifestEntry {
  return {
    path,
    type,
    size: 0,
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    mtime: stat.mtimeNs.toString(),
  };
}

/** The link of an unchanged file makes the entry the previous snapshot has for it. */
function linkedDone({ entry, text }: ManifestLine): Done {
  return { kind: 'entry', entry, text, bytes: entry.size, copiedBytes: 0, linked: true };
}

/** Unchanged since the previous snapshot: then the previous file can be shared. */
function unchanged(previous: ManifestEntry, stat: BigIntStats): boolean {
  return (
    previous.type === 'file' &&
    previous.sha256 !== undefined &&
    previous.size === Number(stat.size) &&
    previous.mtime === stat.mtimeNs.toString() &&
    previous.mode === Number(stat.mode & 0o7777n) &&
    previous.uid === Number(stat.uid) &&
    previous.gid === Number(stat.gid)
  );
}

class SnapshotRun {
  readonly #targetDir: string;
  readonly #partialDir: string;
  readonly #previous: SnapshotRecord | undefined;
  readonly #context: TargetContext;
  readonly #flush: SnapshotFlush;
  readonly #buffer = Buffer.allocUnsafe(COPY_BUFFER_BYTES);
  readonly #pool: CopyPool;
  #scan: TreeScan | undefined;
  /** The regular files the walk has come to, their bytes, and the last one's manifest path; the scan reads it (Tally). */
  readonly #walked: WalkPosition = { files: 0, bytes: 0 };
  /** The previous manifest's files up to where the walk has got (ManifestCursor.passed). */
  #previousPassed: { files: number; bytes: number } | undefined;
  readonly #setAside: SetAside[] = [];
  #files = 0;
  #bytes = 0;
  #linked = 0;
  #skipped = 0;
  copiedBytes = 0;
  /** Bytes written (not cloned) since write-back last started. */
  #writtenSinceWriteBack = 0;
  #lastProgress = 0;
  /** The last progress, with the copy's own counts as totals, has been reported. */
  #finished = false;
  #xattrWarned = false;
  #previousDamaged = false;
  #linksHere = 0;
  #copiesHere = 0;
  #filesHere = 0;

  constructor(targetDir: string, partialDir: string, previous: SnapshotRecord | undefined, context: TargetContext, flush: SnapshotFlush) {
    this.#targetDir = targetDir;
    this.#flush = flush;
    this.#partialDir = partialDir;
    this.#previous = previous;
    this.#context = context;
    // A folder gets its own metadata (set-gid bit, default ACL) only on leaving it, once every
    // file in it was created: what the probe learns in the snapshot's folder holds for them all.
    this.#pool = new CopyPool(this.#xattrTrouble, context.signal, probeNewFileDefaults(partialDir));
  }

  async write(volumes: Volume[]): Promise<SnapshotSummary> {
    // A run after one that passed LINKS_BEFORE_THREADS will most likely pass it too: its threads
    // start now, and load their modules while the walk begins, instead of when it gets there.
    if ((this.#previous?.summary.files ?? 0) > LINKS_BEFORE_THREADS) this.#pool.start();
    // The total is news worth telling at once: it turns the progress into a percentage.
    this.#scan = new TreeScan(
      volumes.map((v) => ({ source: v.source, folder: v.record.folder })),
      this.#walked,
      () => !this.#finished && this.#reportProgress(true),
      scanStart(this.#previous),
    );
    try {
      return await this.#write(volumes);
    } finally {
      await Promise.all([this.#pool.close(), this.#scan.close()]);
    }
  }

  async #write(volumes: Volume[]): Promise<SnapshotSummary> {
    const started = new Date();
    const manifestPath = join(this.#partialDir, MANIFEST_FILE);
    const manifest = await ManifestWriter.create(manifestPath);
    const cursor = this.#previous ? new ManifestCursor(join(this.#previous.dir, MANIFEST_FILE)) : undefined;
    this.#previousPassed = cursor?.passed;
    const window = new OrderedWindow<Done>(CONCURRENCY, (done) => this.#record(done, manifest));
    try {
      for (const volume of volumes) await this.#copyVolume(volume, window, cursor);
      await window.drain();
      await manifest.close();
    } catch (error) {
      await window.settle();
      await manifest.abandon();
      throw error;
    } finally {
      cursor?.close();
    }
    await this.#retrySetAside(volumes, manifestPath);
    this.#reportProgress(true, true);
    const summary: SnapshotSummary = {
      format: 'stillpoint-tree',
      version: 1,
      runId: this.#context.runId,
      job: this.#context.job,
      hostname: this.#context.hostname,
      started: started.toISOString(),
      finished: new Date().toISOString(),
      status: this.#skipped > 0 ? 'partial' : 'succeeded',
      files: this.#files,
      bytes: this.#bytes,
      linked: this.#linked,
      skipped: this.#skipped,
      volumes: volumes.map((v) => v.record),
      previous: this.#previous?.id,
    };
    const summaryPath = join(this.#partialDir, SUMMARY_FILE);
    await writeFile(summaryPath, JSON.stringify(summary, null, 2) + '\n', { mode: 0o644 });
    await fsyncPath(summaryPath);
    return summary;
  }

  async #copyVolume(volume: Volume, window: OrderedWindow<Done>, cursor: ManifestCursor | undefined): Promise<void> {
    const { source, record } = volume;
    const selection = Selection.forVolume(source, source.root);
    const live = source.live !== undefined;
    const roots: CopyRoots = {
      volume: record.folder,
      source: source.readPath,
      dest: below(this.#partialDir, record.folder),
      previous: this.#previous && below(this.#previous.dir, record.folder),
    };
    const parents: Array<{ dest: string; meta: EntryMetadata }> = [];
    for (const item of walk(source.readPath, selection, source.oneFileSystem, { readAhead: true })) {
      if (this.#context.signal.aborted) throw copyCancelled(this.#context.signal);
      const path = below(record.folder, item.rel);
      const dest = below(this.#partialDir, path);
      const shownPath = below(source.root, item.rel);
      if (item.kind === 'unreadable') {
        await window.push(Promise.resolve(this.#unreadable(shownPath, item.error.code ? `${item.error.code}: ${item.error.message}` : String(item.error))));
        continue;
      }
      if (item.kind === 'leave') {
        const { meta } = parents.pop()!;
        await window.push(async () => {
          applyMetadata({ path: dest }, meta, false, this.#xattrTrouble);
          return { kind: 'nothing' };
        });
        continue;
      }
      const { stat, abs } = item;
      if (stat.isDirectory()) {
        const xattrs = item.isMountPoint ? undefined : sourceXattrs({ path: abs });
        mkdirSync(dest, { mode: 0o700 });
        parents.push({ dest, meta: metadataOf(stat, xattrs) });
        await window.push(Promise.resolve({ kind: 'entry', entry: entryOf(path, stat, { size: 0, xattrs: xattrsToManifest(xattrs) }), bytes: 0, copiedBytes: 0, linked: false }));
      } else if (stat.isFile()) {
        this.#scan!.reach(path);
        this.#walked.files++;
        this.#walked.bytes += Number(stat.size);
        this.#walked.path = path;
        const previous = this.#previousEntry(cursor, path);
        const parent = parents.at(-1)!;
        const file = { manifestPath: path, shownPath, abs, dest, size: stat.size, parentDest: parent.dest, parent: parent.meta };
        const link = previous && unchanged(previous.entry, stat) ? previous : undefined;
        const copy = { roots, path: item.rel, live };
        if (this.#pool.ready) {
          await window.push(this.#copy(file, copy, link));
          continue;
        }
        if (++this.#filesHere % FILES_BETWEEN_TURNS === 0) await turn();
        await window.push(this.#here(file, copy, link));
      } else if (stat.isSymbolicLink()) {
        const target = readlinkSync(abs);
        const xattrs = sourceXattrs({ path: abs });
        symlinkSync(target, dest);
        applyMetadata({ path: dest }, metadataOf(stat, xattrs), true, this.#xattrTrouble);
        await window.push(Promise.resolve({ kind: 'entry', entry: entryOf(path, stat, { size: 0, target, xattrs: xattrsToManifest(xattrs) }), bytes: 0, copiedBytes: 0, linked: false }));
      } else if (entryTypeOf(stat) !== undefined) {
        const xattrs = sourceXattrs({ path: abs });
        makeNode(dest, Number(stat.mode), stat.rdev);
        applyMetadata({ path: dest }, metadataOf(stat, xattrs), false, this.#xattrTrouble);
        await window.push(Promise.resolve({ kind: 'entry', entry: entryOf(path, stat, { size: 0, rdev: stat.rdev.toString(), xattrs: xattrsToManifest(xattrs) }), bytes: 0, copiedBytes: 0, linked: false }));
      }
    }
  }

  /**
   * The previous snapshot's entry for a path. A damaged previous manifest must not stop new
   * backups: the rest of this run copies instead of linking, and says so once.
   */
  #previousEntry(cursor: ManifestCursor | undefined, path: string): ManifestLine | undefined {
    if (!cursor || this.#previousDamaged) return undefined;
    try {
      return cursor.find(path);
    } catch (error) {
      this.#previousDamaged = true;
      this.#context.warn(
        `the manifest of the previous snapshot ${this.#previous!.id} in ${this.#targetDir} cannot be read; this snapshot copies every file instead of linking`,
        `${(error as Error).message}; run \`stillpoint verify ${this.#targetDir} --snapshot ${this.#previous!.id}\``,
      );
      return undefined;
    }
  }

  /**
   * Copies on the pool's threads, so that walking and copying run on several cores; an
   * unchanged file (`link`: its entry in the previous snapshot, which the link makes this
   * snapshot's) is hard-linked there instead, and copied only if that cannot be done.
   */
  async #copy(file: Omit<SetAside, 'reason' | 'detail'>, copy: Omit<FileCopy, 'link'>, link?: ManifestLine): Promise<Done> {
    const small = link !== undefined || Number(file.size) <= BATCHED_FILE_BYTES;
    const outcome = await this.#pool.copy({ ...copy, link: link !== undefined }, small);
    if (outcome.kind === 'linked') return linkedDone(link!);
    return this.#done(file, outcome);
  }

  /**
   * Until a copy thread is ready, the walking thread links and copies small files itself instead
   * of waiting: a thread loads its modules first, for a few hundred milliseconds on a busy
   * machine, in which the walk would fill its window and stop. The threads start after
   * COPIES_BEFORE_THREADS copies or LINKS_BEFORE_THREADS links (at once after a larger
   * snapshot); a large file starts them and waits for them.
   */
  async #here(file: Omit<SetAside, 'reason' | 'detail'>, copy: Omit<FileCopy, 'link'>, link?: ManifestLine): Promise<Done> {
    if (link && linkUnchanged(below(copy.roots.previous!, copy.path), file.dest)) {
      if (++this.#linksHere >= LINKS_BEFORE_THREADS) this.#pool.start();
      return linkedDone(link);
    }
    if (Number(file.size) > BATCHED_FILE_BYTES) return this.#copy(file, copy);
    if (++this.#copiesHere >= COPIES_BEFORE_THREADS) this.#pool.start();
    return this.#done(file, this.#pool.copyHere(copy));
  }

  /** Phase two: one file at a time, and never a reflink of a file that was changing. */
  #copyAgain(file: SetAside): Done {
    return this.#done(file, copyRegularFile(file.abs, file.dest, { live: true, clone: { works: false }, buffer: this.#buffer, onXattrTrouble: this.#xattrTrouble }));
  }

  #done(file: Omit<SetAside, 'reason' | 'detail'>, outcome: CopyOutcome): Done {
    switch (outcome.kind) {
      case 'copied':
        if (!outcome.cloned) this.#wrote(outcome.size);
        return {
          kind: 'entry',
          entry: { ...factsEntry(file.manifestPath, 'file', outcome.facts), size: outcome.size, sha256: outcome.sha256, xattrs: xattrsToManifest(outcome.xattrs) },
          bytes: outcome.size,
          copiedBytes: outcome.size,
          linked: false,
        };
      case 'set-aside':
        return { kind: 'set-aside', file: { ...file, reason: outcome.reason, detail: outcome.detail } };
      case 'unreadable':
        return this.#unreadable(file.shownPath, outcome.detail);
      case 'vanished':
        return { kind: 'nothing' };
    }
  }

  /** A reflink writes no data: only written bytes count towards the next write-back. */
  #wrote(bytes: number): void {
    this.#writtenSinceWriteBack += bytes;
    if (this.#writtenSinceWriteBack < WRITE_BACK_BYTES) return;
    this.#writtenSinceWriteBack = 0;
    this.#flush.startWriteBack();
  }

  #unreadable(shownPath: string, detail: string): Done {
    if (!this.#context.ignoreReadErrors) {
      throw new Error(
        `cannot read ${shownPath} (${detail}): fix its permissions or the disk, exclude it, or set \`ignore-read-errors true\` to skip such files`,
      );
    }
    return { kind: 'skipped', path: shownPath, reason: 'unreadable', detail };
  }

  readonly #xattrTrouble = (error: NodeJS.ErrnoException): void => {
    if (this.#xattrWarned) return;
    this.#xattrWarned = true;
    this.#context.warn(
      `tree target ${this.#targetDir}: extended attributes could not be kept (${error.code ?? error.message})`,
      'the target filesystem may not support them; the files themselves are copied',
    );
  };

  async #record(done: Done, manifest: ManifestWriter): Promise<void> {
    switch (done.kind) {
      case 'entry':
        await manifest.add(done.entry, done.text);
        if (done.entry.type === 'file') {
          this.#files++;
          this.#bytes += done.bytes;
          this.copiedBytes += done.copiedBytes;
          if (done.linked) this.#linked++;
          this.#reportProgress(false);
        }
        return;
      case 'set-aside':
        this.#setAside.push(done.file);
        return;
      case 'skipped':
        this.#skip(done.path, done.reason, done.detail);
        return;
      case 'nothing':
        return;
    }
  }

  #skip(path: string, reason: SkipReason, detail: string): void {
    this.#skipped++;
    this.#context.skipped(path, reason, detail);
  }

  /**
   * `now`: whatever the time since the last report. The scan's totals come once it is done, its
   * counts so far once it has first said, neither before (a count of 0 files would look like counting);
   * at the end the copy's own counts are the totals.
   */
  #reportProgress(now: boolean, finished = false): void {
    const time = Date.now();
    if (!now && time - this.#lastProgress < PROGRESS_EVERY_MS) return;
    this.#lastProgress = time;
    const done = { bytesDone: this.#bytes, filesDone: this.#files };
    const count = this.#scan?.count;
    this.#finished ||= finished;
    if (finished) this.#context.progress({ ...done, totalBytes: this.#bytes, totalFiles: this.#files });
    else if (count?.done) this.#context.progress({ ...done, totalBytes: Math.max(count.bytes, this.#bytes), totalFiles: Math.max(count.files, this.#files) });
    else this.#context.progress({ ...done, ...this.#estimate(), ...(count && { scannedBytes: count.bytes, scannedFiles: count.files }) });
  }

  /**
   * After a previous snapshot, until the totals are known: what the walk has come to, and what
   * the previous manifest lists beyond it. It costs no read of the source, and is there from the
   * start, where a large incremental could end before its scan (bench/results/tree-profile.md,
   * ninth round); a run that changed little comes close to it.
   */
  #estimate(): { estimatedBytes: number; estimatedFiles: number } | undefined {
    const passed = this.#previousPassed;
    if (!passed || this.#previousDamaged) return undefined;
    const { files, bytes } = this.#previous!.summary;
    return {
      estimatedBytes: this.#walked.bytes + Math.max(0, bytes - passed.bytes),
      estimatedFiles: this.#walked.files + Math.max(0, files - passed.files),
    };
  }

  /**
   * Phase two of a live copy (LANGUAGE.md §6): retries what phase one set aside, `retries`
   * times `retryDelayMs` apart; what still fails is skipped. Retried entries go to a second
   * manifest that is merged into the first in path order.
   */
  async #retrySetAside(volumes: Volume[], manifestPath: string): Promise<void> {
    if (this.#setAside.length === 0) return;
    const live = volumes.find((v) => v.source.live)?.source.live ?? { retries: 0, retryDelayMs: 0 };
    const retriedPath = join(this.#partialDir, 'manifest.retried.ndjson');
    const retried = await ManifestWriter.create(retriedPath);
    let remaining = this.#setAside;
    try {
      for (let attempt = 1; attempt <= live.retries && remaining.length > 0; attempt++) {
        await sleep(live.retryDelayMs, undefined, { signal: this.#context.signal });
        const still: SetAside[] = [];
        for (const file of remaining) {
          const done = this.#copyAgain(file);
          if (done.kind === 'set-aside') still.push(done.file);
          else if (done.kind !== 'nothing') {
            await this.#record(done, retried);
            // Writing into the folder moved its mtime; put the source's back.
            setTimes({ path: file.parentDest }, file.parent.atimeNs, file.parent.mtimeNs);
          }
        }
        remaining = still;
      }
      await retried.close();
    } catch (error) {
      await retried.abandon();
      throw error;
    }
    for (const file of remaining) this.#skip(file.shownPath, file.reason, file.detail);
    const firstPhase = join(this.#partialDir, 'manifest.phase-one.ndjson');
    await rename(manifestPath, firstPhase);
    await mergeManifests(firstPhase, retriedPath, manifestPath);
    await unlink(firstPhase);
    await unlink(retriedPath);
  }
}
