// What the engine tells the vss provider, through `stillpoint run`'s own code (runCommand,
// in this process, because the ABI test double's journal of VSS calls lives in the process
// that loaded it): the job's backup type and previous stamp, writer states as writer.state
// events, and BackupComplete after a successful copy (AbortBackup after a failed one).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { runCommand, type RunIo } from '../../src/cli/run-command.ts';
import type { StillpointEvent } from '../../src/events/types.ts';
import { command, describeWith, linux } from '../support/requirements.ts';
import { buildDouble, doubleSide, mingwHeaders, useDouble } from '../providers/vss/double.ts';

let env: Awaited<ReturnType<typeof useDouble>> | undefined;

afterEach(async () => {
  await env?.dispose();
  env = undefined;
});

async function run(body: string): Promise<{ code: number; events: StillpointEvent[]; calls: string[] }> {
  const file = join(env!.root, 'job.still');
  writeFileSync(file, `job "documents" {\n  volume "${join(env!.root, 'data')}"\n  provider vss { timeout 30s }\n  target tree "${join(env!.root, 'backups')}"\n${body}}\n`);
  let out = '';
  const stdout = new Writable({ write: (chunk, _encoding, done) => ((out += chunk), done()) });
  const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
  doubleSide().reset();
  const code = await runCommand(file, { json: true }, { stdout, stderr, stdin: process.stdin } as unknown as RunIo);
  const events = out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as StillpointEvent);
  return { code, events, calls: doubleSide().journal().trim().split('\n') };
}

describeWith('the engine drives the vss provider (ABI test double)', [linux(), command('gcc', 'apt-get install gcc'), mingwHeaders()], () => {
  beforeAll(() => buildDouble(), 120_000);

  async function setUp(writers: Array<[string, 'stable' | 'freeze-fail']>): Promise<void> {
    env = await useDouble({ asyncMs: 10, writers });
    mkdirSync(join(env.root, 'data'), { recursive: true });
    writeFileSync(join(env.root, 'data', 'ledger.txt'), 'ledger\n');
  }

  it('a successful run calls SetBackupSucceeded and BackupComplete before releasing the set, and reports writer states', async () => {
    await setUp([['Stable Writer', 'stable']]);
    const { code, events, calls } = await run('');
    expect(code).toBe(0);
    const at = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
    expect(at('SetBackupSucceeded')).toBeGreaterThan(at('DoSnapshotSet'));
    expect(calls[at('SetBackupSucceeded')]).toMatch(/ 1$/);
    expect(at('BackupComplete')).toBeGreaterThan(at('SetBackupSucceeded'));
    expect(at('DeleteSnapshots')).toBeGreaterThan(at('BackupComplete'));
    expect(calls.at(-1)).toBe('Release IVssBackupComponents');
    expect(calls).not.toContain('AbortBackup');
    expect(calls.some((c) => c.includes('BAD_STATE'))).toBe(false);
    // The job's default backup type, full, is VSS_BT_FULL (1).
    expect(calls).toContainEqual(expect.stringMatching(/^SetBackupState .* type=1 /));
    const states = events.filter((e) => e.type === 'writer.state' && e.kind === 'vss');
    expect(states).toContainEqual(expect.objectContaining({ job: 'documents', writer: 'Stable Writer', state: 'thawed', step: 'after-snapshot' }));
    // BackupComplete comes in stage 7, before release.
    const stage = (name: string) => events.findIndex((e) => e.type === 'stage.finished' && e.stage === name);
    expect(events[stage('backup-complete')]).toMatchObject({ status: 'succeeded' });
    expect(stage('backup-complete')).toBeLessThan(stage('release'));
  });

  it('an incremental run gives VSS its backup type and the stamp of the run before it', async () => {
    await setUp([['Stable Writer', 'stable']]);
    const first = await run('');
    expect(first.code).toBe(0);
    const second = await run('  backup-type incremental\n');
    expect(second.code).toBe(0);
    // VSS_BT_INCREMENTAL is 2; the stamp is the first run's.
    expect(second.calls).toContainEqual(expect.stringMatching(/^SetBackupState .* type=2 /));
    const stamp = second.calls.find((c) => c.startsWith('SetPreviousBackupStamp'));
    expect(stamp).toContain(first.events[0].runId);
  });

  it('a run that fails before the copy never calls BackupComplete: the set is aborted, and a failed writer is a writer.state event', async () => {
    await setUp([['Stable Writer', 'stable'], ['Flaky Writer', 'freeze-fail']]);
    const { code, events, calls } = await run('  hook after-snapshot sh { exit 5 }\n');
    expect(code).toBe(1);
    expect(calls.some((c) => c.startsWith('BackupComplete'))).toBe(false);
    expect(calls).toContain('AbortBackup');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'writer.state', writer: 'Flaky Writer', state: 'failed', error: 'FAILED_AT_FREEZE: VSS_E_WRITERERROR_RETRYABLE' }),
    );
  });
});
