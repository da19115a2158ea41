// Copies one regular file and hashes it in the same read pass. Errors are sorted by side:
// the source's (cannot open, cannot read, changed while read) come back as an outcome the
// caller decides on; the target's (ENOSPC, EROFS, EIO while writing) are thrown and fail
// the snapshot.

import { constants, type BigIntStats } from 'node:fs';
import { copyFile, open, unlink, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { applyMetadata, metadataOf, sourceXattrs, type XattrTrouble } from './metadata.ts';

export type CopyOutcome =
  | { kind: 'copied'; sha256: string; size: number; stat: BigIntStats; xattrs?: Record<string, Buffer> }
  /** A live copy may retry it later (LANGUAGE.md §6). */
  | { kind: 'set-aside'; reason: 'locked' | 'changed-during-copy'; detail: string }
  | { kind: 'unreadable'; detail: string }
  /** Deleted since the walk saw it: not part of the backup, not an error. */
  | { kind: 'vanished' };

/** Errors of open(2) that mean "in use or not allowed now", worth a retry in a live copy. */
const LOCKED = new Set(['EACCES', 'EPERM', 'EBUSY', 'ETXTBSY', 'EAGAIN', 'EWOULDBLOCK']);

/** Whether reflinks work from one volume to the target; learnt from the first attempts. */
export interface CloneState {
  works: boolean | undefined;
}

export interface CopyOptions {
  /** Reading live files: compare before/after, treat open errors as locked. */
  live: boolean;
  clone: CloneState;
  buffers: BufferPool;
  onXattrTrouble: XattrTrouble;
}

/** Reusable read buffers, one per copy in flight. */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #size: number;
  constructor(size: number) {
    this.#size = size;
  }
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafe(this.#size);
  }
  give(buffer: Buffer): void {
    this.#free.push(buffer);
  }
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

export async function copyRegularFile(source: string, dest: string, options: CopyOptions): Promise<CopyOutcome> {
  let input: FileHandle;
  try {
    input = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return { kind: 'vanished' };
    if (code === 'ELOOP') return { kind: 'set-aside', reason: 'changed-during-copy', detail: 'became a symlink since the walk' };
    if (options.live && LOCKED.has(code)) return { kind: 'set-aside', reason: 'locked', detail: describe(error) };
    return { kind: 'unreadable', detail: describe(error) };
  }
  let wrote = false;
  try {
    const before = await input.stat({ bigint: true });
    if (!before.isFile()) return { kind: 'set-aside', reason: 'changed-during-copy', detail: 'is no longer a regular file' };
    let xattrs: Record<string, Buffer> | undefined;
    try {
      xattrs = sourceXattrs({ fd: input.fd });
    } catch (error) {
      return { kind: 'unreadable', detail: `extended attributes: ${describe(error)}` };
    }
    const hash = createHash('sha256');
    wrote = true;
    const cloned = await tryClone(source, dest, options.clone);
    const output = cloned
      ? await open(dest, constants.O_WRONLY | constants.O_NOFOLLOW)
      : await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      const read = cloned
        ? await hashOnly(input, hash, options.buffers)
        : await copyAndHash(input, output, hash, Number(before.size), options.buffers);
      if ('unreadable' in read) {
        await unlink(dest).catch(() => {});
        return { kind: 'unreadable', detail: read.unreadable };
      }
      if (options.live) {
        const change = changedWhileRead(before, await input.stat({ bigint: true }));
        if (change) {
          await unlink(dest).catch(() => {});
          return { kind: 'set-aside', reason: 'changed-during-copy', detail: change };
        }
      }
      applyMetadata({ fd: output.fd }, metadataOf(before, xattrs), false, options.onXattrTrouble);
      return { kind: 'copied', sha256: hash.digest('hex'), size: read.size, stat: before, xattrs };
    } finally {
      await output.close();
    }
  } catch (error) {
    if (wrote) await unlink(dest).catch(() => {});
    throw error;
  } finally {
    await input.close();
  }
}

/** A reflink (btrfs, xfs): no data is copied; the hash still reads the source once. */
async function tryClone(source: string, dest: string, clone: CloneState): Promise<boolean> {
  if (clone.works === false) return false;
  try {
    await copyFile(source, dest, constants.COPYFILE_FICLONE_FORCE);
    clone.works = true;
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!['EXDEV', 'EOPNOTSUPP', 'ENOTSUP', 'EINVAL', 'ENOSYS', 'ENOTTY'].includes(code)) throw error;
    // Copies already in flight may fail the same way before the first failure is recorded.
    if (clone.works !== true) clone.works = false;
    await unlink(dest).catch(() => {});
    return false;
  }
}

type ReadResult = { size: number } | { unreadable: string };

async function hashOnly(input: FileHandle, hash: ReturnType<typeof createHash>, buffers: BufferPool): Promise<ReadResult> {
  const buffer = buffers.take();
  try {
    let size = 0;
    for (;;) {
      let n: number;
      try {
        n = (await input.read(buffer, 0, buffer.length, size)).bytesRead;
      } catch (error) {
        return { unreadable: describe(error) };
      }
      if (n === 0) return { size };
      hash.update(buffer.subarray(0, n));
      size += n;
    }
  } finally {
    buffers.give(buffer);
  }
}

async function copyAndHash(
  input: FileHandle,
  output: FileHandle,
  hash: ReturnType<typeof createHash>,
  expected: number,
  buffers: BufferPool,
): Promise<ReadResult> {
  const buffer = buffers.take();
  try {
    let size = 0;
    for (;;) {
      let n: number;
      try {
        n = (await input.read(buffer, 0, buffer.length, size)).bytesRead;
      } catch (error) {
        return { unreadable: describe(error) };
      }
      if (n === 0) return { size };
      hash.update(buffer.subarray(0, n));
      let written = 0;
      while (written < n) written += (await output.write(buffer, written, n - written, size + written)).bytesWritten;
      size += n;
      // The size from fstat saves the final zero-length read; a file that grew meanwhile is
      // caught by the before/after comparison of a live copy.
      if (expected > 0 && size >= expected) return { size };
    }
  } finally {
    buffers.give(buffer);
  }
}
