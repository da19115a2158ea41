// Copies one regular file and hashes it in the same read pass. Errors are sorted by side:
// the source's (cannot open, cannot read, changed while read) come back as an outcome the
// caller decides on; the target's (ENOSPC, EROFS, EIO while writing) are thrown and fail
// the snapshot.
//
// The copy is synchronous: a small file costs a few syscalls, less than one round trip
// through libuv's thread pool, and large files run on worker threads (copy-pool.ts), so
// hashing and I/O of several files proceed on several cores at once.

import fs, { constants, linkSync, type BigIntStats } from 'node:fs';
import { createHash } from 'node:crypto';
import { applyMetadata, creationOf, metadataOf, sourceXattrs, type NewFileDefaults } from './metadata.ts';

/** What the manifest needs of a copied file's stat; plain data, so it crosses threads. */
export interface FileFacts {
  mode: bigint;
  uid: bigint;
  gid: bigint;
  mtimeNs: bigint;
}

export type CopyOutcome =
  /** `cloned`: a reflink made the copy, and no data was written. */
  | { kind: 'copied'; sha256: string; size: number; facts: FileFacts; xattrs?: Record<string, Buffer>; cloned: boolean }
  /** A live copy may retry it later (LANGUAGE.md §6). */
  | { kind: 'set-aside'; reason: 'locked' | 'changed-during-copy'; detail: string }
  | { kind: 'unreadable'; detail: string }
  /** Deleted since the walk saw it: not part of the backup, not an error. */
  | { kind: 'vanished' };

/** Errors of open(2) that mean "in use or not allowed now", worth a retry in a live copy. */
const LOCKED = new Set(['EACCES', 'EPERM', 'EBUSY', 'ETXTBSY', 'EAGAIN', 'EWOULDBLOCK']);

/** Errors of a reflink that mean "not here" (other filesystem, no support), not a failure. */
const NO_REFLINK = new Set(['EXDEV', 'EOPNOTSUPP', 'ENOTSUP', 'EINVAL', 'ENOSYS', 'ENOTTY']);

/**
 * Hard-links an unchanged file from the previous snapshot; false when the link cannot be made
 * and a copy must do.
 */
export function linkUnchanged(existing: string, dest: string): boolean {
  try {
    linkSync(existing, dest);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EMLINK: the inode reached the filesystem's link limit; ENOENT: the previous
    // snapshot lost the file. Either way a fresh copy is right.
    if (code === 'EMLINK' || code === 'ENOENT') return false;
    throw error;
  }
}

/** Whether reflinks work from one volume to the target; learnt from the first attempt. */
export interface CloneState {
  works: boolean | undefined;
}

export interface CopyOptions {
  /** Reading live files: compare before/after, treat open errors as locked. */
  live: boolean;
  /** Once set, the copy stops before its next chunk and removes what it wrote (stopIfCancelled). */
  cancel?: CancelFlag;
  clone: CloneState;
  /** The read buffer; one per thread. */
  buffer: Buffer;
  /** Called when an extended attribute cannot be set on the target. */
  onXattrTrouble(error: NodeJS.ErrnoException): void;
  /**
   * What a new file gets in the destination's folder; the file is then created with its final
   * mode and owner and mode are set only where creation did not give them. Without it the
   * file is created 0600 and both are always set.
   */
  newFile?: NewFileDefaults;
}

export const COPY_BUFFER_BYTES = 1024 * 1024;

const CANCELLED = 'the copy was cancelled';

/** The error every step of a tree copy ends with once the run is cancelled: the walk, the pool, the flush. */
export function copyCancelled(signal: AbortSignal): Error {
  return new Error(CANCELLED, { cause: signal.reason });
}

/**
 * Set once the run is cancelled and read by every copy thread, so that a copy under way stops
 * within a chunk instead of finishing a file of many gigabytes first. Shared memory: a thread
 * busy copying reads no message.
 */
export type CancelFlag = Int32Array;

