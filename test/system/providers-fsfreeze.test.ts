// The fsfreeze provider and its watchdog on a real XFS filesystem on a loop device. The test
// process itself never writes to the filesystem while it may be frozen: writes go through a
// child process whose completion is awaited with a timeout, so a frozen filesystem cannot hang
// the test. The loop filesystem is always thawed (fsfreeze --unfreeze) before it is unmounted.

import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { fsfreezeProvider } from '../../src/providers/fsfreeze.ts';
import { resolveVolume } from '../../src/providers/volume-info.ts';
import type { HookPlan, ProviderPlan } from '../../src/plan/types.ts';
import type { VolumeInfo } from '../../src/providers/provider.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { snapshotContext } from '../providers/support/context.ts';
import { startHolder } from '../providers/support/holder.ts';

const options: ProviderPlan = { name: 'fsfreeze', origin: 'test.still:3:3' };

/** A write in a child process; `done` settles when it completed (true) or failed (false). */
function startWrite(path: string): { done: Promise<boolean>; finishedWithin(ms: number): Promise<boolean> } {
  const child = spawn('sh', ['-c', 'printf x > "$1" && sync "$1"', 'sh', path], { stdio: 'ignore' });
  const done = new Promise<boolean>((resolve) => child.once('exit', (code) => resolve(code === 0)));
  return {
    done,
    finishedWithin: (ms) => Promise.race([done.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]),
  };
}

/** How long, from now, until a write to `path` completes (at most `limitMs`, else Infinity). */
async function msUntilWritable(pending: ReturnType<typeof startWrite>, limitMs: number): Promise<number> {
  const started = performance.now();
  return (await pending.finishedWithin(limitMs)) ? performance.now() - started : Infinity;
}

