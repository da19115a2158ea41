import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSource } from '../../src/language/source.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-source-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(name: string, bytes?: Uint8Array | string) {
  const path = join(dir, name);
  if (bytes !== undefined) await writeFile(path, bytes);
  return loadSource(path);
}

describe('loadSource', () => {
  it('reads UTF-8 and strips the byte order mark', async () => {
    expect(await load('bom.still', '\uFEFFlet a = "é"\n')).toEqual({ text: 'let a = "é"\n' });
  });

  it('one diagnostic for a missing file', async () => {
    const result = await load('missing.still');
    expect(result).toEqual({ diagnostic: expect.objectContaining({ code: 'file-not-found', summary: `${join(dir, 'missing.still')} does not exist` }) });
  });

  it('one diagnostic for a directory', async () => {
    const result = await loadSource(dir);
    expect(result).toEqual({ diagnostic: expect.objectContaining({ code: 'not-a-file', summary: `${dir} is a directory, not a script` }) });
  });

  it('one diagnostic for an empty or blank file', async () => {
    expect(await load('empty.still', '')).toEqual({ diagnostic: expect.objectContaining({ code: 'empty-file' }) });
    expect(await load('blank.still', ' \n\t\n')).toEqual({ diagnostic: expect.objectContaining({ code: 'empty-file' }) });
  });

  it('one diagnostic, at the first bad byte, for text that is not UTF-8', async () => {
    const result = await load('latin1.still', new Uint8Array([0x6c, 0x65, 0x74, 0x0a, 0x61, 0xe9, 0x62]));
    expect(result).toEqual({
      diagnostic: expect.objectContaining({ code: 'not-utf8', range: expect.objectContaining({ start: { line: 2, column: 2, offset: 5 } }) }),
    });
    if ('diagnostic' in result) expect(result.diagnostic.detail).toMatch(/^Byte 5 \(0xe9\)/);
  });

  it('says when the file is UTF-16', async () => {
    const result = await load('utf16.still', new Uint8Array([0xff, 0xfe, 0x6c, 0x00]));
    expect(result).toEqual({ diagnostic: expect.objectContaining({ code: 'not-utf8', summary: expect.stringMatching(/is UTF-16, not UTF-8$/) }) });
  });
});
