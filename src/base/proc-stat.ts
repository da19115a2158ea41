// /proc/PID/stat on Linux: `pid (comm) state ppid pgrp ...`. The command name may hold spaces
// and parentheses, so the fields are read after the last `)`.

import { readFileSync } from 'node:fs';

/** The fields after `pid (comm)`: [0] state, [1] ppid, [2] pgrp, ... */
export function procStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The kernel's one-letter state of a process (R, S, D, T, Z ...); undefined when it is gone. */
export function processState(pid: number): string | undefined {
  try {
    return procStatFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[0]?.[0];
  } catch {
    return undefined;
  }
}
