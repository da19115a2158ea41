// Neovim (Debian's, headless) as the LSP client of `stillpoint lsp`: what a Neovim user gets
// from the server through the editor's own client (test/lsp/neovim-client.lua).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith } from '../support/requirements.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/stillpoint.js', import.meta.url).pathname;
const driver = new URL('./neovim-client.lua', import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stillpoint-nvim-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWith('Neovim as the LSP client', [command('nvim', 'apt-get install neovim')], () => {
  it('shows diagnostics, completes, hovers, goes to definition, applies a quick fix and formats', async () => {
    writeFileSync(join(dir, 'common.still'), 'let root = "/mnt/backup"\n');
    const script = join(dir, 'job.still');
    writeFileSync(script, 'import "common.still"\njob "a"{\nvolume "/srv"\n    provider btrfz\n  target tree path(root, "a")\n  hook before-backup run "true"\n}\n');
    const outFile = join(dir, 'out.json');
    const env = {
      ...process.env,
      STILL_SCRIPT: script,
      STILL_OUT: outFile,
      STILL_SERVER: JSON.stringify([process.execPath, bin, 'lsp']),
      // Completion after `hook ` (line 6), hover and definition on `root` (line 5), 0-based.
      STILL_POSITIONS: JSON.stringify({ completion: [5, 7], hover: [4, 20], definition: [4, 20] }),
    };
    await run('nvim', ['--headless', '--clean', '-n', '-c', `luafile ${driver}`], { env, timeout: 60_000 });
    const out = JSON.parse(readFileSync(outFile, 'utf8'));
    expect(out.error).toBeUndefined();
    expect(out.diagnostics).toContainEqual(expect.objectContaining({ line: 3, col: 13, code: 'unknown-provider' }));
    expect(out.completion).toEqual(expect.arrayContaining(['before-backup', 'after-backup', 'on-error']));
    expect(out.hover).toBe('`let root` = `"/mnt/backup"`');
    expect(out.definition).toMatchObject({ uri: pathToFileURL(join(dir, 'common.still')).href, range: { start: { line: 0, character: 4 } } });
    expect(out.action).toBe('Change to `btrfs`');
    expect(out.fixed).toContain('    provider btrfs\n');
    expect(out.formatted).toBe('import "common.still"\n\njob "a" {\n  volume "/srv"\n  provider btrfs\n  target tree path(root, "a")\n  hook before-backup run "true"\n}');
  }, 90_000);
});
