// check, plan and the language server never look at a file that `file(...)` or `exists(...)`
// names (SECURITY.md, issue #13), proven on the system calls of the real process: strace
// records every call that takes a file name. `run` (here --dry-run) still reads them.

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { folder } from '../plan/helpers.ts';
import { BIN } from '../support/cli.ts';
import { command, describeWith, linux } from '../support/requirements.ts';
import { lspStdioSession } from '../lsp/stdio-session.ts';

interface Traced {
  code: number | null;
  stdout: string;
  /** The file-name system calls of the process and its children, one a line. */
  calls: string;
}

function traced(dir: string, args: string[]): Promise<Traced> {
  const log = join(dir, `strace-${args[0]}.log`);
  return new Promise((resolve) => {
    execFile('strace', ['-f', '-qq', '-e', 'trace=%file', '-o', log, process.execPath, BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, calls: readFileSync(log, 'utf8') });
    });
  });
}

function scene() {
  const dir = folder();
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  mkdirSync(join(dir, 'srv'));
  writeFileSync(join(outside, 'pw.txt'), 'pw-5e1d\n');
  writeFileSync(join(outside, 'flag'), '');
  const script = [
    'job web {',
    `  volume "${join(dir, 'srv')}"`,
    '  provider copy',
    `  target restic "${join(dir, 'repo')}" { password secret(file("${join(outside, 'pw.txt')}")) }`,
    `  target exec "/bin/true" { args "--host", file("/etc/hostname") }`,
    `  if exists("${join(outside, 'flag')}") { exclude "cache" }`,
    '}',
    '',
  ].join('\n');
  mkdirSync(join(dir, 'tree'));
  writeFileSync(join(dir, 'tree/main.still'), script);
  return { dir, outside, script };
}

describeWith('file() and exists() while a script is only read', [linux(), command('strace')], () => {
  it('check and plan never open, stat or access the files they name', async () => {
    const { dir, outside } = scene();
    for (const args of [['check', 'tree/main.still'], ['plan', 'tree/main.still']]) {
      const result = await traced(dir, args);
      expect(result.code, result.stdout).toBe(0);
      expect(result.calls).toContain('tree/main.still'); // strace did record the script being read
      expect(result.calls).not.toContain(outside);
      expect(result.calls).not.toContain('/etc/hostname');
    }
    const plan = await traced(dir, ['plan', 'tree/main.still']);
    expect(plan.stdout).toContain('exec /bin/true --host "${file(\\"/etc/hostname\\")}"');
    expect(plan.stdout).toContain('exclude cache');
    expect(plan.stdout).toMatch(/\nshown as if these conditions held; they are known only when the job runs, and run decides:\n {2}tree\/main\.still:6:6 {2}exists\("\//);
  });

  it('the language server neither', async () => {
    const { dir, outside, script } = scene();
    const log = join(dir, 'strace-lsp.log');
    const session = await lspStdioSession('strace', ['-f', '-qq', '-e', 'trace=%file', '-o', log, process.execPath, BIN, 'lsp', '--stdio'], script);
    expect(session.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const calls = readFileSync(log, 'utf8');
    expect(calls).toContain(BIN);
    expect(calls).not.toContain(outside);
    expect(calls).not.toContain('/etc/hostname');
  });

  it('run reads them', async () => {
    const { dir, outside } = scene();
    const result = await traced(dir, ['run', '--dry-run', '--plain', 'tree/main.still']);
    expect(result.code, result.stdout).toBe(0);
    expect(result.calls).toMatch(new RegExp(`openat\\(AT_FDCWD, "${outside}/pw.txt"`));
    expect(result.calls).toMatch(/openat\(AT_FDCWD, "\/etc\/hostname"/);
    expect(result.calls).toContain(`"${outside}/flag"`);
  });
});
