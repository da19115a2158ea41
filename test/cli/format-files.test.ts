import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/stillpoint.js');

async function stillpoint(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
let messy: string;
let tidy: string;
let broken: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-fmt-'));
  messy = join(dir, 'messy.still');
  tidy = join(dir, 'tidy.still');
  broken = join(dir, 'broken.still');
  await writeFile(messy, 'job "a" {\nprovider   copy\n}');
  await writeFile(tidy, 'job "a" {\n  provider copy\n}\n');
  await writeFile(broken, 'job "a" {\n  volume =\n}\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stillpoint fmt', () => {
  it('prints one file formatted', async () => {
    expect(await stillpoint('fmt', messy)).toEqual({ code: 0, stdout: 'job "a" {\n  provider copy\n}\n', stderr: '' });
  });

  it('--check names the files that would change and exits 1', async () => {
    expect(await stillpoint('fmt', '--check', messy, tidy)).toMatchObject({ code: 1, stdout: `${messy}\n` });
    expect(await stillpoint('fmt', '--check', tidy)).toMatchObject({ code: 0, stdout: '' });
  });

  it('--write rewrites the files that would change', async () => {
    const copy = join(dir, 'copy.still');
    await writeFile(copy, 'let   a=1');
    expect(await stillpoint('fmt', '--write', copy, tidy)).toMatchObject({ code: 0, stdout: `${copy}\n` });
    expect(await readFile(copy, 'utf8')).toBe('let a = 1\n');
  });

  it('prints rendered diagnostics and exits 2 on syntax errors, leaving the file alone', async () => {
    const result = await stillpoint('fmt', '--write', broken);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${broken}:3:1: error: expected an expression, found \`}\``);
    expect(await readFile(broken, 'utf8')).toBe('job "a" {\n  volume =\n}\n');
  });

  it('takes --import-root like check and plan (repeatable), and refuses a folder that does not exist', async () => {
    expect(await stillpoint('fmt', '--import-root', dir, '--import-root', tmpdir(), '--check', tidy)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const missing = await stillpoint('fmt', '--import-root', join(dir, 'nowhere'), '--check', tidy);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the import root ${join(dir, 'nowhere')} does not exist`);
  });

  it('exits 2 for a missing file and for --check with --write', async () => {
    expect(await stillpoint('fmt', join(dir, 'nope.still'))).toMatchObject({ code: 2, stderr: expect.stringContaining('does not exist') });
    expect((await stillpoint('fmt', '--check', '--write', tidy)).code).toBe(2);
  });
});
