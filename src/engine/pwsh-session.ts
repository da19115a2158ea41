// Runs `pwsh { }` hook blocks. The caller creates one PwshSession per run and closes it at
// the end. This implementation starts one `pwsh -NoProfile -NonInteractive -Command -` per
// block (the code goes to its stdin); the interface is kept to run/close so that a session
// that shares one PowerShell process across a run (node-powershell) can replace it.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanText } from '../plan/types.ts';
import type { SecretStore } from '../plan/secret.ts';
import { runProcess, type OutputStream, type ProcessResult } from './process.ts';

export interface PwshRunOptions {
  env: Record<string, PlanText>;
  cwd?: PlanText;
  timeoutMs?: number;
  signal?: AbortSignal;
  secrets?: SecretStore;
  onLine?: (stream: OutputStream, line: string) => void;
}

export interface PwshSession {
  /** Runs one block of PowerShell code; the exit code follows pwsh's (`exit N`, last error). */
  run(code: string, options: PwshRunOptions): Promise<ProcessResult>;
  close(): Promise<void>;
}

/** Thrown when no PowerShell can be found: says where it was looked for. */
export class PwshMissing extends Error {
  constructor(looked: string[]) {
    super(
      `pwsh { } needs PowerShell, which was not found (looked at ${looked.join(', ')} and on PATH): ` +
        'run scripts/install-pwsh.sh, install PowerShell 7, or set STILLPOINT_PWSH to its path',
    );
    this.name = 'PwshMissing';
  }
}

const CHECKOUT_PWSH = fileURLToPath(new URL('../../.tools/pwsh', import.meta.url));

/** STILLPOINT_PWSH, then .tools/pwsh of this checkout, then pwsh on PATH. */
export function findPwsh(): string {
  const candidates = [process.env.STILLPOINT_PWSH, CHECKOUT_PWSH].filter((c): c is string => !!c);
  const names = process.platform === 'win32' ? ['pwsh.exe'] : ['pwsh'];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) candidates.push(join(dir, name));
  }
  const found = candidates.find(isExecutable);
  if (!found) throw new PwshMissing([process.env.STILLPOINT_PWSH, CHECKOUT_PWSH].filter((c): c is string => !!c));
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function createPwshSession(): PwshSession {
  let pwsh: string | undefined;
  return {
    async run(code, options) {
      pwsh ??= findPwsh();
      return runProcess({
        command: { argv: [pwsh, '-NoProfile', '-NonInteractive', '-Command', '-'] },
        // A trailing blank line ends a multi-line statement for pwsh's stdin reader.
        stdin: `${code}\n\n`,
        env: options.env,
        cwd: options.cwd,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        secrets: options.secrets,
        onLine: options.onLine,
      });
    },
    async close() {},
  };
}
