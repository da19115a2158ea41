// How a tree target lays out its folder, and how a snapshot becomes visible atomically.
//
//   PATH/2026-11-23T092651Z/            one complete snapshot (UTC time of the run's start;
//   PATH/2026-11-23T092651Z-01/         a second run in the same second gets -01, -02, ...)
//       snapshot.json                   summary: when, status, counts, volumes
//       manifest.ndjson                 one line per entry, in walk order (manifest.ts)
//       <volume folder>/...             the files of each volume (volumeFolder below)
//   PATH/.partial-<name>/               a run in progress, or left by a killed run
//   PATH/.deleting-<name>/              a snapshot being removed by retention
//
// A snapshot is written under .partial-<name> and renamed to <name> (renameat2 with
// RENAME_NOREPLACE) only after all of it, files, manifest and summary, is on the disk, so a
// folder with a snapshot name is complete by construction; hidden names are never listed as
// snapshots.

import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SnapshotFlush } from './flush.ts';

export const MANIFEST_FILE = 'manifest.ndjson';
export const SUMMARY_FILE = 'snapshot.json';
const PARTIAL_PREFIX = '.partial-';
const DELETING_PREFIX = '.deleting-';
const OWNER_FILE = '.stillpoint-owner.json';
const NAME_PATTERN = /^(\d{4})-(\d\d)-(\d\d)T(\d\d)(\d\d)(\d\d)Z(?:-(\d{2,}))?$/;

export interface VolumeRecord {
  /** As written in the script. */
  volume: string;
  /** The volume root the paths are relative to. */
  root: string;
  /** The folder inside the snapshot that holds it. */
  folder: string;
}

/** snapshot.json: written last, fsynced before the snapshot becomes visible. */
export interface SnapshotSummary {
  format: 'stillpoint-tree';
  version: 1;
  runId: string;
  job: string;
  hostname: string;
  started: string;
  finished: string;
  /** partial: files were skipped (ignore-read-errors, or left out by a live copy). */
  status: 'succeeded' | 'partial';
  files: number;
  bytes: number;
  /** Of `files`: how many were hard links to the previous snapshot. */
  linked: number;
  skipped: number;
  volumes: VolumeRecord[];
  /** The snapshot that unchanged files link to. */
  previous?: string;
}

export interface SnapshotRecord {
  id: string;
  dir: string;
  time: Date;
  summary: SnapshotSummary;
}

/** The part of a snapshot name that comes from the time: 2026-11-23T092651Z. */
export function snapshotBaseName(time: Date): string {
  return time.toISOString().slice(0, 19).replace(/:/g, '') + 'Z';
}

function withSequence(base: string, sequence: number): string {
  return sequence === 0 ? base : `${base}-${String(sequence).padStart(2, '0')}`;
}

export function parseSnapshotName(name: string): { time: Date; sequence: number } | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m) return undefined;
  const time = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  // Date.UTC rolls 2026-13-01 over into 2027; such a name is not one of ours.
  if (Number.isNaN(time.getTime()) || !name.startsWith(snapshotBaseName(time))) return undefined;
  return { time, sequence: m[7] ? Number(m[7]) : 0 };
}

/** Oldest first: by time, then by the same-second sequence number. */
export function compareSnapshotNames(a: string, b: string): number {
  const pa = parseSnapshotName(a)!;
  const pb = parseSnapshotName(b)!;
  return pa.time.getTime() - pb.time.getTime() || pa.sequence - pb.sequence;
}

/**
 * The folder of a volume inside a snapshot: its root without the leading separator, with
 * every character outside [A-Za-z0-9._~-] percent-encoded, so the name is stable and no two
 * roots share one: "/home" -> "home", "/srv/data" -> "srv%2Fdata", "/" -> "%2F", "C:\" -> "C%3A".
 */
