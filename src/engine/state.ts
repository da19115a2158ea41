// The state directory: what must outlive one run. A per-job lock (so that two runs of one job
// never interleave), the backup stamps writers compare against (LANGUAGE.md §5 step 3), and a
// record of every snapshot set that may still exist, written before the set is created and
// removed after it is released, so that `stillpoint cleanup` and the next run find what a
// killed run left behind.

import { link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../base/process.ts';
import { stateDirectory } from '../base/state-directory.ts';
import type { ProviderPlan } from '../plan/types.ts';
import type { VolumeInfo } from '../providers/provider.ts';
import type { BackupStamp } from '../writers/writer.ts';

export interface JobStamps {
  lastFull?: BackupStamp;
  lastBackup?: BackupStamp;
}

/** A snapshot set that may exist: recorded before it is created, removed after release. */
export interface SnapshotSetRecord {
  runId: string;
  pid: number;
  job: string;
  setId: string;
  provider: ProviderPlan;
  volumes: VolumeInfo[];
  recorded: string;
}

export class JobLockedError extends Error {
  readonly pid: number;

  constructor(job: string, pid: number, lockFile: string) {
    super(`job "${job}" is already running (process ${pid} holds ${lockFile}); wait for it to finish or stop that process`);
    this.name = 'JobLockedError';
    this.pid = pid;
  }
}

export class StateStore {
  readonly dir: string;

  constructor(dir: string = stateDirectory()) {
    this.dir = dir;
  }

  /** Takes the job's lock or throws JobLockedError naming the holder. A dead holder's lock is taken over. */
  async lockJob(job: string, runId: string): Promise<AsyncDisposable> {
    const file = join(await this.#subdir('jobs'), `${fileName(job)}.lock`);
    const content = `${JSON.stringify({ pid: process.pid, runId, started: new Date().toISOString() })}\n`;
    // The lock file appears with its content in one step (link of a written file), so a
    // second run never reads a half-written lock.
    const draft = `${file}.${process.pid}.${runId.replace(/[^A-Za-z0-9-]/g, '_')}.tmp`;
    await writeFile(draft, content, { mode: 0o600 });
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await link(draft, file);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
          const holder = await readJson<{ pid: number }>(file);
          if (holder && isAlive(holder.pid)) throw new JobLockedError(job, holder.pid, file);
          await rm(file, { force: true });
        }
      }
    } finally {
      await rm(draft, { force: true });
    }
    return {
      [Symbol.asyncDispose]: async () => {
        // Only our own lock: a lock someone took over after us is theirs.
        if ((await readFile(file, 'utf8').catch(() => '')) === content) await rm(file, { force: true });
      },
    };
  }

  async stamps(job: string): Promise<JobStamps> {
    return (await readJson<JobStamps>(join(this.dir, 'jobs', `${fileName(job)}.stamps.json`))) ?? {};
  }

  async recordStamp(job: string, stamp: BackupStamp): Promise<void> {
    const stamps = await this.stamps(job);
    const next: JobStamps = { ...stamps, lastBackup: stamp, ...(stamp.backupType === 'full' ? { lastFull: stamp } : {}) };
    await writeAtomically(join(await this.#subdir('jobs'), `${fileName(job)}.stamps.json`), next);
  }

  async recordSnapshotSet(record: SnapshotSetRecord): Promise<void> {
    await writeAtomically(join(await this.#subdir('snapshot-sets'), recordName(record)), record);
  }

  async forgetSnapshotSet(record: Pick<SnapshotSetRecord, 'runId' | 'setId'>): Promise<void> {
    await rm(join(this.dir, 'snapshot-sets', recordName(record)), { force: true });
  }

  /** Records of sets whose run is over (its process is gone): leftovers of a killed run. */
  async leftoverSnapshotSets(job?: string): Promise<SnapshotSetRecord[]> {
    const dir = join(this.dir, 'snapshot-sets');
    const names = await readdir(dir).catch(() => [] as string[]);
    const records: SnapshotSetRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const record = await readJson<SnapshotSetRecord>(join(dir, name));
      if (record && (job === undefined || record.job === job) && !isAlive(record.pid)) records.push(record);
    }
    return records;
  }

  async #subdir(name: string): Promise<string> {
    const dir = join(this.dir, name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
}

function recordName(record: Pick<SnapshotSetRecord, 'runId' | 'setId'>): string {
  return `${fileName(record.runId)}.${fileName(record.setId)}.json`;
}

/** Job names are free text: keep them to one safe path component. */
function fileName(name: string): string {
  return encodeURIComponent(name).replace(/^\./, '%2E');
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function writeAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
