// The manifest read back: every line as it was written, whatever chunk boundary a line or a
// character falls on, and a damaged line named by its file and line number.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestCursor, ManifestWriter, readManifestLines, type ManifestEntry } from '../../../src/targets/tree/manifest.ts';
import { tempDir } from './fixture.ts';

/**
 * Paths in manifest order, mostly of characters of two, three and four bytes in UTF-8, so that
 * chunk boundaries fall inside characters.
 */
function entries(count: number): ManifestEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `vol/${String(i).padStart(6, '0')}-${'é'.repeat(i % 7)}${'€'.repeat(40 + (i % 5))}${'😀'.repeat(i % 3)}.txt`,
    type: 'file',
    size: i,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: `${1_700_000_000_000_000_000n + BigInt(i)}`,
    sha256: 'ab'.repeat(32),
  }));
}

async function written(dir: string, list: ManifestEntry[]): Promise<string> {
  const path = join(dir, 'manifest.ndjson');
  const writer = await ManifestWriter.create(path);
  for (const entry of list) await writer.add(entry);
  await writer.close();
  return path;
}

describe('manifest', () => {
  it('reads back every line as written, across many read chunks and characters split between them', async () => {
    using dir = tempDir('manifest');
    // About 3 MB: a dozen chunks, each ending at some other offset of a line.
    const list = entries(9000);
    const path = await written(dir.path, list);
    const read = [...readManifestLines(path)];
    expect(read.map((line) => line.entry)).toEqual(list);
    expect(read.map((line) => line.text)).toEqual(list.map((entry) => JSON.stringify(entry)));
  });

  it('reads a last line that has no newline, and skips empty lines', () => {
    using dir = tempDir('manifest');
    const [a, b] = entries(2);
    const path = join(dir.path, 'manifest.ndjson');
    writeFileSync(path, `${JSON.stringify(a)}\n\n${JSON.stringify(b)}`);
    expect([...readManifestLines(path)].map((line) => line.entry)).toEqual([a, b]);
  });

  it('names the file and line of a damaged entry', () => {
    using dir = tempDir('manifest');
    const [a] = entries(1);
    const path = join(dir.path, 'manifest.ndjson');
    writeFileSync(path, `${JSON.stringify(a)}\n\n{"path": broken\n`);
    expect(() => [...readManifestLines(path)]).toThrow(`${path}:3: not a manifest entry (the manifest is damaged)`);
    writeFileSync(path, `${JSON.stringify(a)}\n{"size": 1}\n`);
    expect(() => [...readManifestLines(path)]).toThrow(`${path}:2: manifest entry without path or type`);
  });

  it('finds the entries of the paths asked in order, and nothing for a path the manifest lacks', async () => {
    using dir = tempDir('manifest');
    const list = entries(3000);
    const cursor = new ManifestCursor(await written(dir.path, list));
    expect(cursor.find(list[0]!.path)?.entry).toEqual(list[0]);
    expect(cursor.find('vol/000001-missing')).toBeUndefined();
    expect(cursor.find(list[2500]!.path)?.text).toBe(JSON.stringify(list[2500]));
    expect(cursor.find(list[2999]!.path)?.entry).toEqual(list[2999]);
    expect(cursor.find('vol/999999')).toBeUndefined();
    cursor.close();
  });

  it('counts the files it has come to, and their bytes: those at or before the last path asked, each once', async () => {
    using dir = tempDir('manifest');
    const list: ManifestEntry[] = [...entries(10), { ...entries(11)[10]!, type: 'dir', size: 0 }];
    const cursor = new ManifestCursor(await written(dir.path, list));
    expect(cursor.passed).toEqual({ files: 0, bytes: 0 });
    cursor.find(list[3]!.path);
    expect(cursor.passed).toEqual({ files: 4, bytes: 0 + 1 + 2 + 3 });
    cursor.find(list[3]!.path.replace('.txt', '.zzz')); // between two entries: the next is not counted
    expect(cursor.passed).toEqual({ files: 4, bytes: 6 });
    cursor.find(list[9]!.path);
    expect(cursor.passed).toEqual({ files: 10, bytes: 45 });
    cursor.find('vol/999999'); // past a folder's entry: no file
    expect(cursor.passed).toEqual({ files: 10, bytes: 45 });
    cursor.close();
  });
});
