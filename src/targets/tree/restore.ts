// Restores a tree snapshot, or part of it, into a folder.
//
// The manifest is untrusted input: a path that is absolute or holds "." or ".." is refused
// before anything is written. Nothing is written through a symlink: files are created with
// O_CREAT|O_EXCL|O_NOFOLLOW after removing whatever non-folder was there, and every parent
// folder is one this restore created or checked with lstat (a symlink where a folder should
// be is replaced, never followed). Each file's SHA-256 is computed while it is written and
// compared with the manifest; a mismatching file is removed and named.

import { constants, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, sep } from 'node:path';
import { below, MANIFEST_FILE, resolveSnapshot, type SnapshotRecord, type VolumeRecord } from './layout.ts';
import { readManifest, type ManifestEntry } from './manifest.ts';
import { applyMetadata, xattrsFromManifest, type EntryMetadata } from './metadata.ts';
import { makeNode } from './libc.ts';
import { OrderedWindow } from './ordered-window.ts';

const CONCURRENCY = 8;
const BUFFER_BYTES = 1024 * 1024;

export interface RestoreOptions {
  /** A snapshot id; the newest complete snapshot when absent. */
  snapshot?: string;
  to: string;
  /** Manifest paths ("home/user/notes.txt") or original absolute paths ("/home/user/notes.txt"). */
  paths: string[];
}

export interface RestoreReport {
  snapshot: string;
  files: number;
  bytes: number;
  entries: number;
  /** Files whose content does not match the manifest's SHA-256 (removed from the destination). */
  mismatches: string[];
  /** Entries that could not be restored, with the reason. */
  problems: string[];
}

/** Splits a manifest path into components, refusing anything that could leave the destination. */
export function safeComponents(path: string): string[] {
  const components = path.split('/');
  if (
    path === '' ||
    isAbsolute(path) ||
    path.includes('\0') ||
    path.includes('\\') ||
    components.some((c) => c === '' || c === '.' || c === '..')
  ) {
    throw new Error(`the manifest names "${path}", which would escape the destination; the snapshot's manifest is damaged or was tampered with`);
  }
  return components;
}

/** What the user asked for, as manifest paths. */
export function selectionPaths(paths: string[], volumes: VolumeRecord[]): string[] {
  return paths.map((p) => {
    if (isAbsolute(p)) {
      const volume = volumes
        .filter((v) => p === v.root || p.startsWith(v.root.endsWith(sep) ? v.root : v.root + sep))
        .sort((a, b) => b.root.length - a.root.length)[0];
      if (!volume) throw new Error(`${p} is in none of the snapshot's volumes (${volumes.map((v) => v.root).join(', ')})`);
      const rel = relative(volume.root, p).split(sep).join('/');
      return below(volume.folder, rel);
    }
    return p.replace(/^\.\/+/, '').replace(/\/+$/, '');
  });
}

function wanted(entryPath: string, selected: string[]): boolean {
  if (selected.length === 0) return true;
  return selected.some((p) => entryPath === p || entryPath.startsWith(p + '/') || p.startsWith(entryPath + '/'));
}

function metadataOfEntry(entry: ManifestEntry): EntryMetadata {
  const mtimeNs = BigInt(entry.mtime);
  return { mode: entry.mode, uid: entry.uid, gid: entry.gid, atimeNs: mtimeNs, mtimeNs, xattrs: xattrsFromManifest(entry.xattrs) };
}

type Restored = { kind: 'file'; bytes: number } | { kind: 'other' } | { kind: 'mismatch' | 'problem'; message: string };

export async function restoreSnapshot(targetDir: string, options: RestoreOptions): Promise<RestoreReport> {
  const snapshot = await resolveSnapshot(targetDir, options.snapshot);
  const selected = selectionPaths(options.paths, snapshot.summary.volumes);
  selected.forEach(safeComponents);
  const manifestPath = join(snapshot.dir, MANIFEST_FILE);
  // A whole pass first, so that a hostile manifest is refused before anything is written.
  for await (const entry of readManifest(manifestPath)) safeComponents(entry.path);
  await mkdir(options.to, { recursive: true });
  const report: RestoreReport = { snapshot: snapshot.id, files: 0, bytes: 0, entries: 0, mismatches: [], problems: [] };
  const restorer = new Restorer(snapshot, options.to);
  const window = new OrderedWindow<Restored>(CONCURRENCY, async (done) => {
    if (done.kind === 'file') {
      report.files++;
      report.bytes += done.bytes;
    } else if (done.kind === 'mismatch') report.mismatches.push(done.message);
    else if (done.kind === 'problem') report.problems.push(done.message);
  });
  const openFolders: Array<{ path: string; dest: string; entry: ManifestEntry }> = [];
  const closeFoldersUntil = async (path: string) => {
    while (openFolders.length > 0 && !path.startsWith(openFolders.at(-1)!.path + '/')) {
      const folder = openFolders.pop()!;
      await window.push(async () => restorer.finishFolder(folder.dest, folder.entry));
    }
  };
  try {
    for await (const entry of readManifest(manifestPath)) {
      const components = safeComponents(entry.path);
      if (!wanted(entry.path, selected)) continue;
      await closeFoldersUntil(entry.path);
      report.entries++;
      const dest = join(options.to, ...components);
      restorer.ensureParents(components);
      if (entry.type === 'dir') {
        restorer.makeFolder(dest, entry.path);
        openFolders.push({ path: entry.path, dest, entry });
      } else if (entry.type === 'file') {
        await window.push(restorer.restoreFile(join(snapshot.dir, ...components), dest, entry));
      } else {
        await window.push(Promise.resolve(restorer.restoreSpecial(dest, entry)));
      }
    }
    await closeFoldersUntil('');
    await window.drain();
  } catch (error) {
    await window.settle();
    throw error;
  }
  return report;
}

