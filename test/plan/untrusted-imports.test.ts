// The attacks of issue #13 on `import`: a script under review must not make `check` print
// another file's contents or the environment, nor hang on a device or a FIFO.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_IMPORTED_FILES, MAX_SCRIPT_BYTES } from '../../src/language/limits.ts';
import { stillpoint } from '../support/cli.ts';
import { linux } from '../support/requirements.ts';
import { brief, evalFile, folder } from './helpers.ts';

const TOKEN = 'tok-4f1c9e2a7b';
const JOB = 'job web {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n}\n';

/** A folder with the script tree in `repo/` and, beside it, a secret the script must not reach. */
function repoBesideSecret(files: Record<string, string>): { dir: string; repo: string } {
  const dir = folder({ 'secret/notes.still': `let stolen = "${TOKEN}"\n`, 'secret/notes.txt': `${TOKEN}\n` });
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(repo, name), text);
  return { dir, repo };
}

async function check(cwd: string, args: string[] = ['main.still']) {
  const outcome = await stillpoint(['check', ...args], { cwd, env: { CI_TOKEN: TOKEN }, timeoutMs: 20_000 });
  return { ...outcome, output: outcome.stdout + outcome.stderr };
}

describe('import of what is not a script in the tree', () => {
  it.runIf(linux().ok)('`import "/proc/self/environ"` does not print the environment', async () => {
    const { repo } = repoBesideSecret({ 'main.still': `import "/proc/self/environ"\n${JOB}` });
    const result = await check(repo);
    expect(result.code).toBe(2);
    expect(result.output).not.toContain(TOKEN);
    expect(result.output).toMatch(/main\.still:1:8: error: cannot import: \/proc\/self\/environ is not a script \(it resolves to \/proc\/\d+\/environ\)/);
  });

  it('`import "/etc/shadow"` and any file outside the tree are refused before they are read', async () => {
    const { repo } = repoBesideSecret({ 'main.still': `import "../secret/notes.txt"\nimport "/etc/shadow"\nimport "../secret/notes.still"\n${JOB}` });
    const result = await check(repo);
    expect(result.code).toBe(2);
    expect(result.output).not.toContain(TOKEN);
    expect(result.output).not.toMatch(/root:/);
    expect(result.output).toContain('main.still:1:8: error: cannot import: ../secret/notes.txt is outside the allowed folders');
    expect(result.output).toContain('main.still:2:8: error: cannot import: /etc/shadow is outside the allowed folders');
    expect(result.output).toContain('main.still:3:8: error: cannot import: ../secret/notes.still is outside the allowed folders');
  });

  it('--import-root allows another folder, for .still files only', async () => {
    const { dir, repo } = repoBesideSecret({ 'main.still': `import "../secret/notes.still"\n${JOB}`, 'text.still': `import "../secret/notes.txt"\n${JOB}` });
    const allowed = await check(repo, ['--import-root', '.', '--import-root', join(dir, 'secret'), 'main.still']);
    expect(allowed).toMatchObject({ code: 0 });
    const planned = await stillpoint(['plan', '--import-root', '.', '--import-root', join(dir, 'secret'), 'main.still'], { cwd: repo });
    expect(planned).toMatchObject({ code: 0 });
    expect((await stillpoint(['plan', 'main.still'], { cwd: repo })).code).toBe(2);
    const text = await check(repo, ['--import-root', join(dir, 'secret'), 'text.still']);
    expect(text.code).toBe(2);
    expect(text.output).toContain('text.still:1:8: error: cannot import: ../secret/notes.txt is not a `.still` script');
    expect(text.output).not.toContain(TOKEN);
  });

  it('a symlink in the tree that points out of it is judged by where it points', async () => {
    const { dir, repo } = repoBesideSecret({ 'main.still': `import "lib.still"\n${JOB}`, 'env.still': `import "environ.still"\n${JOB}` });
    symlinkSync(join(dir, 'secret/notes.still'), join(repo, 'lib.still'));
    symlinkSync('/proc/self/environ', join(repo, 'environ.still'));
    const result = await check(repo, ['main.still', 'env.still']);
    expect(result.code).toBe(2);
    expect(result.output).not.toContain(TOKEN);
    expect(result.output).toContain(`main.still:1:8: error: cannot import: lib.still is outside the allowed folders (it resolves to ${join(dir, 'secret/notes.still')})`);
    expect(result.output).toMatch(/env\.still:1:8: error: cannot import: environ\.still is not a script \(it resolves to \/proc\/\d+\/environ\)/);
  });

  it.runIf(linux().ok)('a script named on the command line that links to /proc/self/environ is not read', async () => {
    const { repo } = repoBesideSecret({});
    symlinkSync('/proc/self/environ', join(repo, 'main.still'));
    const result = await check(repo);
    expect(result.code).toBe(2);
    expect(result.output).not.toContain(TOKEN);
    expect(result.output).toMatch(/^error: main\.still is not a script \(it resolves to \/proc\/\d+\/environ\)/m);
  });

  it.runIf(existsSync('/dev/zero'))('`import "/dev/zero"` finishes at once with an error', async () => {
    const { repo } = repoBesideSecret({ 'main.still': `import "/dev/zero"\n${JOB}`, 'inside.still': `import "zero.still"\n${JOB}` });
    symlinkSync('/dev/zero', join(repo, 'zero.still'));
    const started = Date.now();
    const result = await check(repo, ['--import-root', '/', 'main.still', 'inside.still']);
    expect(result.timedOut).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.output).toContain('main.still:1:8: error: cannot import: /dev/zero is not a script');
    expect(result.output).toMatch(/inside\.still:1:8: error: cannot import: zero\.still is not a script \(it resolves to \/dev\/zero\)/);
  });

  it.runIf(linux().ok)('an import of a FIFO does not block', async () => {
    const { repo } = repoBesideSecret({ 'main.still': `import "pipe.still"\n${JOB}` });
    execFileSync('mkfifo', [join(repo, 'pipe.still')]);
    const result = await check(repo);
    expect(result.timedOut).toBe(false);
    expect(result.output).toContain('main.still:1:8: error: cannot import: pipe.still is a FIFO, not a script');
  });
});

