// `pwsh { }` hooks through the real CLI: one session per run, shared by the run's blocks
// and never by two runs.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it, vi } from 'vitest';
import { describeWith } from '../support/requirements.ts';
import { pwsh, REPO, PWSH_TEST_TIMEOUT_MS } from '../support/pwsh.ts';

vi.setConfig({ testTimeout: PWSH_TEST_TIMEOUT_MS });

const run = promisify(execFile);

describeWith('pwsh hooks share one session per run', [pwsh()], () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-pwsh-hooks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a variable set in before-snapshot is visible in after-snapshot, and gone in the next run', async () => {
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data/file.txt'), 'x\n');
    const script = path.join(dir, 'hooks.still');
    writeFileSync(
      script,
      [
        'job "pwsh-state" {',
        `  volume "${dir}/data"`,
        '  provider copy',
        '  hook before-snapshot pwsh {',
        '    "before: marker=[$marker] stage=$env:STILLPOINT_STAGE"',
        '    $marker = "set by $env:STILLPOINT_RUN_ID"',
        '  }',
        '  hook after-snapshot pwsh {',
        '    "after: marker=[$marker] stage=$env:STILLPOINT_STAGE"',
        '  }',
        `  target tree "${dir}/backups"`,
        '}',
        '',
      ].join('\n'),
    );
    const lines = async () => {
      const { stdout } = await run(process.execPath, [path.join(REPO, 'bin/stillpoint.js'), 'run', script, '--json'], { cwd: REPO, env: { ...process.env, STILLPOINT_STATE_DIR: path.join(dir, 'state') } });
      const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; line?: string; runId: string });
      return { runId: events[0]!.runId, output: events.filter((e) => e.type === 'hook.output').map((e) => e.line) };
    };
    const first = await lines();
    expect(first.output).toEqual(['before: marker=[] stage=BEFORE_SNAPSHOT', `after: marker=[set by ${first.runId}] stage=AFTER_SNAPSHOT`]);
    const second = await lines();
    expect(second.output[0]).toBe('before: marker=[] stage=BEFORE_SNAPSHOT');
    expect(second.output[1]).toBe(`after: marker=[set by ${second.runId}] stage=AFTER_SNAPSHOT`);
  }, 180_000);

  it('a failing block fails the run, and its error names the line in the .still file', async () => {
    mkdirSync(path.join(dir, 'data2'));
    writeFileSync(path.join(dir, 'data2/file.txt'), 'x\n');
    const script = path.join(dir, 'failing.still');
    writeFileSync(
      script,
      ['job "pwsh-fails" {', `  volume "${dir}/data2"`, '  provider copy', '  hook before-backup pwsh {', '    "checking"', '    Write-Error "disk offline"', '  }', `  target tree "${dir}/backups2"`, '}', ''].join('\n'),
    );
    const failed = await run(process.execPath, [path.join(REPO, 'bin/stillpoint.js'), 'run', script, '--json'], {
      cwd: REPO,
      env: { ...process.env, STILLPOINT_STATE_DIR: path.join(dir, 'state'), TERM: 'xterm-256color' },
    }).catch((e: { code: number; stdout: string }) => e);
    expect('code' in failed && failed.code).toBe(1);
    const events = failed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; stream?: string; line?: string; status?: string });
    expect(events.filter((e) => e.type === 'hook.output').map((e) => `${e.stream}:${e.line}`)).toEqual(['stdout:checking', `stderr:${script}:6: disk offline`]);
    expect(events.find((e) => e.type === 'hook.finished')).toMatchObject({ status: 'failed', exitCode: 1 });
  }, 180_000);
});
