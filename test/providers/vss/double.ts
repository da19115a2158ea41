// Builds and drives the VSS ABI test double (native/) for the VSS tests: the binding loads it
// through STILLPOINT_VSS_LIBRARY exactly as it loads vssapi.dll on Windows; the tests read
// its journal and live-object count through koffi on the side. On Linux it is a .so built
// here; on Windows (Node under Wine, scripts/windows-lane.sh) the DLL that lane built.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve, win32 } from 'node:path';
import koffi from 'koffi';
import { MINGW_INCLUDE } from '../../../native/vss-header.ts';
import { command, linux, type Requirement } from '../../support/requirements.ts';

export const NATIVE = resolve(import.meta.dirname, '../../../native');
const WINDOWS = process.platform === 'win32';
export const DOUBLE_LIBRARY = join(NATIVE, 'build', WINDOWS ? 'vssdouble.dll' : 'libvssdouble.so');

export function mingwHeaders(): Requirement {
  return { ok: existsSync(join(MINGW_INCLUDE, 'vsbackup.h')), reason: `needs MinGW-w64's headers in ${MINGW_INCLUDE} (apt-get install mingw-w64-common)` };
}

/** What running the double needs here: gcc and MinGW's headers on Linux, the built DLL on Windows. */
export function doubleRequirements(): Requirement[] {
  if (WINDOWS) return [{ ok: existsSync(DOUBLE_LIBRARY) && testDrives().length >= 2, reason: 'needs native/build/vssdouble.dll (sh native/build.sh windows) and two test drives in STILLPOINT_TEST_DRIVES (scripts/windows-lane.sh)' }];
  return [linux(), command('gcc', 'apt-get install gcc'), mingwHeaders()];
}

export function buildDouble(): void {
  if (!WINDOWS) execFileSync('sh', [join(NATIVE, 'build.sh')], { stdio: 'pipe' });
}

/** Drives that hold nothing but test volumes ("D:,E:"): Windows' VSS snapshots a whole volume. */
function testDrives(): string[] {
  return (process.env.STILLPOINT_TEST_DRIVES ?? '').split(',').filter(Boolean);
}

/**
 * Where a test's index-th volume lives. On Linux a folder under the test's root; on Windows a
 * folder on a drive of its own, because AddToSnapshotSet takes the volume that holds the path
 * (GetVolumePathNameW: "D:\\"), and the double copies all of it.
 */
export function volumeRootOf(root: string, index: number, name: string): string {
  if (!WINDOWS) return join(root, 'volumes', name);
  return win32.join(`${testDrives()[index]!}\\`, basename(root), name);
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
    if (WINDOWS) for (const drive of testDrives()) await rm(win32.join(`${drive}\\`, basename(root)), { recursive: true, force: true });
  };
  return { store, state, root, dispose };
}