describe('the size of what a script imports is bounded', () => {
  it('a file over 1 MiB is refused at the import', async () => {
    const dir = folder({ 'main.still': `import "big.still"\n${JOB}`, 'big.still': `# ${'x'.repeat(MAX_SCRIPT_BYTES)}\n` });
    const result = await evalFile(dir, 'main.still');
    expect(result.diagnostics.map(brief)).toEqual([`error script-too-big 1:8-1:19 cannot import: ${join(dir, 'big.still')} is larger than 1 MiB`]);
  });

  it('the whole graph is bounded in files and in bytes', async () => {
    const many = Object.fromEntries(Array.from({ length: MAX_IMPORTED_FILES + 1 }, (_, i) => [`f${i}.still`, `let v${i} = ${i}\n`]));
    const manyDir = folder({ ...many, 'main.still': `${Object.keys(many).map((name) => `import "${name}"`).join('\n')}\n${JOB}` });
    const tooMany = await evalFile(manyDir, 'main.still');
    // The script is one of the files, so its last two imports are refused.
    const refused = tooMany.diagnostics.filter((d) => d.code === 'import-graph-too-big');
    expect(refused.map((d) => d.range?.start.line)).toEqual([MAX_IMPORTED_FILES, MAX_IMPORTED_FILES + 1]);
    expect(refused[0]!.summary).toBe(`cannot import: the script and its imports would be more than ${MAX_IMPORTED_FILES} files`);

    const chunk = `# ${'x'.repeat(MAX_SCRIPT_BYTES - 10)}\n`;
    const big = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`b${i}.still`, chunk]));
    const bigDir = folder({ ...big, 'main.still': `${Object.keys(big).map((name) => `import "${name}"`).join('\n')}\n${JOB}` });
    const tooBig = await evalFile(bigDir, 'main.still');
    // Eight of them and the script are just over 8 MiB.
    const over = tooBig.diagnostics.filter((d) => d.code === 'import-graph-too-big');
    expect(over.map((d) => d.range?.start.line)).toEqual([8, 9]);
    expect(over[0]!.summary).toBe('cannot import: the script and its imports would be larger than 8 MiB together');
  });
});