class Restorer {
  readonly #snapshot: SnapshotRecord;
  readonly #to: string;
  /** Folders (manifest paths) this restore made or checked: safe to create entries in. */
  readonly #safeFolders = new Set<string>(['']);
  readonly #xattrTrouble = () => {};

  constructor(snapshot: SnapshotRecord, to: string) {
    this.#snapshot = snapshot;
    this.#to = to;
  }

  /** Makes every missing parent of an entry a real folder (the manifest may omit them when filtered). */
  ensureParents(components: string[]): void {
    for (let i = 1; i < components.length; i++) {
      const path = components.slice(0, i).join('/');
      if (!this.#safeFolders.has(path)) this.makeFolder(join(this.#to, ...components.slice(0, i)), path);
    }
  }

  makeFolder(dest: string, path: string): void {
    try {
      mkdirSync(dest, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = lstatSync(dest);
      if (!existing.isDirectory()) {
        unlinkSync(dest); // a file or a symlink where a folder belongs: never write through it
        mkdirSync(dest, { mode: 0o700 });
      }
    }
    this.#safeFolders.add(path);
  }

  async finishFolder(dest: string, entry: ManifestEntry): Promise<Restored> {
    applyMetadata({ path: dest }, metadataOfEntry(entry), false, this.#xattrTrouble);
    return { kind: 'other' };
  }

  /** Removes a non-folder at dest so that the new entry is created, not written through. */
  #clear(dest: string, path: string): string | undefined {
    try {
      if (lstatSync(dest).isDirectory()) return `${path}: a folder is in the way at ${dest}`;
      unlinkSync(dest);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return undefined;
  }

  restoreSpecial(dest: string, entry: ManifestEntry): Restored {
    const blocked = this.#clear(dest, entry.path);
    if (blocked) return { kind: 'problem', message: blocked };
    if (entry.type === 'symlink') {
      symlinkSync(entry.target ?? '', dest);
    } else {
      const typeBits = { fifo: constants.S_IFIFO, char: constants.S_IFCHR, block: constants.S_IFBLK }[entry.type as 'fifo' | 'char' | 'block'];
      makeNode(dest, typeBits | entry.mode, BigInt(entry.rdev ?? '0'));
    }
    applyMetadata({ path: dest }, metadataOfEntry(entry), entry.type === 'symlink', this.#xattrTrouble);
    return { kind: 'other' };
  }

  async restoreFile(source: string, dest: string, entry: ManifestEntry): Promise<Restored> {
    const blocked = this.#clear(dest, entry.path);
    if (blocked) return { kind: 'problem', message: blocked };
    let input;
    try {
      input = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      return { kind: 'problem', message: `${entry.path}: cannot read it from snapshot ${this.#snapshot.id} (${(error as Error).message})` };
    }
    try {
      const output = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      let size = 0;
      const hash = createHash('sha256');
      try {
        const buffer = Buffer.allocUnsafe(Math.min(BUFFER_BYTES, Math.max(entry.size, 1)));
        for (;;) {
          const { bytesRead } = await input.read(buffer, 0, buffer.length, size);
          if (bytesRead === 0) break;
          hash.update(buffer.subarray(0, bytesRead));
          let written = 0;
          while (written < bytesRead) written += (await output.write(buffer, written, bytesRead - written, size + written)).bytesWritten;
          size += bytesRead;
        }
        const sha256 = hash.digest('hex');
        if (sha256 !== entry.sha256 || size !== entry.size) {
          await unlink(dest);
          return { kind: 'mismatch', message: `${entry.path}: content does not match the manifest (sha256 ${sha256}, expected ${entry.sha256})` };
        }
        applyMetadata({ fd: output.fd }, metadataOfEntry(entry), false, this.#xattrTrouble);
      } finally {
        await output.close();
      }
      return { kind: 'file', bytes: size };
    } finally {
      await input.close();
    }
  }
}
