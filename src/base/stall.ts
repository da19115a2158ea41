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
import { procStatFields } from './proc-stat.ts';

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
  /**
   * A process group whose reads and writes count as progress too (Linux): when more than
   * `minBytes` moved between two looks. A caller that does not take every output line for
   * progress sets `minBytes` above what the process prints in one look, since its output
   * passes through the same counters.
   */
  processGroup?: { pgid: number; minBytes: number };
  onStall: () => void;
}

/** The longest pause between two looks at the clock and the group's counters. */
const MAX_POLL_MS = 5000;

export function watchStall(options: StallOptions): StallWatch {
  let last = performance.now();
  let counters: Map<number, number> | undefined;
  let stopped = false;
  let sampling = false;
  const group = options.processGroup;
  const tick = async () => {
    if (sampling) return;
    sampling = true;
    try {
      if (group) {
        const now = await groupIoCounters(group.pgid);
        if (counters && bytesMoved(counters, now) > group.minBytes) last = performance.now();
        counters = now;
      }
    } finally {
      sampling = false;
    }
    if (stopped || performance.now() - last < options.timeoutMs) return;
    stop();
    options.onStall();
  };
  const timer = setInterval(() => void tick(), Math.min(MAX_POLL_MS, Math.max(20, options.timeoutMs / 5)));
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

/** Bytes read and written since `before`; a process that started since counts in full. */
function bytesMoved(before: Map<number, number>, now: Map<number, number>): number {
  let moved = 0;
  for (const [pid, bytes] of now) moved += bytes - (before.get(pid) ?? 0);
  return moved;
}

/** rchar + wchar of every process in a group, by pid; empty where /proc cannot tell (not Linux). */
export async function groupIoCounters(pgid: number): Promise<Map<number, number>> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const counted = await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (pid): Promise<[number, number] | undefined> => {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
        if (Number(procStatFields(stat)[2]) !== pgid) return undefined;
        const io = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => '');
        const count = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? 0);
        return [Number(pid), count('rchar') + count('wchar')];
      }),
  );
  return new Map(counted.filter((c) => c !== undefined));
}
