// The watchdog: a separate small Node process, started BEFORE anything is frozen, that undoes
// the freeze if Stillpoint cannot: when Stillpoint dies (its end of the pipe closes, which the
// kernel does even on SIGKILL) or when the freeze outlives its deadline. It is generic over
// what "undo" means, so the fsfreeze provider (thaw a filesystem) and the `process` writer
// (SIGCONT, thaw a cgroup) share it.
//
//   await using watchdog = await startWatchdog([{ kind: 'thaw', mountPoint }], freezeTimeoutMs);
//   freeze(); try { ... } finally { thaw(); }
//   await watchdog.disarm();          // after a normal thaw: the watchdog exits, doing nothing
//
// Disposing a watchdog that was not disarmed makes it release at once, so a scope that ends
// by an exception before the thaw still releases. The deadline counts from the moment
// startWatchdog resolves, that is from just before the freeze.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { entryPointFile } from '../package-layout.ts';

export type ReleaseAction =
  | { kind: 'thaw'; mountPoint: string }
  | { kind: 'sigcont'; pids: number[] }
  | { kind: 'cgroup-thaw'; cgroupPath: string };

export interface ActionResult {
  action: ReleaseAction;
  /** What the watchdog found and did, e.g. "thawed", "was not frozen". */
  outcome: string;
  error?: string;
}

/** What the watchdog reports when it released by itself. */
export interface WatchdogRelease {
  reason: 'deadline' | 'parent-gone' | 'signal' | 'asked';
  results: ActionResult[];
}

export interface WatchdogConfig {
  actions: ReleaseAction[];
  deadlineMs: number;
}

/** The lines the watchdog process writes on stdout, one JSON object each. */
export type WatchdogMessage = { type: 'ready' } | { type: 'failed'; error: string } | ({ type: 'released' } & WatchdogRelease);

export interface Watchdog extends AsyncDisposable {
  readonly pid: number;
  /**
   * Settles when the watchdog is done: with what it released when it acted (deadline, or asked
   * through dispose), undefined when it was disarmed or exited without acting.
   */
  readonly released: Promise<WatchdogRelease | undefined>;
  /** The freeze was undone normally: the watchdog exits without acting. Idempotent. */
  disarm(): Promise<void>;
  /** Release now (the watchdog performs its actions) and wait for its report. Idempotent. */
  release(): Promise<WatchdogRelease | undefined>;
}

const WATCHDOG_PROCESS = entryPointFile('providers/watchdog-process');
/** How long the watchdog process may take to start and open what it will release. */
const START_TIMEOUT_MS = 10_000;

export async function startWatchdog(actions: ReleaseAction[], deadlineMs: number): Promise<Watchdog> {
  const config: WatchdogConfig = { actions, deadlineMs };
  // Detached: its own process group, so a Ctrl-C or a kill of Stillpoint's group does not take
  // the watchdog with it. stdin is the lifeline: its other end closes when Stillpoint dies.
  const child = spawn(process.execPath, [WATCHDOG_PROCESS, JSON.stringify(config)], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  // 'close', not 'exit': the watchdog's last report must have been read from its stdout.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // The watchdog may have exited on its own (deadline) before we write to it.
  child.stdin!.on('error', () => {});
  const messages = createInterface({ input: child.stdout! });
  let onReady: (error?: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = (error) => (error ? reject(error) : resolve());
  });
  let report: WatchdogRelease | undefined;
  messages.on('line', (line) => {
    let message: WatchdogMessage;
    try {
      message = JSON.parse(line) as WatchdogMessage;
    } catch {
      return;
    }
    if (message.type === 'ready') onReady();
    else if (message.type === 'failed') onReady(new Error(`the watchdog could not start: ${message.error}`));
    else report = { reason: message.reason, results: message.results };
  });
  child.once('error', (error) => onReady(new Error(`the watchdog could not start: ${error.message}`)));
  void exited.then(() => onReady(new Error('the watchdog exited before it was ready')));
  const timer = setTimeout(() => onReady(new Error(`the watchdog did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // Stillpoint may exit while the watchdog is armed (it then releases): do not keep it alive.
  const lifeline = [child, child.stdin, child.stdout] as unknown as Array<{ ref(): void; unref(): void }>;
  for (const handle of lifeline) handle.unref();

  const released = exited.then(() => report);
  let settled = false;
  const send = async (command: 'disarm' | 'release') => {
    if (!settled && child.exitCode === null && child.signalCode === null) {
      settled = true;
      // Waiting for the watchdog's answer is work this process must stay alive for.
      for (const handle of lifeline) handle.ref();
      child.stdin!.end(`${command}\n`);
    }
    return released;
  };
  return {
    pid: child.pid!,
    released,
    disarm: async () => {
      await send('disarm');
    },
    release: () => send('release'),
    [Symbol.asyncDispose]: async () => {
      await send('release');
    },
  };
}
