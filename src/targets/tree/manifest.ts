// The manifest of a snapshot: NDJSON, one entry a line, in walk order (comparePaths). It is
// written while files are copied and read back line by line, never held whole in memory.
//
//   {"path":"home/a.txt","type":"file","size":12,"mode":420,"uid":0,"gid":0,
//    "mtime":"1732350000123456789","sha256":"…"}
//
// path: "<volume folder>/<path relative to the volume root>" with "/" separators;
// mode: permission bits (st_mode & 0o7777); mtime: nanoseconds since the epoch, as a string
// because it exceeds a double's precision; target: a symlink's target; rdev: a device's
// number; xattrs: name -> base64 value, present only when the entry has any.

import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { comparePaths } from './layout.ts';

export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block';

/** The stat methods both Stats and BigIntStats have. */
interface StatKind {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

/** The manifest type of an entry; undefined for what a backup does not keep (sockets). */
export function entryTypeOf(stat: StatKind): EntryType | undefined {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice()) return 'char';
  if (stat.isBlockDevice()) return 'block';
  return undefined;
}

export interface ManifestEntry {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: string;
  sha256?: string;
  target?: string;
  rdev?: string;
  xattrs?: Record<string, string>;
}

const FLUSH_BYTES = 256 * 1024;

/** Appends entries; they reach the disk (fsync) in close(). */
export class ManifestWriter {
  readonly #handle: FileHandle;
  #pending: string[] = [];
  #pendingBytes = 0;
  #last: string | undefined;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  static async create(path: string): Promise<ManifestWriter> {
    return new ManifestWriter(await open(path, 'wx', 0o600));
  }

  /**
   * `text`: the entry as the previous manifest has it, for a file linked unchanged; serializing
   * it again would give the same line, for the cost of building and serializing an entry per file.
   */
  async add(entry: ManifestEntry, text = JSON.stringify(entry)): Promise<void> {
    // The merge-join of the next run depends on the order: a wrong order is a bug, not data.
    if (this.#last !== undefined && comparePaths(this.#last, entry.path) >= 0) {
      throw new Error(`manifest order broken: ${entry.path} after ${this.#last}`);
    }
    this.#last = entry.path;
    const line = text + '\n';
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= FLUSH_BYTES) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const chunk = this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#handle.write(chunk);
  }

  async close(): Promise<void> {
    try {
      await this.#flush();
      await this.#handle.sync();
    } finally {
      await this.#handle.close();
    }
  }

  /** Closes without caring for the content (the snapshot is being thrown away). */
  async abandon(): Promise<void> {
    await this.#handle.close().catch(() => {});
  }
}

/** The entries of a manifest, one at a time. */
export async function* readManifest(path: string): AsyncGenerator<ManifestEntry> {
  for (const { entry } of readManifestLines(path)) yield entry;
}

/** An entry of a manifest, with its line as written (without the newline). */
export interface ManifestLine {
  entry: ManifestEntry;
  text: string;
}

const READ_BYTES = 256 * 1024;

/**
 * The entries of a manifest with their lines, one at a time. Read synchronously, a chunk at a
 * time: the cursor is asked once for every file a run walks, and an await per line (readline)
 * cost the walking thread more than reading the chunks.
 */
export function* readManifestLines(path: string): Generator<ManifestLine> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const decoder = new StringDecoder('utf8');
    let lineNumber = 0;
    let rest = '';
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      const lines = (rest + (n > 0 ? decoder.write(buffer.subarray(0, n)) : decoder.end())).split('\n');
      // A chunk ends inside a line, which the next chunk completes; the file's end ends it.
      rest = n > 0 ? lines.pop()! : '';
      for (const line of lines) {
        lineNumber++;
        if (line !== '') yield parseLine(path, lineNumber, line);
      }
      if (n === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

function parseLine(path: string, lineNumber: number, line: string): ManifestLine {
  let entry: ManifestEntry;
  try {
    entry = JSON.parse(line) as ManifestEntry;
  } catch {
    throw new Error(`${path}:${lineNumber}: not a manifest entry (the manifest is damaged)`);
  }
  if (typeof entry.path !== 'string' || typeof entry.type !== 'string') {
    throw new Error(`${path}:${lineNumber}: manifest entry without path or type (the manifest is damaged)`);
  }
  return { entry, text: line };
}

/**
 * Walks a previous manifest alongside the current walk: both are in comparePaths order, so
 * find() only ever moves forward and memory stays at one entry.
 */
export class ManifestCursor {
  readonly #entries: Generator<ManifestLine>;
  #current: ManifestLine | undefined;
  /** #current is in `passed` already. */
  #currentPassed = false;
  #done = false;
  /** The files of the manifest at or before the last path asked, and their bytes. */
  readonly passed = { files: 0, bytes: 0 };

  constructor(path: string) {
    this.#entries = readManifestLines(path);
  }

  find(path: string): ManifestLine | undefined {
    for (;;) {
      if (this.#current === undefined) {
        if (this.#done) return undefined;
        const next = this.#entries.next();
        if (next.done) {
          this.#done = true;
          return undefined;
        }
        this.#current = next.value;
        this.#currentPassed = false;
      }
      const order = comparePaths(this.#current.entry.path, path);
      if (order > 0) return undefined;
      if (!this.#currentPassed && this.#current.entry.type === 'file') {
        this.passed.files++;
        this.passed.bytes += this.#current.entry.size;
      }
      this.#currentPassed = true;
      if (order === 0) return this.#current;
      this.#current = undefined;
    }
  }

  /** Never throws: it runs while a failure may be on its way out, and the file was only read. */
  close(): void {
    try {
      this.#entries.return(undefined);
    } catch {
      // A close(2) that failed on a file only read loses nothing.
    }
  }
}

/** Merges two manifests in path order into a new file (phase two's entries into phase one's). */
export async function mergeManifests(first: string, second: string, into: string): Promise<void> {
  const writer = await ManifestWriter.create(into);
  try {
    const a = readManifest(first);
    const b = readManifest(second);
    let x = await a.next();
    let y = await b.next();
    while (!x.done || !y.done) {
      if (y.done || (!x.done && comparePaths(x.value.path, y.value.path) < 0)) {
        await writer.add(x.value as ManifestEntry);
        x = await a.next();
      } else {
        await writer.add(y.value);
        y = await b.next();
      }
    }
  } catch (error) {
    await writer.abandon();
    throw error;
  }
  await writer.close();
}
