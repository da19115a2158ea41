// Runs PowerShell for tests: .tools/pwsh (scripts/install-pwsh.sh), or STILLPOINT_PWSH.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Requirement } from './requirements.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PWSH = process.env.STILLPOINT_PWSH ?? path.join(REPO, '.tools/pwsh');

export function pwsh(): Requirement {
  return { ok: existsSync(PWSH), reason: `needs PowerShell at ${PWSH} (run scripts/install-pwsh.sh)` };
}

export interface PwshResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a script in a fresh PowerShell process (no profile), with the repo's Node first on PATH. */
export function runPwsh(script: string, env: Record<string, string> = {}, cwd = REPO): Promise<PwshResult> {
  return new Promise((resolve) => {
    execFile(
      PWSH,
      ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script],
      {
        cwd,
        env: { ...process.env, PATH: `${path.join(REPO, 'node_modules/.bin')}:${process.env.PATH}`, ...env },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

/**
 * How long PowerShell takes to start on this machine now, in ms: what a timing assertion
 * compares with, since a loaded machine makes every start-up slower alike.
 */
export function pwshStartupMs(): Promise<number> {
  const started = performance.now();
  return runPwsh('exit 0').then(() => performance.now() - started);
}

/** A PowerShell test's time limit: each start of PowerShell takes seconds, many on a loaded machine. */
export const PWSH_TEST_TIMEOUT_MS = 180_000;
