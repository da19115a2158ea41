// Runs the real CLI (bin/stillpoint.js) as a child process, as a user or a scheduler would,
// and reads its NDJSON event stream as it comes, so a test can act at a given moment (send
// SIGINT once the copy has started, say).

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StillpointEvent } from '../../../src/events/types.ts';

const BIN = fileURLToPath(new URL('../../../bin/stillpoint.js', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  events: StillpointEvent[];
  /** Resolves with the first event (so far or to come) that matches. */
  waitFor(match: (event: StillpointEvent) => boolean, timeoutMs?: number): Promise<StillpointEvent>;
  done: Promise<{ code: number | null; stdout: string; stderr: string; events: StillpointEvent[] }>;
}

export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: StillpointEvent[] = [];
  const waiters: Array<{ match: (e: StillpointEvent) => boolean; resolve: (e: StillpointEvent) => void }> = [];
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as StillpointEvent;
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; events: StillpointEvent[] }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, events })),
  );
  return {
    child,
    events,
    waitFor(match, timeoutMs = 20_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
        void done.then(() => {
          clearTimeout(timer);
          reject(new Error(`the CLI ended before a matching event; stderr: ${stderr}`));
        });
      });
    },
    done,
  };
}
