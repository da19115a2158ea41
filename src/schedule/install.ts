// Writes and removes scheduler entries: systemd units (Linux default), a crontab line
// (--cron), or a Task Scheduler task (Windows). `print` mode returns what would be written
// and touches nothing.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { crontabLines, updateCrontab } from './crontab.ts';
import type { ScheduledJob } from './job.ts';
import { serviceUnit, timerUnit, unitName } from './systemd.ts';
import { taskName, taskXml } from './windows-task.ts';

const run = promisify(execFile);

export type Scheduler = 'systemd' | 'cron' | 'task-scheduler';

export interface ScheduleOptions {
  scheduler: Scheduler;
  /** Only describe what would be written. */
  print: boolean;
  /** systemd: where units go (default /etc/systemd/system). */
  unitDir?: string;
  /** cron: where the job's output is appended. */
  logFile?: string;
}

/** One file or entry written, or to be written. */
export interface ScheduleChange {
  where: string;
  content: string;
}

export interface ScheduleOutcome {
  changes: ScheduleChange[];
  /** Commands run (or to run) to activate the change, for the user to see. */
  commands: string[];
  /** Something the user must do, e.g. systemd not running here. */
  notice?: string;
}

export function defaultScheduler(platform: NodeJS.Platform = process.platform): Scheduler {
  return platform === 'win32' ? 'task-scheduler' : 'systemd';
}

type Change = (jobs: ScheduledJob[], options: ScheduleOptions, action: 'install' | 'remove') => Promise<ScheduleOutcome>;

const SCHEDULERS: Record<Scheduler, Change> = { systemd, cron, 'task-scheduler': taskScheduler };

export function installSchedules(jobs: ScheduledJob[], options: ScheduleOptions): Promise<ScheduleOutcome> {
  return SCHEDULERS[options.scheduler](jobs, options, 'install');
}

export function removeSchedules(jobs: ScheduledJob[], options: ScheduleOptions): Promise<ScheduleOutcome> {
  return SCHEDULERS[options.scheduler](jobs, options, 'remove');
}

async function systemd(jobs: ScheduledJob[], options: ScheduleOptions, action: 'install' | 'remove'): Promise<ScheduleOutcome> {
  const dir = options.unitDir ?? '/etc/systemd/system';
  const changes: ScheduleChange[] = [];
  const timers = jobs.map((job) => `${unitName(job)}.timer`);
  for (const job of jobs) {
    const base = path.join(dir, unitName(job));
    changes.push(
      { where: `${base}.service`, content: action === 'install' ? serviceUnit(job) : '' },
      { where: `${base}.timer`, content: action === 'install' ? timerUnit(job) : '' },
    );
  }
  const commands =
    action === 'install'
      ? ['systemctl daemon-reload', `systemctl enable --now ${timers.join(' ')}`]
      : [`systemctl disable --now ${timers.join(' ')}`, 'systemctl daemon-reload'];
  if (options.print) return { changes, commands };

  const systemdRunning = existsSync('/run/systemd/system') && options.unitDir === undefined;
  if (action === 'remove' && systemdRunning) await runAll(commands.slice(0, 1));
  await mkdir(dir, { recursive: true });
  for (const change of changes) {
    if (action === 'install') await writeFile(change.where, change.content, { mode: 0o644 });
    else await rm(change.where, { force: true });
  }
  if (!systemdRunning) {
    return {
      changes,
      commands,
      notice: `systemd is not managing this machine (or --unit-dir was given): the units were ${action === 'install' ? 'written' : 'removed'} but not ${action === 'install' ? 'enabled' : 'disabled'}; run: ${commands.join(' && ')}`,
    };
  }
  if (action === 'install') await runAll(commands);
  else await runAll(commands.slice(1));
  return { changes, commands };
}

async function cron(jobs: ScheduledJob[], options: ScheduleOptions, action: 'install' | 'remove'): Promise<ScheduleOutcome> {
  const logFile = options.logFile ?? path.join(os.homedir(), '.stillpoint-cron.log');
  let current = '';
  if (!options.print || action === 'remove') current = await readCrontab();
  let next = current;
  for (const job of jobs) next = updateCrontab(next, job, action === 'install' ? crontabLines(job, logFile) : []);
  const changes = [{ where: 'crontab', content: next }];
  if (options.print) return { changes, commands: ['crontab -'] };
  await new Promise<void>((resolve, reject) => {
    const child = execFile('crontab', ['-'], (error) => (error ? reject(error) : resolve()));
    child.stdin!.end(next);
  });
  return { changes, commands: ['crontab -'] };
}

async function readCrontab(): Promise<string> {
  try {
    return (await run('crontab', ['-l'])).stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('`crontab` is not installed: install cron, or use the systemd timer (drop --cron)');
    // "no crontab for <user>" is an empty crontab, not an error.
    if (/no crontab/i.test(e.stderr ?? '')) return '';
    throw error;
  }
}

async function taskScheduler(jobs: ScheduledJob[], options: ScheduleOptions, action: 'install' | 'remove'): Promise<ScheduleOutcome> {
  const changes = jobs.map((job) => ({ where: taskName(job), content: action === 'install' ? taskXml(job) : '' }));
  const commands = jobs.map((job) =>
    action === 'install' ? `schtasks /Create /XML <file> /TN "${taskName(job)}" /F` : `schtasks /Delete /TN "${taskName(job)}" /F`,
  );
  if (options.print) return { changes, commands };
  if (process.platform !== 'win32') throw new Error('Task Scheduler exists only on Windows: use --print to see the task definition, or systemd/--cron here');
  for (const job of jobs) {
    if (action === 'remove') {
      await run('schtasks', ['/Delete', '/TN', taskName(job), '/F']);
      continue;
    }
    const file = path.join(os.tmpdir(), `stillpoint-${job.unitSlug}.xml`);
    // schtasks reads the declared UTF-16 encoding: write UTF-16LE with a byte-order mark.
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(taskXml(job), 'utf16le')]));
    try {
      await run('schtasks', ['/Create', '/XML', file, '/TN', taskName(job), '/F']);
    } finally {
      await rm(file, { force: true });
    }
  }
  return { changes, commands };
}

async function runAll(commands: string[]): Promise<void> {
  for (const command of commands) {
    const [program, ...args] = command.split(' ');
    await run(program!, args);
  }
}
