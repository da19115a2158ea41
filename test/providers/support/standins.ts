// Puts the recording stand-ins of test/fixtures/bin first on PATH for one test file, each test
// with a fresh state folder. They are stand-ins, not lvm2 or ZFS: this machine has neither.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';

const BIN = fileURLToPath(new URL('../../fixtures/bin', import.meta.url));

export interface StandinState {
  lvs?: Array<{ device: string; vg: string; lv: string; attr: string; dir: string }>;
  datasets?: Record<string, string>;
  snapshots?: string[];
}

export interface Standins {
  /** A fresh folder for this test (also holds the stand-ins' state). */
  dir: string;
  setState(state: StandinState): void;
  state(): StandinState & { mounts: Record<string, string> };
  /** Every call so far, as argv arrays (program name first), in order. */
  calls(): string[][];
  clearCalls(): void;
}

export function useStandins(): Standins {
  const saved = { PATH: process.env.PATH, STANDIN_STATE: process.env.STANDIN_STATE };
  const standins = { dir: '' } as Standins;
  beforeEach(() => {
    standins.dir = mkdtempSync(join(tmpdir(), 'stillpoint-standins-'));
    process.env.PATH = `${BIN}:${saved.PATH}`;
    process.env.STANDIN_STATE = standins.dir;
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.STANDIN_STATE === undefined) delete process.env.STANDIN_STATE;
    else process.env.STANDIN_STATE = saved.STANDIN_STATE;
    rmSync(standins.dir, { recursive: true, force: true });
  });
  const log = () => join(standins.dir, 'calls.log');
  standins.setState = (state) => writeFileSync(join(standins.dir, 'state.json'), JSON.stringify(state));
  standins.state = () => JSON.parse(readFileSync(join(standins.dir, 'state.json'), 'utf8'));
  standins.calls = () =>
    existsSync(log())
      ? readFileSync(log(), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as string[])
      : [];
  standins.clearCalls = () => rmSync(log(), { force: true });
  return standins;
}
