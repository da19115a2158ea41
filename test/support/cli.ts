// `stillpoint` as a user runs it: a real process, its exit code and both outputs. A command
// that runs longer than `timeoutMs` is killed and reported with `timedOut`, so a test of
// "never hangs" fails instead of hanging the suite.

import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/stillpoint.js');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  timeoutMs?: number;
}

export function stillpoint(args: string[], options: CliOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), BIN, ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...options.env }, timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number; killed?: boolean }) | null;
        resolve({ code: failure ? (typeof failure.code === 'number' ? failure.code : -1) : 0, stdout, stderr, timedOut: failure?.killed === true });
      },
    );
  });
}
