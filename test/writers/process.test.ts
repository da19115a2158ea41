import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { SecretStore } from '../../src/base/secret.ts';
import { createWriter } from '../../src/writers/index.ts';
import { processState } from '../../src/base/proc-stat.ts';
import { cgroupPath } from '../../src/writers/process.ts';
import { describeWith, linux } from '../support/requirements.ts';
import { writerContext } from './context.ts';

const dir = mkdtempSync(join(tmpdir(), 'sp-procwriter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A child that appends a byte to `file` every 10 ms. */
function ticker(file: string): ChildProcess {
  writeFileSync(file, '');
  const child = spawn('sh', ['-c', `while :; do printf x >> ${file}; sleep 0.01; done`], { stdio: 'ignore' });
  children.push(child);
  return child;
}

const size = (file: string) => statSync(file).size;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plan = (select: { pid: number } | { pidFile: string } | { cgroup: string }) => ({
  kind: 'process' as const,
  name: 'app',
  select,
  timeoutMs: 5000,
  required: true,
  origin: 't.still:2:1',
});

describeWith('process writer with signals', [linux()], () => {
  it('stops the process with SIGSTOP (visible in /proc) and resumes it at thaw', async () => {
    const file = join(dir, 'ticks-pid');
    const child = ticker(file);
    await sleep(100);
    const writer = await createWriter(plan({ pid: child.pid! }), new SecretStore());
    expect((await writer.identify(writerContext())).subject).toBe(`pid ${child.pid}`);
    await writer.freeze(writerContext());
    expect(processState(child.pid!)).toBe('T');
    const frozenSize = size(file);
    await sleep(200);
    expect(size(file)).toBe(frozenSize);
    await writer.thaw(writerContext());
    expect(processState(child.pid!)).not.toBe('T');
    await sleep(200);
    expect(size(file)).toBeGreaterThan(frozenSize);
    await writer.close();
  });

  it('is resumed by the watchdog when the frozen window outlives its budget without a thaw', async () => {
    const child = ticker(join(dir, 'ticks-watchdog'));
    const writer = await createWriter(plan({ pid: child.pid! }), new SecretStore());
    await writer.freeze(writerContext({ freezeBudgetMs: 300 }));
    expect(processState(child.pid!)).toBe('T');
    await sleep(1000);
    expect(processState(child.pid!)).not.toBe('T');
    await writer.close();
  });

  it('reads the pid file when it freezes, and says what is wrong with a bad one', async () => {
    const child = ticker(join(dir, 'ticks-pidfile'));
    const pidFile = join(dir, 'app.pid');
    writeFileSync(pidFile, `${child.pid}\n`);
    const writer = await createWriter(plan({ pidFile }), new SecretStore());
    await writer.freeze(writerContext());
    expect(processState(child.pid!)).toBe('T');
    await writer.close(); // close thaws what thaw did not
    expect(processState(child.pid!)).not.toBe('T');

    writeFileSync(pidFile, 'garbage');
    await expect(writer.identify(writerContext())).rejects.toThrow(/does not hold a process id/);
    const missing = await createWriter(plan({ pidFile: join(dir, 'none.pid') }), new SecretStore());
    await expect(missing.identify(writerContext())).rejects.toThrow(/none\.pid: it does not exist/);
    const gone = await createWriter(plan({ pid: 2 ** 22 + 1 }), new SecretStore());
    await expect(gone.freeze(writerContext())).rejects.toThrow(/is not running/);
  });
});

function cgroupV2Writable() {
  try {
    const probe = cgroupPath(`sp-probe-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
    return { ok: true, reason: '' };
  } catch {
    return { ok: false, reason: 'needs a writable cgroup v2 hierarchy (root)' };
  }
}

describeWith('process writer with a cgroup v2 freezer', [linux(), cgroupV2Writable()], () => {
  let cgroup: string | undefined;
  afterEach(async () => {
    if (!cgroup) return;
    writeFileSync(join(cgroup, 'cgroup.freeze'), '0');
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await sleep(100);
    rmdirSync(cgroup);
    cgroup = undefined;
  });

  it('freezes every task of the cgroup (cgroup.events says frozen 1) and thaws it', async () => {
    const name = `stillpoint-test-${process.pid}`;
    cgroup = cgroupPath(name);
    mkdirSync(cgroup);
    const file = join(dir, 'ticks-cgroup');
    const child = ticker(file);
    writeFileSync(join(cgroup, 'cgroup.procs'), String(child.pid));
    await sleep(100);
    const writer = await createWriter(plan({ cgroup: name }), new SecretStore());
    expect((await writer.identify(writerContext())).subject).toBe(`cgroup ${cgroup}`);
    await writer.freeze(writerContext());
    expect(readFileSync(join(cgroup, 'cgroup.events'), 'utf8')).toMatch(/^frozen 1$/m);
    const frozenSize = size(file);
    await sleep(200);
    expect(size(file)).toBe(frozenSize);
    await writer.thaw(writerContext());
    expect(readFileSync(join(cgroup, 'cgroup.events'), 'utf8')).toMatch(/^frozen 0$/m);
    await sleep(200);
    expect(size(file)).toBeGreaterThan(frozenSize);
  });

  it('refuses a directory that is not a cgroup', async () => {
    const writer = await createWriter(plan({ cgroup: dir }), new SecretStore());
    await expect(writer.identify(writerContext())).rejects.toThrow(/not a cgroup v2 directory/);
  });
});
