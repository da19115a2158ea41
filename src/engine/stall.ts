// The stall rule (`stall-timeout`): a step that shows no progress for that long is ended,
// however long its timeout still runs. A timeout bounds how long a step may take; the stall
// rule catches the step that has stopped moving (a dead server, a hung mount) long before.
//
// What counts as progress is the caller's to say; for a process group the default is its
// output, or bytes it read or wrote anywhere (files, pipes, sockets: rchar and wchar of
// /proc/PID/io, summed over the group), so that a silent `rsync` or `pg_dump > file` that
// moves data is not taken for stalled. CPU time is deliberately not progress: a client
// retrying a dead server in a loop burns CPU and moves nothing. Where /proc is missing
// (Windows, macOS) only output counts.

import { readdir, readFile } from 'node:fs/promises';
import { formatMs } from './deadline.ts';

export class StallError extends Error {
  constructor(what: string, timeoutMs: number, detail = '') {
    super(`${what} made no progress for ${formatMs(timeoutMs)} (stall-timeout) and was stopped${detail}`);
    this.name = 'StallError';
  }
}

export interface StallWatch {
  /** Marks progress now. */
  progress(): void;
  stop(): void;
}

export interface StallOptions {
  timeoutMs: number;
  /** A process group whose I/O counters count as progress too (Linux). */
  processGroup?: number;
  onStall: () => void;
}

/** The longest pause between two looks at the clock and the group's counters. */
const MAX_POLL_MS = 5000;

export function watchStall(options: StallOptions): StallWatch {
  let last = performance.now();
  let counters: string | undefined;
  let stopped = false;
  let sampling = false;
  const pollMs = Math.min(MAX_POLL_MS, Math.max(20, options.timeoutMs / 5));
  const tick = async () => {
    if (sampling) return;
    sampling = true;
    try {
      if (options.processGroup !== undefined) {
        const now = await groupIoCounters(options.processGroup);
        if (now !== undefined && counters !== undefined && now !== counters) last = performance.now();
        counters = now;
      }
    } finally {
      sampling = false;
    }
    if (stopped || performance.now() - last < options.timeoutMs) return;
    stop();
    options.onStall();
  };
  const timer = setInterval(() => void tick(), pollMs);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return {
    progress: () => {
      last = performance.now();
    },
    stop,
  };
}

/**
 * The I/O counters of every process in a group, as one comparable text; undefined where
 * /proc cannot tell (not Linux). A process that starts or ends changes it too, which is
 * a sign of life as well.
 */
export async function groupIoCounters(pgid: number): Promise<string | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const parts = await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (pid) => {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
        // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) !== pgid) return undefined;
        const io = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => '');
        const count = (name: string) => new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? '?';
        return `${pid}:${count('rchar')}:${count('wchar')}`;
      }),
  );
  return parts.filter((p) => p !== undefined).join(' ');
}
