// Stillpoint's marker for VSS shadow copies. A shadow copy has no name to carry a marker, so
// the id of every snapshot set Stillpoint starts is written to the state directory (vss/
// <set id>.json, with the job, run and process) before DoSnapshotSet, and removed once the
// set is deleted. `cleanupLeftovers` deletes the sets whose process is gone. On Windows the
// backup context is non-persistent, so VSS itself drops the shadow copies of a requester
// that died; the ledger catches what it did not (and what the test double cannot).

import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../../base/process.ts';
import { stateDirectory } from '../../base/state-directory.ts';

export interface LedgerEntry {
  setId: string;
  job: string;
  runId: string;
  pid: number;
  recorded: string;
}

export class VssLedger {
  readonly dir: string;

  constructor(dir = join(stateDirectory(), 'vss')) {
    this.dir = dir;
  }

  #file(setId: string): string {
    return join(this.dir, `${setId.replace(/[{}]/g, '').toLowerCase()}.json`);
  }

  async record(entry: Omit<LedgerEntry, 'pid' | 'recorded'>): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file(entry.setId);
    const full: LedgerEntry = { ...entry, pid: process.pid, recorded: new Date().toISOString() };
    await writeFile(`${file}.tmp`, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  async forget(setId: string): Promise<void> {
    await rm(this.#file(setId), { force: true });
  }

  /** Sets of this job whose process is gone. */
  async leftovers(job: string): Promise<LedgerEntry[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const entries: LedgerEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        const entry = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as LedgerEntry;
        if (entry.job === job && !isAlive(entry.pid)) entries.push(entry);
      } catch {
        // A half-written entry (killed between write and rename) names no set yet.
      }
    }
    return entries;
  }
}
