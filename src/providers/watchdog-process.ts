// The watchdog process (see watchdog.ts). Started with its configuration as the only argument;
// everything it will need at release time (koffi, the mount points' directory handles) is
// loaded and opened before it says "ready", so that releasing never waits on a frozen
// filesystem or on module loading.
//
// stdin: "disarm" (exit without acting) or "release" (act now); end of input without either
// means Stillpoint died. stdout: one JSON WatchdogMessage per line.

import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openDirectory, thawFilesystem, type DirectoryHandle } from './linux/ioctl.ts';
import type { ActionResult, ReleaseAction, WatchdogConfig, WatchdogMessage, WatchdogRelease } from './watchdog.ts';

function say(message: WatchdogMessage): void {
  try {
    process.stdout.write(`${JSON.stringify(message)}\n`);
  } catch {
    // Nobody is listening any more (Stillpoint died); the release already happened.
  }
}
process.stdout.on('error', () => {});

/** Opens what each action needs now; returns the function that performs it later. */
async function prepare(action: ReleaseAction): Promise<() => Promise<ActionResult>> {
  switch (action.kind) {
    case 'thaw': {
      const dir: DirectoryHandle = await openDirectory(action.mountPoint);
      return async () => ({ action, outcome: (await thawFilesystem(dir)) ? 'thawed' : 'was not frozen' });
    }
    case 'sigcont':
      return async () => {
        const gone: number[] = [];
        for (const pid of action.pids) {
          try {
            process.kill(pid, 'SIGCONT');
          } catch {
            gone.push(pid);
          }
        }
        return { action, outcome: gone.length ? `continued; gone: ${gone.join(', ')}` : 'continued' };
      };
    case 'cgroup-thaw': {
      // cgroup v2 has cgroup.freeze; the v1 freezer controller has freezer.state.
      const v2 = join(action.cgroupPath, 'cgroup.freeze');
      const v1 = join(action.cgroupPath, 'freezer.state');
      const [file, value] = existsSync(v2) ? [v2, '0'] : existsSync(v1) ? [v1, 'THAWED'] : [];
      if (!file) throw new Error(`${action.cgroupPath} has neither cgroup.freeze nor freezer.state`);
      return async () => {
        writeFileSync(file, value!);
        return { action, outcome: 'thawed' };
      };
    }
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as WatchdogConfig;
  let performers: Array<() => Promise<ActionResult>>;
  try {
    performers = await Promise.all(config.actions.map(prepare));
  } catch (error) {
    say({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }

  let done = false;
  const release = async (reason: WatchdogRelease['reason']) => {
    if (done) return;
    done = true;
    const results: ActionResult[] = [];
    for (const [index, perform] of performers.entries()) {
      try {
        results.push(await perform());
      } catch (error) {
        results.push({ action: config.actions[index]!, outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
      }
    }
    say({ type: 'released', reason, results });
    process.exit(results.some((r) => r.error) ? 1 : 0);
  };
  const disarm = () => {
    if (done) return;
    done = true;
    process.exit(0);
  };

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void release('signal'));
  setTimeout(() => void release('deadline'), config.deadlineMs);
  const lifeline = createInterface({ input: process.stdin });
  lifeline.on('line', (line) => {
    if (line === 'disarm') disarm();
    else if (line === 'release') void release('asked');
  });
  lifeline.on('close', () => void release('parent-gone'));
  say({ type: 'ready' });
}

await main();