export function volumeFolder(root: string): string {
  let trimmed = root.replace(/[\\/]+$/, '');
  if (trimmed === '') return '%2F';
  trimmed = trimmed.replace(/^[\\/]+/, '');
  return trimmed.replace(/[^A-Za-z0-9._~-]/g, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * `dir`/`rel` where `dir` is normalized and `rel` is names from readdir joined by "/": what
 * join() gives for them, without normalizing again, which cost the walk a few percent of its
 * time per entry.
 */
export function below(dir: string, rel: string): string {
  if (rel === '') return dir;
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}

/**
 * The order of the walk and of every manifest: component by component, each compared by
 * UTF-16 code units (the order of a plain sort of a directory's names). A pre-order walk
 * with sorted children produces exactly this order, so two manifests merge-join.
 */
export function comparePaths(a: string, b: string): number {
  // Without splitting: it runs twice per file of a backup. At the first code unit that
  // differs, a "/" means that path's component ended first, and so sorts first.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === a.length) return -1;
  if (i === b.length) return 1;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (ca === SLASH) return -1;
  if (cb === SLASH) return 1;
  return ca < cb ? -1 : 1;
}

const SLASH = 0x2f;

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Complete snapshots (oldest first) and the hidden folders of runs that did not finish. */
export async function listSnapshots(targetDir: string): Promise<{ complete: SnapshotRecord[]; incomplete: string[] }> {
  let names: string[];
  try {
    names = await readdir(targetDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { complete: [], incomplete: [] };
    throw error;
  }
  const complete: SnapshotRecord[] = [];
  const incomplete: string[] = [];
  for (const name of names) {
    if (name.startsWith(PARTIAL_PREFIX)) {
      incomplete.push(name);
      continue;
    }
    const parsed = parseSnapshotName(name);
    if (!parsed) continue;
    const dir = join(targetDir, name);
    const summary = await readSummary(dir);
    if (summary) complete.push({ id: name, dir, time: parsed.time, summary });
    else incomplete.push(name);
  }
  complete.sort((a, b) => compareSnapshotNames(a.id, b.id));
  return { complete, incomplete: incomplete.sort() };
}

async function readSummary(dir: string): Promise<SnapshotSummary | undefined> {
  try {
    const summary = JSON.parse(await readFile(join(dir, SUMMARY_FILE), 'utf8')) as SnapshotSummary;
    return summary.format === 'stillpoint-tree' ? summary : undefined;
  } catch {
    return undefined;
  }
}

/** A complete snapshot by id, or the newest when id is absent or "latest". */
export async function resolveSnapshot(targetDir: string, id?: string): Promise<SnapshotRecord> {
  const { complete } = await listSnapshots(targetDir);
  if (complete.length === 0) {
    throw new Error(`${targetDir} holds no complete snapshot: check the path (it is the folder given to \`target tree\`)`);
  }
  if (id === undefined || id === 'latest') return complete.at(-1)!;
  const found = complete.find((s) => s.id === id);
  if (!found) {
    throw new Error(
      `${targetDir} has no complete snapshot "${id}"; run \`stillpoint list ${targetDir}\` to see them (newest: ${complete.at(-1)!.id})`,
    );
  }
  return found;
}

/** Creates the hidden folder of a new snapshot, owned by this process until published. */
export async function reservePartial(targetDir: string, started: Date): Promise<{ name: string; partialDir: string }> {
  const taken = new Set(await readdir(targetDir));
  const base = snapshotBaseName(started);
  for (let sequence = 0; ; sequence++) {
    const name = withSequence(base, sequence);
    if (taken.has(name) || taken.has(PARTIAL_PREFIX + name)) continue;
    const partialDir = join(targetDir, PARTIAL_PREFIX + name);
    try {
      await mkdir(partialDir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    const owner = { pid: process.pid, hostname: hostname(), started: new Date().toISOString() };
    await writeFile(join(partialDir, OWNER_FILE), JSON.stringify(owner));
    return { name, partialDir };
  }
}

/** Makes a finished snapshot visible under its final name; returns that name. */
export async function publish(targetDir: string, partialDir: string, name: string, flush: SnapshotFlush): Promise<string> {
  const { renameNoReplace } = await import('./libc.ts');
  // Every copied file, not only the manifest and summary, reaches the disk before the
  // snapshot gets a name that says complete: a power cut after the rename must not leave a
  // "complete" snapshot with empty files.
  await flush.complete();
  const base = name.replace(/-\d{2,}$/, '');
  for (let sequence = parseSnapshotName(name)!.sequence; ; sequence++) {
    const candidate = withSequence(base, sequence);
    try {
      renameNoReplace(partialDir, join(targetDir, candidate));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') continue;
      throw error;
    }
    await fsyncPath(targetDir);
    // Removed only now: until the rename, the owner file keeps another run's cleanup away.
    await rm(join(targetDir, candidate, OWNER_FILE), { force: true });
    return candidate;
  }
}

export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes what earlier runs left behind: .partial folders whose process on this host is
 * gone, and .deleting folders of an interrupted prune. Returns their names.
 */
export async function removeStale(targetDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(targetDir)) {
    const dir = join(targetDir, name);
    if (name.startsWith(DELETING_PREFIX) || (name.startsWith(PARTIAL_PREFIX) && (await ownerIsGone(dir)))) {
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

async function ownerIsGone(partialDir: string): Promise<boolean> {
  let owner: { pid: number; hostname: string };
  try {
    owner = JSON.parse(await readFile(join(partialDir, OWNER_FILE), 'utf8'));
  } catch {
    return true; // killed before it wrote its owner, or already publishing (then it is gone by now)
  }
  if (owner.hostname !== hostname()) return false; // another machine's run: not ours to judge
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes a complete snapshot: first hidden (a killed removal leaves nothing listed), then deleted. */
export async function removeSnapshot(targetDir: string, id: string): Promise<void> {
  const hidden = join(targetDir, DELETING_PREFIX + id);
  await rename(join(targetDir, id), hidden);
  await rm(hidden, { recursive: true, force: true });
}
