// `stillpoint run` as a user runs it: a child process, a real script, the copy provider and
// the tree target; SIGINT/SIGTERM in the middle of the copy; exit codes 0, 1, 2, 3.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import schema from '../../src/events/events.schema.json' with { type: 'json' };
import { listSnapshots } from '../../src/targets/tree/layout.ts';
import { startCli } from './support/cli.ts';

const validate = new Ajv2020({ strict: true }).compile(schema);

let dir: string;
let volume: string;
let backups: string;
let hookLog: string;
let env: Record<string, string>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-cli-run-'));
  volume = join(dir, 'volume');
  backups = join(dir, 'backups');
  hookLog = join(dir, 'hooks.log');
  env = { STILLPOINT_STATE_DIR: join(dir, 'state') };
  await mkdir(join(volume, 'docs'), { recursive: true });
  await writeFile(join(volume, 'docs', 'a.txt'), 'alpha\n');
  await writeFile(join(volume, 'b.bin'), Buffer.alloc(70_000, 7));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(body: string): Promise<string> {
  const file = join(dir, 'backup.still');
  await writeFile(
    file,
    `job "cli" {
  volume '${volume}'
  provider copy { retries 1  retry-delay 100ms }
  hook after-backup sh { echo "AFTER $STILLPOINT_STATUS" >> '${hookLog}' }
  hook on-error sh { echo "ERROR $STILLPOINT_ERROR" >> '${hookLog}' }
${body}
}
`,
  );
  return file;
}

