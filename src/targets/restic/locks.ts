// Stale restic locks. A restic that was killed (by the stall rule, a crash, a reboot) cannot
// remove its lock from the repository; restic 0.14 then refuses every exclusive command
// (`prune`, `check`) until someone runs `restic unlock`. Stillpoint never removes a lock: it
// may belong to a restic that is still running elsewhere. It looks for them after each
// backup and says which lock is stale and how to remove it.

import os from 'node:os';

/** Runs one restic command and returns its stdout lines, or undefined when it failed. */
export type ResticLines = (args: string[]) => Promise<string[] | undefined>;

interface ResticLock {
  time: string;
  exclusive: boolean;
  hostname: string;
  username?: string;
  pid: number;
}

/** restic's own rule: a lock that was not refreshed for 30 minutes is stale. */
const STALE_AFTER_MS = 30 * 60_000;

/** One sentence per stale lock: whose it is, since when, and why it is stale. */
export async function findStaleLocks(restic: ResticLines, now = Date.now()): Promise<string[]> {
  const ids = (await restic(['list', 'locks', '--no-lock']))?.filter((id) => /^[0-9a-f]{64}$/.test(id)) ?? [];
  const found: string[] = [];
  for (const id of ids) {
    const text = await restic(['cat', 'lock', id, '--no-lock']);
    const lock = text && parseLock(text.join('\n'));
    if (!lock) continue;
    const age = now - Date.parse(lock.time);
    const here = lock.hostname === os.hostname();
    const why = here && !isAlive(lock.pid) ? 'that process is gone' : age > STALE_AFTER_MS ? 'not refreshed for over 30 minutes' : undefined;
    if (why) found.push(`lock ${id.slice(0, 8)} of PID ${lock.pid} on ${lock.hostname}${lock.username ? ` by ${lock.username}` : ''}, created ${lock.time} (${why})`);
  }
  return found;
}

function parseLock(text: string): ResticLock | undefined {
  try {
    const lock = JSON.parse(text) as ResticLock;
    return typeof lock.pid === 'number' && typeof lock.time === 'string' ? lock : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
