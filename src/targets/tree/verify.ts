// Checks a tree snapshot against its manifest: every file is rehashed, every folder and
// symlink must be there as recorded. Reports every problem, not just the first.

import { constants, lstatSync, readlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { MANIFEST_FILE, resolveSnapshot } from './layout.ts';
import { entryTypeOf, readManifest, type ManifestEntry } from './manifest.ts';
import { OrderedWindow } from './ordered-window.ts';
import { safeComponents } from './restore.ts';

const CONCURRENCY = 8;
const BUFFER_BYTES = 1024 * 1024;

export interface VerifyReport {
  snapshot: string;
  entries: number;
  files: number;
  bytes: number;
  /** One line per missing or mismatching entry, naming it. */
  problems: string[];
}

export async function verifySnapshot(targetDir: string, snapshotId?: string): Promise<VerifyReport> {
  const snapshot = await resolveSnapshot(targetDir, snapshotId);
  const report: VerifyReport = { snapshot: snapshot.id, entries: 0, files: 0, bytes: 0, problems: [] };
  const window = new OrderedWindow<string | undefined>(CONCURRENCY, async (problem) => {
    if (problem) report.problems.push(problem);
  });
  try {
    for await (const entry of readManifest(join(snapshot.dir, MANIFEST_FILE))) {
      report.entries++;
      const path = join(snapshot.dir, ...safeComponents(entry.path));
      if (entry.type === 'file') {
        report.files++;
        report.bytes += entry.size;
        await window.push(checkFile(path, entry));
      } else {
        await window.push(Promise.resolve(checkOther(path, entry)));
      }
    }
    await window.drain();
  } catch (error) {
    await window.settle();
    throw error;
  }
  return report;
}

async function checkFile(path: string, entry: ManifestEntry): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `missing: ${entry.path}` : `unreadable: ${entry.path} (${code ?? (error as Error).message})`;
  }
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(BUFFER_BYTES, Math.max(entry.size, 1)));
    let size = 0;
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, size));
      } catch (error) {
        return `unreadable: ${entry.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      }
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    const sha256 = hash.digest('hex');
    if (size !== entry.size) return `mismatch: ${entry.path} (${size} bytes, the manifest says ${entry.size})`;
    if (sha256 !== entry.sha256) return `mismatch: ${entry.path} (sha256 ${sha256}, the manifest says ${entry.sha256})`;
    return undefined;
  } finally {
    await handle.close();
  }
}

function checkOther(path: string, entry: ManifestEntry): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `missing: ${entry.path}` : `unreadable: ${entry.path} (${code})`;
  }
  const actual = entryTypeOf(stat) ?? 'socket';
  if (actual !== entry.type) return `mismatch: ${entry.path} (a ${actual}, the manifest says ${entry.type})`;
  if (entry.type === 'symlink' && readlinkSync(path) !== entry.target) {
    return `mismatch: ${entry.path} (symlink to ${readlinkSync(path)}, the manifest says ${entry.target})`;
  }
  return undefined;
}
