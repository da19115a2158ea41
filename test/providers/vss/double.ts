// Builds and drives the VSS ABI test double (native/) for the VSS tests: the binding loads it
// through STILLPOINT_VSS_LIBRARY exactly as it loads vssapi.dll on Windows; the tests read
// its journal and live-object count through koffi on the side.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import koffi from 'koffi';
import { MINGW_INCLUDE } from '../../../native/vss-header.ts';
import type { Requirement } from '../../support/requirements.ts';

export const NATIVE = resolve(import.meta.dirname, '../../../native');
export const DOUBLE_LIBRARY = join(NATIVE, 'build', 'libvssdouble.so');

export function mingwHeaders(): Requirement {
  return { ok: existsSync(join(MINGW_INCLUDE, 'vsbackup.h')), reason: `needs MinGW-w64's headers in ${MINGW_INCLUDE} (apt-get install mingw-w64-common)` };
}

export function buildDouble(): void {
  execFileSync('sh', [join(NATIVE, 'build.sh')], { stdio: 'pipe' });
}

let side: { journal: () => string; reset: () => void; live: () => number } | undefined;

/** The double's own view: the calls it received and the objects not yet released. */
export function doubleSide() {
  if (!side) {
    const lib = koffi.load(DOUBLE_LIBRARY);
    side = {
      journal: lib.func('const char *VssDoubleJournal(void)') as () => string,
      reset: lib.func('void VssDoubleResetJournal(void)') as () => void,
      live: lib.func('long VssDoubleLive(void)') as () => number,
    };
  }
  return side;
}

export interface DoubleConfig {
  writers?: Array<[string, 'stable' | 'freeze-fail' | 'freeze-timeout']>;
  asyncMs?: number;
  hangMs?: number;
  fail?: Array<[string, number]>;
}

export function configText(store: string, config: DoubleConfig): string {
  const parts = [`store=${store}`];
  if (config.writers) parts.push(`writers=${config.writers.map(([n, b]) => `${n}:${b}`).join(',')}`);
  if (config.asyncMs !== undefined) parts.push(`async-ms=${config.asyncMs}`);
  if (config.hangMs !== undefined) parts.push(`hang-ms=${config.hangMs}`);
  if (config.fail) parts.push(`fail=${config.fail.map(([m, hr]) => `${m}:0x${(hr >>> 0).toString(16)}`).join(',')}`);
  return parts.join(';');
}

/** Points the binding and the double at a fresh store and state directory; returns the paths. */
export async function useDouble(config: DoubleConfig): Promise<{ store: string; state: string; root: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'stillpoint-vss-'));
  const store = join(root, 'store');
  const state = join(root, 'state');
  const names = ['STILLPOINT_VSS_LIBRARY', 'STILLPOINT_STATE_DIR', 'STILLPOINT_VSS_DOUBLE'] as const;
  const saved = names.map((name) => process.env[name]);
  process.env.STILLPOINT_VSS_LIBRARY = DOUBLE_LIBRARY;
  process.env.STILLPOINT_STATE_DIR = state;
  process.env.STILLPOINT_VSS_DOUBLE = configText(store, config);
  doubleSide().reset();
  const dispose = async () => {
    names.forEach((name, i) => (saved[i] === undefined ? delete process.env[name] : (process.env[name] = saved[i])));
    await rm(root, { recursive: true, force: true });
  };
  return { store, state, root, dispose };
}
