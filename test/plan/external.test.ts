// Values from the environment and from files are never shown by check or plan (issue #13):
// a diagnostic or a plan names them by their expression; `plan --show-values` shows them.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stillpoint } from '../support/cli.ts';
import { linux } from '../support/requirements.ts';
import { brief, evalText, folder } from './helpers.ts';

const TOKEN = 'tok-9d8e7f6a5b';

describe('values from the environment', () => {
  it('`provider env("CI_TOKEN")` and `schedule env("CI_TOKEN")` name the value by its expression', async () => {
    const dir = folder({ 'main.still': 'job web {\n  volume "/srv"\n  provider env("CI_TOKEN")\n  schedule env("CI_TOKEN")\n  target tree "/b/${env("CI_TOKEN")}"\n}\n' });
    const result = await stillpoint(['check', 'main.still'], { cwd: dir, env: { CI_TOKEN: TOKEN } });
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(result.stdout).toContain('main.still:3:12: error: unknown provider the value of `env("CI_TOKEN")`');
    expect(result.stdout).toContain('main.still:4:12: error: the value of `env("CI_TOKEN")` is not a');
  });

  it('a value that merely contains the token is hidden too', async () => {
    const result = await evalText('job web {\n  volume "/srv"\n  provider "x-${env("CI_TOKEN")}"\n  target tree "/b"\n}\n', { env: { CI_TOKEN: TOKEN } });
    expect(result.diagnostics.map(brief)).toEqual(['error unknown-provider 3:12-3:34 unknown provider `x-${env("CI_TOKEN")}`']);
  });

  it('plan shows the expression unless --show-values', async () => {
    const dir = folder({ 'main.still': 'job web {\n  volume "/srv/${env("SITE")}"\n  provider copy\n  target tree path("/b", env("SITE"))\n}\n' });
    const env = { SITE: 'site-3b1f' };
    const text = await stillpoint(['plan', 'main.still'], { cwd: dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('site-3b1f');
    expect(text.stdout).toMatch(/volumes +\/srv\/\$\{env\("SITE"\)\}\n/);
    expect(text.stdout).toMatch(/targets +tree \/b\/\$\{env\("SITE"\)\}\n/);
    const json = await stillpoint(['plan', '--json', 'main.still'], { cwd: dir, env });
    expect(json.stdout).not.toContain('site-3b1f');
    expect(JSON.parse(json.stdout).jobs[0].volumes[0].path).toBe('/srv/${env("SITE")}');
    const shown = await stillpoint(['plan', '--show-values', 'main.still'], { cwd: dir, env });
    expect(shown.stdout).toMatch(/volumes +\/srv\/site-3b1f\n/);
  });
});

describe('values from files', () => {
  it('a file read by `file(...)` is never quoted', async () => {
    const result = await evalText('job web {\n  volume "/srv"\n  provider file("p.txt")\n  target tree "/b"\n}\n', { runTime: true }, { 'p.txt': `${TOKEN}\n` });
    expect(result.diagnostics.map(brief)).toEqual(['error run-time-value 3:12-3:25 a provider must be known before the job runs, but `file("p.txt")` is read only then']);
  });

  it.runIf(linux().ok && existsSync('/dev/zero'))('`file(...)` of a device, a FIFO or /proc is refused at once', async () => {
    const dir = folder();
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const result = await evalText('let b = file("/dev/zero")\nlet c = file("/proc/self/environ")\n', { env: { CI_TOKEN: TOKEN }, runTime: true });
    const fifo = await evalText(`let a = file("${join(dir, 'pipe')}")\n`, { runTime: true });
    expect(result.diagnostics.map(brief)).toEqual([
      'error file-unreadable 1:9-1:26 cannot read `/dev/zero`: it is under /proc, /sys or /dev, which are never read',
      'error file-unreadable 2:9-2:35 cannot read `/proc/self/environ`: it is under /proc, /sys or /dev, which are never read',
    ]);
    expect(fifo.diagnostics.map(brief)).toEqual([`error file-unreadable 1:9-1:${17 + join(dir, 'pipe').length} cannot read \`${join(dir, 'pipe')}\`: it is a FIFO`]);
  });
});
