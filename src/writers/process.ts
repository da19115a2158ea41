// The `process { pid-file | pid | cgroup }` writer: stops the application for the freeze.
// With a cgroup (v2) it uses the cgroup freezer (`cgroup.freeze`, then waits for
// `cgroup.events` to say `frozen 1`, so every task in it has really stopped); otherwise it
// sends SIGSTOP and waits until the kernel shows the process stopped, and SIGCONT at thaw.
// The watchdog process (src/providers/watchdog.ts), armed before the freeze, resumes the
// application if Stillpoint dies or the frozen window outlives its budget.

import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processState } from '../base/proc-stat.ts';
import type { WriterPlan } from '../plan/types.ts';
import { startWatchdog, type ReleaseAction, type Watchdog } from '../providers/watchdog.ts';
import type { BackupStamp, Writer, WriterContext, WriterMetadata } from './writer.ts';

type ProcessPlan = Extract<WriterPlan, { kind: 'process' }>;

export class ProcessWriter implements Writer {
  readonly name: string;
  readonly kind = 'process';
  readonly #select: ProcessPlan['select'];
  readonly #timeoutMs: number;
  /** What freeze stopped, so thaw resumes exactly that. */
  #stopped: { pid: number } | { cgroup: string } | undefined;
  #watchdog: Watchdog | undefined;

  constructor(plan: ProcessPlan) {
    this.name = plan.name;
    this.#select = plan.select;
    this.#timeoutMs = plan.timeoutMs;
  }

  async identify(_context: WriterContext): Promise<WriterMetadata> {
    if ('cgroup' in this.#select) {
      const path = cgroupPath(this.#select.cgroup);
      if (!existsSync(join(path, 'cgroup.freeze'))) {
        throw new Error(`${path} is not a cgroup v2 directory with a freezer (no cgroup.freeze): check the path`);
      }
      return { name: this.name, kind: this.kind, subject: `cgroup ${path}` };
    }
    const pid = await this.#pid();
    return { name: this.name, kind: this.kind, subject: 'pidFile' in this.#select ? `pid ${pid} (from ${this.#select.pidFile})` : `pid ${pid}` };
  }

  async prepareBackup(_context: WriterContext, _previous: BackupStamp | undefined): Promise<void> {}

  async prepareSnapshot(_context: WriterContext): Promise<void> {}

  async freeze(context: WriterContext): Promise<void> {
    const budgetMs = context.freezeBudgetMs ?? this.#timeoutMs;
    if ('cgroup' in this.#select) {
      const cgroup = cgroupPath(this.#select.cgroup);
      await this.#arm({ kind: 'cgroup-thaw', cgroupPath: cgroup }, budgetMs);
      this.#stopped = { cgroup };
      await writeFile(join(cgroup, 'cgroup.freeze'), '1');
      await until(context.signal, async () => /^frozen 1$/m.test(await readFile(join(cgroup, 'cgroup.events'), 'utf8')));
      return;
    }
    const pid = await this.#pid();
    await this.#arm({ kind: 'sigcont', pids: [pid] }, budgetMs);
    this.#stopped = { pid };
    process.kill(pid, 'SIGSTOP');
    if (process.platform === 'linux') await until(context.signal, async () => processState(pid) === 'T');
  }

  thaw(_context: WriterContext): Promise<void> {
    return this.#resume();
  }

  async #arm(action: ReleaseAction, budgetMs: number): Promise<void> {
    await this.#watchdog?.release();
    this.#watchdog = await startWatchdog([action], budgetMs);
  }

  async #resume(): Promise<void> {
    const stopped = this.#stopped;
    const watchdog = this.#watchdog;
    this.#stopped = undefined;
    this.#watchdog = undefined;
    try {
      if (stopped && 'cgroup' in stopped) await writeFile(join(stopped.cgroup, 'cgroup.freeze'), '0');
      else if (stopped) process.kill(stopped.pid, 'SIGCONT');
    } catch (error) {
      // Our own resume failed: let the watchdog try, then report.
      await watchdog?.release();
      throw error;
    }
    await watchdog?.disarm();
  }

  async postSnapshot(_context: WriterContext): Promise<void> {}

  async backupComplete(_context: WriterContext, _stamp: BackupStamp | undefined): Promise<void> {}

  async close(): Promise<void> {
    // A thaw that did not happen (it should have) happens here at the latest.
    await this.#resume();
  }

  /** The process to stop: given, or read from the pid file now (the service may have restarted). */
  async #pid(): Promise<number> {
    let pid: number;
    if ('pid' in this.#select) {
      pid = this.#select.pid;
    } else if ('pidFile' in this.#select) {
      const file = this.#select.pidFile;
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new Error(`cannot read pid file ${file}: ${error.code === 'ENOENT' ? 'it does not exist (is the service running?)' : error.message}`);
      });
      pid = Number(text.trim());
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`pid file ${file} does not hold a process id (it holds "${text.trim().slice(0, 40)}")`);
    } else {
      throw new Error('a cgroup writer has no pid');
    }
    try {
      process.kill(pid, 0);
    } catch {
      throw new Error(`process ${pid} is not running`);
    }
    return pid;
  }
}

/** An absolute path, or one relative to the cgroup v2 mount. */
export function cgroupPath(given: string): string {
  if (isAbsolute(given)) return given;
  return join(cgroup2Mount(), given);
}

function cgroup2Mount(): string {
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  const line = mounts.split('\n').find((l) => l.split(' ')[2] === 'cgroup2');
  if (!line) throw new Error('no cgroup v2 filesystem is mounted: give the cgroup as an absolute path');
  return line.split(' ')[1]!;
}

async function until(signal: AbortSignal, done: () => Promise<boolean>): Promise<void> {
  for (let pause = 1; !(await done()); pause = Math.min(pause * 2, 10)) {
    signal.throwIfAborted();
    await sleep(pause);
  }
}
