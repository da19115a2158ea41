// System tests need root, devices, servers and tools. Where one is missing the test skips
// with one line saying why; under CI (STILLPOINT_NO_SKIP=1) a missing prerequisite that the
// machine should have is a failure instead, so CI cannot hide a skip. Only checks marked
// `expectedMissing` (Windows on Linux, say) may skip under CI.

import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

export interface Requirement {
  ok: boolean;
  reason: string;
  /** This machine kind cannot have it (no Windows, no device-mapper): a skip is honest. */
  expectedMissing?: boolean;
}

export function root(): Requirement {
  return { ok: process.getuid?.() === 0, reason: 'needs root (loop devices, mounts)' };
}

export function command(name: string, hint = `install ${name}`): Requirement {
  let ok = true;
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  } catch {
    ok = false;
  }
  return { ok, reason: `needs \`${name}\` on PATH (${hint})` };
}

export function windows(): Requirement {
  return { ok: process.platform === 'win32', reason: 'needs Windows', expectedMissing: true };
}

export function linux(): Requirement {
  return { ok: process.platform === 'linux', reason: 'needs Linux', expectedMissing: process.platform !== 'linux' };
}

export function firstMissing(requirements: Requirement[]): Requirement | undefined {
  return requirements.find((r) => !r.ok);
}

/** describe() that skips with a reason, or fails under CI when the machine should have it. */
export function describeWith(name: string, requirements: Requirement[], body: () => void): void {
  const missing = firstMissing(requirements);
  if (!missing) {
    describe(name, body);
    return;
  }
  if (process.env.STILLPOINT_NO_SKIP === '1' && !missing.expectedMissing) {
    describe(name, () => {
      it('has its prerequisites', () => {
        throw new Error(`${name} could not run: ${missing.reason}`);
      });
    });
    return;
  }
  describe.skip(`${name} [skipped: ${missing.reason}]`, body);
}