async function hookLines(): Promise<string[]> {
  return (await readFile(hookLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

describe('stillpoint run', () => {
  it('backs up, prints valid NDJSON events, exits 0, and the backup restores byte for byte', async () => {
    const file = await script(`  target tree '${backups}'`);
    const { code, events, stderr } = await startCli(['run', file, '--json'], env).done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const event of events) expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', exitCode: 0 });

    const restored = join(dir, 'restored');
    const restore = await startCli(['restore', backups, '--to', restored], env).done;
    expect(restore.code, restore.stderr).toBe(0);
    const files = await readdir(restored, { recursive: true });
    const copy = files.find((f) => f.endsWith('b.bin'))!;
    expect(await readFile(join(restored, copy))).toEqual(await readFile(join(volume, 'b.bin')));
    expect(await hookLines()).toEqual(['AFTER succeeded']);
  });

  it('--report writes the run report; a report name it cannot tell the format of is a usage error', async () => {
    const file = await script(`  target tree '${backups}'`);
    const report = join(dir, 'report.json');
    const { code, events } = await startCli(['run', file, '--json', '--report', report], env).done;
    expect(code).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', reportPath: report });
    const runId = events[0].runId;
    expect(JSON.parse(await readFile(report, 'utf8'))).toMatchObject({ runId, state: 'succeeded', exitCode: 0, jobNames: ['cli'] });
    const bad = await startCli(['run', file, '--json', '--report', join(dir, 'report.txt')], env).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/name the report file with \.json/);
    const unwritable = await startCli(['run', file, '--json', '--report', join(dir, 'no-such-folder', 'report.json')], env).done;
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain(`the report could not be written to ${join(dir, 'no-such-folder', 'report.json')}`);
    expect(await hookLines()).toEqual(['AFTER succeeded', 'AFTER succeeded']);
  });

  it('a script error prints the diagnostic and exits 2 with nothing run', async () => {
    const file = await script(`  target tree '${backups}'\n  providr copy`);
    const { code, stdout, stderr } = await startCli(['run', file, '--json'], env).done;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/providr/);
    expect(await hookLines()).toEqual([]);
    await expect(readdir(env.STILLPOINT_STATE_DIR)).rejects.toThrow();
  });

  it('--dry-run runs no hook and copies nothing', async () => {
    const file = await script(`  target tree '${backups}'`);
    const { code, events } = await startCli(['run', file, '--dry-run', '--json'], env).done;
    expect(code).toBe(0);
    expect(events.some((e) => e.type === 'dry-run.step' && e.stage === 'copy')).toBe(true);
    expect(await hookLines()).toEqual([]);
    await expect(readdir(backups)).rejects.toThrow();
  });

  it('exits 3 (partial) when the copy provider leaves out a file that keeps changing', async () => {
    const busy = join(volume, 'busy.log');
    // Large enough that reading it takes a while, so appends land during every read.
    await writeFile(busy, Buffer.alloc(64 * 1024 * 1024, 'x'));
    // A writer that appends to the file all the time, as a live log does.
    const appender = spawn('sh', ['-c', `while :; do echo line >> '${busy}'; done`], { stdio: 'ignore' });
    try {
      const file = await script(`  target tree '${backups}'`);
      const { code, events } = await startCli(['run', file, '--json'], env).done;
      expect(code).toBe(3);
      expect(events).toContainEqual(expect.objectContaining({ type: 'file.skipped', reason: 'changed-during-copy' }));
      expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'partial', exitCode: 3 });
      expect(await hookLines()).toEqual(['AFTER partial']);
    } finally {
      appender.kill('SIGKILL');
    }
  });

  it('SIGINT while a writer is frozen: the writer is thawed at once and the run ends cancelled', async () => {
    const writerLog = join(dir, 'writer.log');
    const file = await script(`  target tree '${backups}'
  writer "app" command {
    freeze "echo freezing >> '${writerLog}'; sleep 30"
    thaw "echo thawed >> '${writerLog}'"
    timeout 60s
  }
  freeze-timeout 50s`);
    const run = startCli(['run', file, '--json'], env);
    await run.waitFor((e) => e.type === 'freeze.started');
    // freeze.started comes as the writer's freeze command starts: wait until it is really frozen.
    await vi.waitFor(async () => expect(await readFile(writerLog, 'utf8').catch(() => '')).toContain('freezing'), { timeout: 15_000, interval: 50 });
    const signalled = performance.now();
    run.child.kill('SIGINT');
    const { code, events } = await run.done;
    expect(performance.now() - signalled).toBeLessThan(15_000);
    expect(code).toBe(1);
    expect((await readFile(writerLog, 'utf8')).trim().split('\n')).toEqual(['freezing', 'thawed']);
    expect(events.find((e) => e.type === 'freeze.ended')).toMatchObject({ timedOut: false });
    expect(events.find((e) => e.type === 'job.finished')).toMatchObject({ status: 'cancelled', failedStage: 'snapshot' });
    expect((await listSnapshots(backups)).complete).toEqual([]);
  });

  it('a third SIGINT stops a cleanup that hangs', async () => {
    for (let i = 0; i < 400; i++) await writeFile(join(volume, `big-${i}.bin`), Buffer.alloc(512 * 1024, i));
    const file = await script(`  target tree '${backups}'\n  hook after-backup sh { echo hanging >> '${hookLog}'; sleep 4 }`);
    const run = startCli(['run', file, '--json'], env);
    await run.waitFor((e) => e.type === 'copy.progress');
    run.child.kill('SIGINT');
    await run.waitFor((e) => e.type === 'hook.started' && e.stage === 'after-backup');
    // Apart, as a person presses Ctrl-C: two signals sent at once may arrive as one.
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill('SIGINT');
    const stopped = performance.now();
    const { code, stderr } = await run.done;
    expect(performance.now() - stopped).toBeLessThan(2500);
    expect(code).toBe(1);
    expect(stderr).toContain('stopping before the cleanup finished: run `stillpoint cleanup`');
    expect((await listSnapshots(backups)).complete).toEqual([]);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during the copy: exits non-zero, leaves no complete-looking snapshot, releases and runs after-backup`, async () => {
      // Enough data that the copy is still going when the signal arrives.
      for (let i = 0; i < 400; i++) await writeFile(join(volume, `big-${i}.bin`), Buffer.alloc(512 * 1024, i));
      const file = await script(`  target tree '${backups}'`);
      const run = startCli(['run', file, '--json'], env);
      await run.waitFor((e) => e.type === 'copy.progress');
      run.child.kill(signal);
      // A second signal does not skip the cleanup.
      setTimeout(() => run.child.kill(signal), 50);
      const { code, events } = await run.done;
      expect(code).toBe(1);
      const finished = events.find((e) => e.type === 'job.finished');
      expect(finished).toMatchObject({ status: 'cancelled', failedStage: 'copy', error: `cancelled by ${signal}` });
      expect(events.some((e) => e.type === 'snapshot-set.released' && !('error' in e && e.error))).toBe(true);
      expect((await listSnapshots(backups)).complete).toEqual([]);
      expect(await hookLines()).toEqual(['AFTER failed', `ERROR cancelled by ${signal}`]);
      expect(await readdir(join(env.STILLPOINT_STATE_DIR, 'snapshot-sets')).catch(() => [])).toEqual([]);
    });
  }
});