export function cancelFlag(): CancelFlag {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

export function setCancelled(flag: CancelFlag): void {
  Atomics.store(flag, 0, 1);
}

/** The code of the error a copy stopped by its run's cancellation throws; the pool turns it into copyCancelled. */
export const COPY_STOPPED = 'ECANCELED';

export function stopIfCancelled(flag: CancelFlag | undefined): void {
  if (flag && Atomics.load(flag, 0) !== 0) throw Object.assign(new Error(CANCELLED), { code: COPY_STOPPED });
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(error);
}

function changedWhileRead(before: BigIntStats, after: BigIntStats): string | undefined {
  if (after.size !== before.size) return `size changed from ${before.size} to ${after.size} bytes while it was read`;
  if (after.mtimeNs !== before.mtimeNs) return 'modification time changed while it was read';
  if (after.ctimeNs !== before.ctimeNs) return 'status change time changed while it was read';
  return undefined;
}

/** A source file opened for copyOpened, or the outcome its open already decided. */
export type OpenedSource = { fd: number } | { outcome: CopyOutcome };

/**
 * O_NONBLOCK: a FIFO put where the walk saw a file would otherwise block the open until a
 * writer came; for a regular file it changes nothing, and the fstat that follows sets the
 * FIFO aside.
 */
export function openSource(source: string, live: boolean): OpenedSource {
  try {
    return { fd: fs.openSync(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return { outcome: { kind: 'vanished' } };
    if (code === 'ELOOP') return { outcome: { kind: 'set-aside', reason: 'changed-during-copy', detail: 'became a symlink since the walk' } };
    if (live && LOCKED.has(code)) return { outcome: { kind: 'set-aside', reason: 'locked', detail: describe(error) } };
    return { outcome: { kind: 'unreadable', detail: describe(error) } };
  }
}

export function copyRegularFile(source: string, dest: string, options: CopyOptions): CopyOutcome {
  return copyOpened(openSource(source, options.live), source, dest, options);
}

/** Copies a source from openSource to `dest` and closes it; one its open decided on is that outcome. */
export function copyOpened(opened: OpenedSource, source: string, dest: string, options: CopyOptions): CopyOutcome {
  return 'outcome' in opened ? opened.outcome : copyOpenFile(opened.fd, source, dest, options);
}

/** Copies the file open as `input` to `dest`; closes `input`. */
function copyOpenFile(input: number, source: string, dest: string, options: CopyOptions): CopyOutcome {
  let created = false;
  try {
    const before = fs.fstatSync(input, { bigint: true });
    if (!before.isFile()) return { kind: 'set-aside', reason: 'changed-during-copy', detail: 'is no longer a regular file' };
    let xattrs: Record<string, Buffer> | undefined;
    try {
      xattrs = sourceXattrs({ fd: input });
    } catch (error) {
      return { kind: 'unreadable', detail: `extended attributes: ${describe(error)}` };
    }
    created = true;
    const meta = metadataOf(before, xattrs);
    const cloned = tryClone(source, dest, options.clone);
    const creation = options.newFile && !cloned ? creationOf(meta.mode, options.newFile) : undefined;
    const output = cloned
      ? fs.openSync(dest, constants.O_WRONLY | constants.O_NOFOLLOW)
      : fs.openSync(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, creation?.createMode ?? 0o600);
    try {
      const hash = createHash('sha256');
      const read = copyAndHash(input, cloned ? undefined : output, hash, Number(before.size), options);
      if ('unreadable' in read) {
        fs.rmSync(dest, { force: true });
        return { kind: 'unreadable', detail: read.unreadable };
      }
      if (options.live) {
        const change = changedWhileRead(before, fs.fstatSync(input, { bigint: true }));
        if (change) {
          fs.rmSync(dest, { force: true });
          return { kind: 'set-aside', reason: 'changed-during-copy', detail: change };
        }
      }
      applyMetadata({ fd: output }, meta, false, options.onXattrTrouble, creation?.created);
      const facts = { mode: before.mode, uid: before.uid, gid: before.gid, mtimeNs: before.mtimeNs };
      return { kind: 'copied', sha256: hash.digest('hex'), size: read.size, facts, xattrs, cloned };
    } finally {
      fs.closeSync(output);
    }
  } catch (error) {
    if (created) fs.rmSync(dest, { force: true });
    throw error;
  } finally {
    fs.closeSync(input);
  }
}

/** A reflink (btrfs, xfs): no data is copied; the hash still reads the source once. */
function tryClone(source: string, dest: string, clone: CloneState): boolean {
  if (clone.works === false) return false;
  try {
    fs.copyFileSync(source, dest, constants.COPYFILE_FICLONE_FORCE);
    clone.works = true;
    return true;
  } catch (error) {
    if (!NO_REFLINK.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    if (clone.works !== true) clone.works = false;
    fs.rmSync(dest, { force: true });
    return false;
  }
}

type ReadResult = { size: number } | { unreadable: string };

/** Reads the source once, hashing it, and writes it to `output` unless a reflink made the copy. */
function copyAndHash(input: number, output: number | undefined, hash: ReturnType<typeof createHash>, expected: number, { buffer, cancel }: CopyOptions): ReadResult {
  let size = 0;
  for (;;) {
    stopIfCancelled(cancel);
    let n: number;
    try {
      n = fs.readSync(input, buffer, 0, buffer.length, size);
    } catch (error) {
      return { unreadable: describe(error) };
    }
    if (n === 0) return { size };
    hash.update(buffer.subarray(0, n));
    if (output !== undefined) {
      let written = 0;
      while (written < n) written += fs.writeSync(output, buffer, written, n - written, size + written);
    }
    size += n;
    // The size from fstat saves the final zero-length read; a file that grew meanwhile is
    // caught by the before/after comparison of a live copy.
    if (expected > 0 && size >= expected) return { size };
  }
}
