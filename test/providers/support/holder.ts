// Runs hold-snapshot.ts in its own Node process and waits for what it reports.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./hold-snapshot.ts', import.meta.url));

export interface Holder {
  child: ChildProcess;
  /** Resolves with the first stdout line starting with `prefix`; rejects if the process exits first. */
  waitFor(prefix: string, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

export function startHolder(request: object): Holder {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    waitFor: (prefix, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${prefix}" within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        const check = () => {
          const line = lines.find((l) => l.startsWith(prefix));
          if (line) {
            clearTimeout(timer);
            resolve(line);
          } else waiters.push(check);
        };
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`the holder exited (${child.exitCode ?? child.signalCode}) before "${prefix}": ${stderr}`));
        });
        check();
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
