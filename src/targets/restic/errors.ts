// restic's failures, turned into sentences that say what to do. restic 0.14 (Debian 12) has
// three exit codes: 0 done, 1 fatal (no snapshot was made), 3 a snapshot was made but some
// files could not be read; later versions add 10 (no repository), 11 (locked) and 12 (wrong
// password), which say the same as the messages matched here. A process ended by a signal
// has no exit code.

import { formatMs } from '../../base/deadline.ts';

export interface ResticEnding {
  /** null: ended by a signal. */
  exitCode: number | null;
  signal?: NodeJS.Signals | null;
  stderr: string[];
}

/** How to lift a lock, for every message that mentions one; restic's own wording. */
const UNLOCK =
  'if no restic is still running there (a run that was killed leaves its lock behind), remove the stale lock with `restic unlock` (with the same repository and password); Stillpoint never removes locks itself';

const CONNECTION = /connection refused|connection reset|no such host|network is unreachable|no route to host|i\/o timeout|dial tcp|broken pipe|TLS handshake|unexpected EOF|server misbehaving/i;

export function explainResticFailure(ending: ResticEnding, repository: string): string {
  const text = ending.stderr.join('\n');
  const lock = lockHolder(text);
  if (lock) return `the restic repository ${repository} is locked by ${lock}; ${UNLOCK}`;
  const unreachable = ending.stderr.findLast((line) => CONNECTION.test(line));
  if (unreachable) return `restic could not reach the repository ${repository} (${lastClause(unreachable)}): check that the server is running and reachable from this machine`;
  if (/wrong password|no key found/i.test(text) || ending.exitCode === 12) {
    return `restic could not open the repository ${repository}: wrong password; check the target's \`password\` (the value is not shown)`;
  }
  if (/unable to open config file|Is there a repository at the following location|repository does not exist/i.test(text) || ending.exitCode === 10) {
    return `there is no restic repository at ${repository}: create it with \`restic init\` (with the same password), or fix the path`;
  }
  if (ending.exitCode === 11) return `the restic repository ${repository} is locked; ${UNLOCK}`;
  const fatal = ending.stderr.filter((line) => /^Fatal:|^error:/i.test(line)).join('; ');
  const words = fatal || ending.stderr.slice(-3).join('; ') || 'no error message';
  const how = ending.exitCode === null ? `was killed by ${ending.signal ?? 'a signal'}` : ending.exitCode === 130 ? 'was interrupted' : `exited with code ${ending.exitCode}`;
  return `restic ${how} on ${repository}: ${words}`;
}

/** Why restic stalled, from its last words: an unreachable server says so. */
export function explainResticStall(stderr: string[], repository: string, stallTimeoutMs: number, lastStatus: string): string {
  const unreachable = stderr.findLast((line) => CONNECTION.test(line));
  const why = unreachable
    ? `; the repository ${repository} stopped answering (${lastClause(unreachable)})`
    : stderr.length > 0
      ? `; its last words: ${stderr.slice(-2).join('; ')}`
      : '';
  return (
    `restic made no progress for ${formatMs(stallTimeoutMs)} (stall-timeout) and was stopped with its child processes; ${lastStatus}${why}. ` +
    `No snapshot was recorded. If restic could not remove its lock, the next \`restic prune\` or \`restic check\` will find the repository locked: ${UNLOCK}`
  );
}

/** "PID 23066 on vm by root, since 2026-12-04 14:03:30" from restic's "already locked" text. */
function lockHolder(text: string): string | undefined {
  const locked = /repository is already locked (?:exclusively )?by (PID \d+ on \S+ by [^\n(]+?)\s*(?:\(UID[^)]*\))?\s*$/im.exec(text);
  if (!locked) return undefined;
  const since = /lock was created at ([^\n(]+?)\s*\(([^)]+) ago\)/.exec(text);
  return `${locked[1]}${since ? `, since ${since[1]} (${since[2].replace(/\.\d+s$/, 's')} ago)` : ''}`;
}

/** The part of a Go error chain that says what happened: "connect: connection refused". */
function lastClause(line: string): string {
  const parts = line.split(': ');
  return parts.slice(-2).join(': ');
}
