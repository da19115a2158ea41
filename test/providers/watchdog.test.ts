// The watchdog process with the release actions that need no root: SIGCONT to stopped processes
// (real processes, stopped for real) and a cgroup freeze file (a plain file standing in for
// cgroup.freeze: writing it is all the action does; the cgroup freezer itself is the `process`
// writer's test). Thawing a filesystem is in test/system/providers-fsfreeze.test.ts.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeWith, linux } from '../support/requirements.ts';
import { startWatchdog } from '../../src/providers/watchdog.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A real process, stopped with SIGSTOP. */
function stoppedProcess(): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  process.kill(child.pid!, 'SIGSTOP');
  return child.pid!;
}

/** The process state letter from /proc: "T" is stopped. */
function stateOf(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describeWith('watchdog process', [linux()], () => {
  it('releases by itself at the deadline and reports what it did', async () => {
    const pid = stoppedProcess();
    await until(() => stateOf(pid) === 'T', 2000);
    const started = performance.now();
    const watchdog = await startWatchdog([{ kind: 'sigcont', pids: [pid] }], 300);
    const release = await watchdog.released;
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(release).toEqual({ reason: 'deadline', results: [{ action: { kind: 'sigcont', pids: [pid] }, outcome: 'continued' }] });
    expect(await until(() => stateOf(pid) !== 'T', 2000)).toBe(true);
  });

  it('does nothing once disarmed', async () => {
    const pid = stoppedProcess();
    await until(() => stateOf(pid) === 'T', 2000);
    const watchdog = await startWatchdog([{ kind: 'sigcont', pids: [pid] }], 1500);
    await watchdog.disarm();
    await watchdog.disarm();
    expect(await watchdog.released).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(stateOf(pid)).toBe('T');
  });

  it('releases at once when the scope that holds it ends without disarming', async () => {
    const pid = stoppedProcess();
    await until(() => stateOf(pid) === 'T', 2000);
    let watchdogPid = 0;
    await expect(
      (async () => {
        await using watchdog = await startWatchdog([{ kind: 'sigcont', pids: [pid] }], 60_000);
        watchdogPid = watchdog.pid;
        throw new Error('the snapshot failed');
      })(),
    ).rejects.toThrow('the snapshot failed');
    expect(stateOf(pid)).not.toBe('T');
    expect(() => process.kill(watchdogPid, 0)).toThrow();
  });

  it('releases when the process that started it is killed with SIGKILL', async () => {
    const pid = stoppedProcess();
    await until(() => stateOf(pid) === 'T', 2000);
    const script = `
      const { startWatchdog } = await import(${JSON.stringify(new URL('../../src/providers/watchdog.ts', import.meta.url).href)});
      await startWatchdog([{ kind: 'sigcont', pids: [${pid}] }], 60000);
      console.log('armed');
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(parent);
    await new Promise<void>((resolve) => parent.stdout!.once('data', () => resolve()));
    expect(stateOf(pid)).toBe('T');
    parent.kill('SIGKILL');
    const killedAt = performance.now();
    expect(await until(() => stateOf(pid) !== 'T', 2000)).toBe(true);
    expect(performance.now() - killedAt).toBeLessThan(2000);
  });

  it('thaws a cgroup through its freeze file, and refuses to start for a path that is not a cgroup', async () => {
    const cgroup = mkdtempSync(join(tmpdir(), 'stillpoint-cgroup-'));
    try {
      writeFileSync(join(cgroup, 'cgroup.freeze'), '1');
      const watchdog = await startWatchdog([{ kind: 'cgroup-thaw', cgroupPath: cgroup }], 60_000);
      expect(await watchdog.release()).toMatchObject({ reason: 'asked', results: [{ outcome: 'thawed' }] });
      expect(readFileSync(join(cgroup, 'cgroup.freeze'), 'utf8')).toBe('0');
      const missing = join(cgroup, 'nope');
      await expect(startWatchdog([{ kind: 'cgroup-thaw', cgroupPath: missing }], 1000)).rejects.toThrow(
        `the watchdog could not start: ${missing} has neither cgroup.freeze nor freezer.state`,
      );
    } finally {
      rmSync(cgroup, { recursive: true });
    }
  });

  it('refuses to start for a mount point it cannot open', async () => {
    await expect(startWatchdog([{ kind: 'thaw', mountPoint: '/nonexistent/stillpoint' }], 1000)).rejects.toThrow(
      /could not start: open on \/nonexistent\/stillpoint failed: .*ENOENT/,
    );
  });
});
