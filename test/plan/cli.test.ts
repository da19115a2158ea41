// `stillpoint check` and `stillpoint plan` as a user runs them: a real process, real files.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stillpoint } from '../support/cli.ts';
import { folder } from './helpers.ts';

const GOOD = 'job web {\n  volume "/srv/web"\n  providers btrfs, copy\n  target restic "/repo" { password secret(env("PW")) }\n}\n';
const BAD = 'job web {\n  volume "/srv/web"\n  freeze-timeout 5GiB\n  provider btrf\n}\n';

describe('stillpoint check', () => {
  it('exits 0 for a clean script and 2 for one with errors, printing them like a compiler', async () => {
    const dir = folder({ 'good.still': GOOD, 'bad.still': BAD });
    expect(await stillpoint(['check', 'good.still'], { cwd: dir })).toMatchObject({ code: 0, stdout: 'good.still: no errors, no warnings\n' });
    const bad = await stillpoint(['check', 'good.still', 'bad.still'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('bad.still:3:18: error: expected a duration, found a size `5GiB`\n  3 |   freeze-timeout 5GiB\n    |                  ^^^^\n');
    expect(bad.stdout).toContain('bad.still:4:12: error: unknown provider `btrf`');
    expect(bad.stdout).toContain('Did you mean `btrfs`?');
    expect(bad.stdout).toMatch(/2 scripts: 2 errors, no warnings\n$/);
  });

  it('prints a JSON array of diagnostics with ranges', async () => {
    const dir = folder({ 'bad.still': BAD });
    const result = await stillpoint(['check', '--format', 'json', 'bad.still'], { cwd: dir });
    expect(result.code).toBe(2);
    const diagnostics = JSON.parse(result.stdout);
    expect(diagnostics.map((d: { code: string }) => d.code)).toEqual(['type-mismatch', 'unknown-provider']);
    expect(diagnostics[0].range).toEqual({ file: 'bad.still', start: { line: 3, column: 18, offset: 47 }, end: { line: 3, column: 22, offset: 51 } });
  });

  it('gives one diagnostic for a file that does not exist, and exit 2 for an unknown format', async () => {
    const missing = await stillpoint(['check', '--format', 'json', 'nope.still'], { cwd: folder() });
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject([{ code: 'file-not-found', severity: 'error' }]);
    expect((await stillpoint(['check', '--format', 'xml', 'x.still'])).code).toBe(2);
  });

  it('loads no UI, FFI or database module', async () => {
    const dir = folder({ 'good.still': GOOD });
    const hook = join(dir, 'trace.mjs');
    writeFileSync(hook, "import { registerHooks } from 'node:module';\nregisterHooks({ resolve(specifier, context, next) { const r = next(specifier, context); if (/node_modules\\/(ink|react|koffi|pg)\\//.test(r.url)) process.stderr.write(`LOADED ${r.url}\\n`); return r; } });\n");
    const result = await stillpoint(['check', 'good.still'], { cwd: dir, nodeArgs: ['--import', hook] });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('LOADED');
    const planned = await stillpoint(['plan', '--json', 'good.still'], { cwd: dir, nodeArgs: ['--import', hook] });
    expect(planned.stderr).not.toContain('LOADED');
  });
});

describe('stillpoint plan', () => {
  it('prints the provider order, targets and secrets as ***', async () => {
    const dir = folder({ 'good.still': GOOD });
    const result = await stillpoint(['plan', 'good.still'], { cwd: dir, env: { PW: 'correct-horse' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('job web  (good.still:1:1)');
    expect(result.stdout).toMatch(/providers {4}1\. btrfs \(snapshots in \.stillpoint\)\n {15}2\. copy/);
    expect(result.stdout).toContain('restic /repo (password given)');
    expect(result.stdout + result.stderr).not.toContain('correct-horse');
  });

  it('--json prints the validated plan with the secret as {secret, shown}', async () => {
    const dir = folder({ 'good.still': GOOD });
    const result = await stillpoint(['plan', '--json', 'good.still'], { cwd: dir, env: { PW: 'correct-horse' } });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('correct-horse');
    const plan = JSON.parse(result.stdout);
    expect(plan.jobs[0].targets[0].password).toEqual({ secret: 's1', shown: '***' });
    expect(plan.script).toBe('good.still');
  });

  it('--job keeps one job; a script error exits 2 with the diagnostics on stderr', async () => {
    const dir = folder({ 'two.still': `${GOOD}job db {\n  volume "/srv/db"\n  provider copy\n  target tree "/b"\n}\n`, 'bad.still': BAD });
    const one = await stillpoint(['plan', '--json', '--job', 'db', 'two.still'], { cwd: dir });
    expect(JSON.parse(one.stdout).jobs.map((j: { name: string }) => j.name)).toEqual(['db']);
    const bad = await stillpoint(['plan', 'bad.still'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('bad.still:3:18: error: expected a duration');
  });
});