describeWith('fsfreeze provider and watchdog on a loop device', [linux(), root(), command('mkfs.xfs'), command('losetup'), command('fsfreeze')], () => {
  let fs: LoopFilesystem;
  let volume: VolumeInfo;

  beforeAll(async () => {
    fs = createLoopFilesystem('xfs');
    volume = await resolveVolume(fs.mountPoint, 'data');
  });
  afterAll(() => fs?.destroy());

  it('is available for XFS and says why not for the root filesystem and for tmpfs', async () => {
    expect(volume.fsType).toBe('xfs');
    expect(await fsfreezeProvider.probe(volume, options)).toEqual({ available: true });
    const rootFs = await fsfreezeProvider.probe(await resolveVolume('/'), options);
    expect(!rootFs.available && rootFs.reason).toMatch(/root filesystem/);
    const shm = await fsfreezeProvider.probe(await resolveVolume('/dev/shm'), options);
    expect(!shm.available && shm.reason).toMatch(/tmpfs, which cannot be frozen/);
  });

  it('runs the during-freeze hooks while the filesystem is frozen, then thaws it', async () => {
    const hooks: HookPlan[] = [{ stage: 'during-freeze', actions: [{ kind: 'sh', code: 'true' }], timeoutMs: 1000, stallTimeoutMs: 1000, allowFailure: false, env: {}, origin: 'x' }];
    let received: HookPlan[] | undefined;
    let writeDuringFreeze: ReturnType<typeof startWrite> | undefined;
    let completedWhileFrozen: boolean | undefined;
    const set = await fsfreezeProvider.createSnapshotSet(
      [volume],
      options,
      snapshotContext({
        duringFreezeHooks: hooks,
        runDuringFreezeHooks: async (given) => {
          received = given;
          writeDuringFreeze = startWrite(join(fs.mountPoint, 'during-freeze'));
          completedWhileFrozen = await writeDuringFreeze.finishedWithin(400);
        },
      }),
    );
    expect(received).toBe(hooks);
    expect(completedWhileFrozen).toBe(false);
    expect(await writeDuringFreeze!.finishedWithin(5000)).toBe(true);
    expect(await writeDuringFreeze!.done).toBe(true);
    expect(set.snapshots).toEqual([{ volume: 'data', volumeId: volume.volumeId, snapshotPath: fs.mountPoint }]);
    await set.release();
  });

  it('thaws and fails the set when the hooks outlive freeze-timeout', async () => {
    let frozenAt = 0;
    const hang = () => {
      frozenAt = performance.now();
      return new Promise<void>(() => {});
    };
    await expect(fsfreezeProvider.createSnapshotSet([volume], options, snapshotContext({ freezeTimeoutMs: 800, runDuringFreezeHooks: hang }))).rejects.toThrow(
      /did not finish within freeze-timeout/,
    );
    expect(performance.now() - frozenAt).toBeLessThan(800 + 1000);
    expect(await startWrite(join(fs.mountPoint, 'after-timeout')).finishedWithin(3000)).toBe(true);
  });

  it('thaws and passes the error on when a hook fails or the run is cancelled', async () => {
    await expect(
      fsfreezeProvider.createSnapshotSet([volume], options, snapshotContext({ runDuringFreezeHooks: async () => Promise.reject(new Error('cloud snapshot refused')) })),
    ).rejects.toThrow('cloud snapshot refused');
    expect(await startWrite(join(fs.mountPoint, 'after-failure')).finishedWithin(3000)).toBe(true);

    const cancel = new AbortController();
    const creating = fsfreezeProvider.createSnapshotSet(
      [volume],
      options,
      snapshotContext({ signal: cancel.signal, runDuringFreezeHooks: () => (cancel.abort(new Error('cancelled by SIGINT')), new Promise(() => {})) }),
    );
    await expect(creating).rejects.toThrow('cancelled by SIGINT');
    expect(await startWrite(join(fs.mountPoint, 'after-cancel')).finishedWithin(3000)).toBe(true);
  });

  it('refuses a filesystem someone else froze, and leaves that freeze alone', async () => {
    execFileSync('fsfreeze', ['--freeze', fs.mountPoint]);
    try {
      await expect(fsfreezeProvider.createSnapshotSet([volume], options, snapshotContext())).rejects.toThrow(
        `${fs.mountPoint} is already frozen by someone else`,
      );
      expect(await startWrite(join(fs.mountPoint, 'still-frozen')).finishedWithin(300)).toBe(false);
    } finally {
      execFileSync('fsfreeze', ['--unfreeze', fs.mountPoint]);
    }
  });

  it('is thawed by the watchdog within freeze-timeout + 2 s when Stillpoint is killed with SIGKILL mid-freeze', async () => {
    const freezeTimeoutMs = 10_000;
    const holder = startHolder({ provider: 'fsfreeze', volumes: [volume], options, job: 'nightly', runId: 'killed', freezeTimeoutMs, during: 'wait' });
    try {
      await holder.waitFor('frozen');
      const pending = startWrite(join(fs.mountPoint, 'after-kill'));
      expect(await pending.finishedWithin(300)).toBe(false);
      await holder.kill();
      const ms = await msUntilWritable(pending, freezeTimeoutMs + 2000);
      expect(ms).toBeLessThan(freezeTimeoutMs + 2000);
      // Not by the deadline: the watchdog saw its lifeline close.
      expect(ms).toBeLessThan(2000);
    } finally {
      await holder.kill();
    }
  });

  it('is thawed by the watchdog at freeze-timeout when Stillpoint hangs while frozen', async () => {
    const freezeTimeoutMs = 1500;
    const holder = startHolder({ provider: 'fsfreeze', volumes: [volume], options, job: 'nightly', runId: 'hung', freezeTimeoutMs, during: 'block' });
    try {
      await holder.waitFor('frozen');
      const frozenAt = performance.now();
      const pending = startWrite(join(fs.mountPoint, 'after-hang'));
      expect(await pending.finishedWithin(freezeTimeoutMs + 2000)).toBe(true);
      const frozenForMs = performance.now() - frozenAt;
      expect(frozenForMs).toBeLessThan(freezeTimeoutMs + 2000);
      expect(frozenForMs).toBeGreaterThan(freezeTimeoutMs / 2);
      expect(holder.child.exitCode).toBeNull();
    } finally {
      await holder.kill();
    }
  });
});
