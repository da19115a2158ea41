import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { StillpointEventBody } from '../../src/events/types.ts';
import { processState } from '../../src/base/proc-stat.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { HookFailure, runHooks } from '../../src/engine/hooks.ts';
import { pwsh, PWSH_TEST_TIMEOUT_MS } from '../support/pwsh.ts';
import { describeWith } from '../support/requirements.ts';
import { hook, hookContext as context } from './support/hooks.ts';

const dir = mkdtempSync(join(tmpdir(), 'sp-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const output = (events: StillpointEventBody[]) =>
  events.flatMap((e) => (e.type === 'hook.output' ? [`${e.stream}:${e.line}`] : []));
const finishedStatuses = (events: StillpointEventBody[]) =>
  events.flatMap((e) => (e.type === 'hook.finished' ? [e.status] : []));

function isRunning(pid: number): boolean {
  const state = processState(pid);
  return state !== undefined && state !== 'Z';
}

describe('runHooks', () => {
  it('gives sh hooks the §7 environment and streams their output into events', async () => {
    const { ctx, events } = context('after-snapshot', { snapshotPaths: ['/snap/a', '/snap/b'], setId: 'set-1' });
    await runHooks(
      [hook('after-snapshot', [{ kind: 'sh', code: 'echo "$STILLPOINT_RUN_ID $STILLPOINT_JOB $STILLPOINT_STAGE"; echo "$STILLPOINT_VOLUMES|$STILLPOINT_VOLUME_IDS|$STILLPOINT_SNAPSHOT_PATHS"; echo oops >&2' }])],
      ctx,
    );
    expect(output(events)).toEqual([
      'stdout:run-42 ledger AFTER_SNAPSHOT',
      'stdout:/srv/ledger,/srv/media|uuid-1,uuid-2|/snap/a,/snap/b',
      'stderr:oops',
    ]);
    const started = events.find((e) => e.type === 'hook.started');
    expect(started).toMatchObject({ stage: 'after-snapshot', action: 'sh', setId: 'set-1', origin: 'nightly.still:7:3' });
    expect(events.at(-1)).toMatchObject({ type: 'hook.finished', status: 'succeeded', exitCode: 0 });
  });

  it('gives the R-Drive Image variables with hook-env r-drive', async () => {
    const { ctx, events } = context('before-snapshot', { hookEnv: 'r-drive' });
    await runHooks([hook('before-snapshot', [{ kind: 'sh', code: 'echo "$R_CALLBACK_UID $R_CALLBACK_STAGE $R_VOLUME_NAMES $R_VOLUME_GUIDS"' }])], ctx);
    expect(output(events)).toEqual(['stdout:run-42 BEFORE_SNAPSHOT /srv/ledger,/srv/media uuid-1,uuid-2']);
  });

  it('expands snapshot_paths in run argv to one argument per path, without a shell', async () => {
    const { ctx, events } = context('after-snapshot', { snapshotPaths: ['/snap/with space', '/snap/$b'] });
    await runHooks([hook('after-snapshot', [{ kind: 'run', argv: ['printf', '[%s]\\n', 'first', { snapshotPaths: true }, 'last'] }])], ctx);
    expect(output(events)).toEqual(['stdout:[first]', 'stdout:[/snap/with space]', 'stdout:[/snap/$b]', 'stdout:[last]']);
  });

  it('refuses snapshot_paths before the snapshot exists', async () => {
    const { ctx } = context('before-snapshot');
    await expect(runHooks([hook('before-snapshot', [{ kind: 'run', argv: ['echo', { snapshotPaths: true }] }])], ctx)).rejects.toThrow(
      /snapshot_paths has no value in before-snapshot/,
    );
  });

  it('applies cwd and env, revealing secret env values only to the child', async () => {
    const secrets = new SecretStore();
    const password = secrets.add('s3cr3t-pw');
    const { ctx, events } = context('before-backup', { secrets });
    const file = join(dir, 'env-seen');
    await runHooks(
      [hook('before-backup', [{ kind: 'sh', code: `pwd; echo "$MODE"; printf %s "$PGPASSWORD" > ${file}; echo "$PGPASSWORD"` }], { cwd: dir, env: { MODE: 'fast', PGPASSWORD: password } })],
      ctx,
    );
    expect(output(events)).toEqual([`stdout:${dir}`, 'stdout:fast', 'stdout:***']);
    expect(readFileSync(file, 'utf8')).toBe('s3cr3t-pw');
  });

  it('fails the job on a non-zero exit with stage, origin and exit code, and stops there', async () => {
    const { ctx, events } = context('before-backup');
    const marker = join(dir, 'not-reached');
    const error = await runHooks(
      [hook('before-backup', [{ kind: 'sh', code: 'exit 7' }, { kind: 'sh', code: `touch ${marker}` }]), hook('before-backup', [{ kind: 'sh', code: `touch ${marker}` }])],
      ctx,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookFailure);
    expect(error).toMatchObject({ stage: 'before-backup', origin: 'nightly.still:7:3', exitCode: 7 });
    expect((error as Error).message).toMatch(/before-backup hook at nightly.still:7:3 \(sh\) exited with code 7/);
    expect(finishedStatuses(events)).toEqual(['failed']);
    expect(existsSync(marker)).toBe(false);
  });

  it('goes on after an allowed failure, reporting it as allowed-failure', async () => {
    const { ctx, events } = context('before-backup');
    await runHooks([hook('before-backup', [{ kind: 'sh', code: 'exit 3' }], { allowFailure: true }), hook('before-backup', [{ kind: 'sh', code: 'echo next' }])], ctx);
    expect(finishedStatuses(events)).toEqual(['allowed-failure', 'succeeded']);
    expect(output(events)).toEqual(['stdout:next']);
    expect(events.some((e) => e.type === 'warning')).toBe(false);
  });

  it('only reports failures in after-backup and on-error, with a warning', async () => {
    for (const stage of ['after-backup', 'on-error'] as const) {
      const { ctx, events } = context(stage, { status: 'failed', error: 'boom' });
      await runHooks([hook(stage, [{ kind: 'sh', code: 'echo "$STILLPOINT_STATUS"; exit 1' }]), hook(stage, [{ kind: 'sh', code: 'echo second' }])], ctx);
      expect(finishedStatuses(events)).toEqual(['allowed-failure', 'succeeded']);
      expect(output(events)).toEqual(['stdout:failed', 'stdout:second']);
      expect(events.find((e) => e.type === 'warning')).toMatchObject({ message: expect.stringMatching(new RegExp(`${stage} hook .* exited with code 1`)) });
    }
  });

  it('kills a hanging hook and its grandchild at the hook timeout', async () => {
    const pidFile = join(dir, 'hook-grandchild.pid');
    const { ctx, events } = context('before-snapshot');
    const started = performance.now();
    const error = await runHooks([hook('before-snapshot', [{ kind: 'sh', code: `sleep 60 & echo $! > ${pidFile}; wait` }], { timeoutMs: 300 })], ctx).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(HookFailure);
    expect((error as Error).message).toMatch(/timed out after 300 ms/);
    expect(finishedStatuses(events)).toEqual(['timed-out']);
    await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('stops a hook that goes quiet at its stall-timeout, long before its timeout, and reports it as stalled', async () => {
    const pidFile = join(dir, 'stalled-grandchild.pid');
    const { ctx, events } = context('before-snapshot');
    const started = performance.now();
    const code = `echo started; sleep 60 & echo $! > ${pidFile}; wait`;
    const error = await runHooks([hook('before-snapshot', [{ kind: 'sh', code }], { timeoutMs: 60_000, stallTimeoutMs: 400 })], ctx).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(HookFailure);
    expect((error as Error).message).toMatch(/before-snapshot hook at nightly\.still:7:3 \(sh\) made no progress for 400ms \(stall-timeout\) and was stopped with its child processes/);
    expect(finishedStatuses(events)).toEqual(['stalled']);
    await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('says clearly that cmd { } needs cmd.exe off Windows, and that a program is missing', async () => {
    const { ctx } = context('before-backup');
    await expect(runHooks([hook('before-backup', [{ kind: 'cmd', code: 'echo hi' }])], ctx)).rejects.toThrow(/cmd \{ \} needs cmd\.exe, which exists only on Windows/);
    await expect(runHooks([hook('before-backup', [{ kind: 'run', argv: ['no-such-tool-sp'] }])], ctx)).rejects.toThrow(/no-such-tool-sp was not found/);
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    const { ctx } = context('before-backup', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('run cancelled')), 200);
    await expect(runHooks([hook('before-backup', [{ kind: 'sh', code: 'sleep 30' }])], ctx)).rejects.toThrow(/run cancelled/);
  });
});

describeWith('runHooks with pwsh { }', [pwsh()], () => {
  vi.setConfig({ testTimeout: PWSH_TEST_TIMEOUT_MS });
  it('runs a PowerShell block with the hook environment and its exit code', async () => {
    const { ctx, events } = context('before-backup');
    const error = await runHooks([hook('before-backup', [{ kind: 'pwsh', code: '"job=$env:STILLPOINT_JOB"\nif ($true) {\n  exit 5\n}' }])], ctx).catch((e: unknown) => e);
    expect(output(events)).toContain('stdout:job=ledger');
    expect(error).toMatchObject({ exitCode: 5 });
  });

  it('says where in the .still file a block failed', async () => {
    const { ctx, events } = context('before-backup');
    const failing = hook('before-backup', [{ kind: 'pwsh', code: '"stopping"\nthrow "service did not stop"', line: 40 }], { origin: '/etc/stillpoint/nightly.still:39:3' });
    await expect(runHooks([failing], ctx)).rejects.toMatchObject({ exitCode: 1 });
    expect(output(events)).toEqual(['stdout:stopping', 'stderr:/etc/stillpoint/nightly.still:41: service did not stop']);
  });
});
