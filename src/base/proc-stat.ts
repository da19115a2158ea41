// /proc/PID/stat on Linux: `pid (comm) state ppid pgrp ...`. The command name may hold spaces
// and parentheses, so the fields are read after the last `)`.

/** The fields after `pid (comm)`: [0] state, [1] ppid, [2] pgrp, ... */
export function procStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
