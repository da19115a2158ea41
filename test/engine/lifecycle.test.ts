import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/engine/lifecycle.ts';
import { StateStore } from '../../src/engine/state.ts';
import { STAGES } from '../../src/events/types.ts';
import { SecretStore } from '../../src/base/secret.ts';
import type { JobPlan } from '../../src/plan/types.ts';
import { listSnapshots } from '../../src/targets/tree/layout.ts';
import { EventLog, failingProvider, partsWith } from './support/parts.ts';
import { commandWriter, copyProvider, job, plan, shHook, treeTarget } from './support/plan.ts';
import { CallLog, RecordingWriter } from './support/recording-writer.ts';
import type { EngineParts } from '../../src/engine/parts.ts';
import type { SnapshotProvider } from '../../src/providers/provider.ts';

let dir: string;
let volume: string;
let backups: string;
let hookLog: string;
let state: StateStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-lifecycle-'));
  volume = join(dir, 'volume');
  backups = join(dir, 'backups');
  hookLog = join(dir, 'hooks.log');
  state = new StateStore(join(dir, 'state'));
  await mkdir(join(volume, 'sub'), { recursive: true });
  await writeFile(join(volume, 'a.txt'), 'alpha\n');
  await writeFile(join(volume, 'sub', 'b.txt'), 'beta\n');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A hook that appends its stage and, where set, the status and error to hooks.log. */
function logHook(stage: Parameters<typeof shHook>[0], extra = '') {
  return shHook(stage, `echo "$STILLPOINT_STAGE \${STILLPOINT_STATUS:-} \${STILLPOINT_ERROR:-}${extra}" >> '${hookLog}'`);
}

async function hookLines(): Promise<string[]> {
  return (await readFile(hookLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => l.trim());
}

async function run(jobPlan: JobPlan, parts: EngineParts, options: { dryRun?: boolean; secrets?: SecretStore } = {}) {
  const events = new EventLog();
  const result = await runPlan({
    plan: plan([jobPlan]),
    secrets: options.secrets ?? new SecretStore(),
    sinks: [events],
    parts,
    signal: new AbortController().signal,
    state,
    dryRun: options.dryRun,
  });
  return { result, events };
}

const allHooks = () => [
  logHook('before-backup'),
  logHook('before-snapshot'),
  logHook('after-snapshot'),
  logHook('after-backup'),
  logHook('on-error'),
];

describe('a full run with the copy provider and the tree target', () => {
  it('walks the stages in order, drives the writer protocol and copies the volume', async () => {
    const log = new CallLog();
    const writer = new RecordingWriter('books', log, {}, 'backup label of books');
    const { result, events } = await run(
      job('ledger', [volume], { writers: [commandWriter('books')], hooks: allHooks(), targets: [treeTarget(backups, { last: 5 })] }),
      partsWith({ writers: [writer] }),
    );

    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(events.ofType('stage.finished').map((e) => [e.stage, e.status])).toEqual(
      STAGES.map((stage) => [stage, stage === 'quiesce' ? 'skipped' : 'succeeded']),
    );
    expect(await hookLines()).toEqual(['BEFORE_BACKUP', 'BEFORE_SNAPSHOT', 'AFTER_SNAPSHOT', 'AFTER_BACKUP succeeded']);
    expect(log.lines()).toEqual([
      'books:identify',
      'books:prepare-backup',
      'books:prepare-snapshot',
      'books:freeze',
      'books:thaw',
      'books:post-snapshot',
      'books:backup-complete',
      'books:close',
    ]);
    // Writer steps get the hook environment; from post-snapshot on it names the snapshot paths.
    const envOf = (step: string) => writer.envs[log.lines().indexOf(`books:${step}`)];
    expect(envOf('freeze')).toMatchObject({ STILLPOINT_STAGE: 'BEFORE_SNAPSHOT', STILLPOINT_JOB: 'ledger', STILLPOINT_VOLUMES: volume });
    expect(envOf('post-snapshot')).toMatchObject({ STILLPOINT_STAGE: 'AFTER_SNAPSHOT', STILLPOINT_SNAPSHOT_PATHS: volume });
    const freeze = events.ofType('freeze.ended')[0];
    expect(freeze.timedOut).toBe(false);
    expect(freeze.writers.map((w) => w.writer)).toEqual(['books']);
    expect(freeze.windowMs).toBeGreaterThanOrEqual(freeze.writers[0].frozenMs);

    const order = events.events.map((e) => e.type);
    expect(order.indexOf('snapshot-set.created')).toBeLessThan(order.indexOf('copy.started'));
    expect(order.indexOf('copy.finished')).toBeLessThan(order.indexOf('snapshot-set.released'));
    expect(order.indexOf('snapshot-set.released')).toBeLessThan(order.indexOf('retention.pruned'));
    expect(order.at(-1)).toBe('run.finished');
    expect(events.events.map((e) => e.seq)).toEqual(events.events.map((_, i) => i + 1));

    const { complete } = await listSnapshots(backups);
    expect(complete).toHaveLength(1);
    const folderOf = (name: string) => join(complete[0].dir, complete[0].summary.volumes.find((v) => v.volume === name)!.folder);
    expect(await readFile(join(folderOf(volume), 'sub', 'b.txt'), 'utf8')).toBe('beta\n');
    // What the writer left for the backup travels with it.
    expect(await readFile(join(folderOf('stillpoint-artifacts'), 'books', 'label'), 'utf8')).toBe('backup label of books');
    expect(await state.leftoverSnapshotSets()).toEqual([]);
  });

  it('gives writers the previous stamp on an incremental run, and backup-type copy records none', async () => {
    const log = new CallLog();
    const first = new RecordingWriter('books', log);
    await run(job('ledger', [volume], { writers: [commandWriter('books')], targets: [treeTarget(backups)] }), partsWith({ writers: [first] }));
    expect(first.previousStamps).toEqual([undefined]);
    const recorded = first.completedStamps[0]!;
    expect(recorded.backupType).toBe('full');

    const copyRun = new RecordingWriter('books', log);
    await run(job('ledger', [volume], { backupType: 'copy', writers: [commandWriter('books')], targets: [treeTarget(backups)] }), partsWith({ writers: [copyRun] }));
    expect(copyRun.completedStamps).toEqual([undefined]);

    const incremental = new RecordingWriter('books', log);
    await run(
      job('ledger', [volume], { backupType: 'incremental', writers: [commandWriter('books')], targets: [treeTarget(backups)] }),
      partsWith({ writers: [incremental] }),
    );
    expect(incremental.previousStamps).toEqual([recorded]);
    expect((await state.stamps('ledger')).lastBackup?.backupType).toBe('incremental');
    expect((await state.stamps('ledger')).lastFull).toEqual(recorded);
  });
});

describe('failures', () => {
  it('a failing hook fails the job; after-backup and on-error still run and see the failure', async () => {
    const hooks = [...allHooks(), shHook('after-snapshot', 'exit 7')];
    const { result, events } = await run(job('ledger', [volume], { hooks, targets: [treeTarget(backups)] }), partsWith());

    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    const finished = events.ofType('job.finished')[0];
    expect(finished.failedStage).toBe('snapshot');
    expect(finished.error).toMatch(/exited with code 7/);
    const lines = await hookLines();
    expect(lines.slice(0, 3)).toEqual(['BEFORE_BACKUP', 'BEFORE_SNAPSHOT', 'AFTER_SNAPSHOT']);
    expect(lines[3]).toBe('AFTER_BACKUP failed');
    expect(lines[4]).toMatch(/^ON_ERROR failed .*exited with code 7/);
    expect(events.ofType('snapshot-set.released')).toHaveLength(1);
    const stages = Object.fromEntries(events.ofType('stage.finished').map((e) => [e.stage, e.status]));
    expect(stages).toMatchObject({ copy: 'skipped', 'backup-complete': 'skipped', release: 'succeeded', retention: 'skipped', 'after-backup': 'succeeded' });
    expect((await listSnapshots(backups)).complete).toEqual([]);
  });

  it('a provider that fails mid-set: writers are thawed first, then the next provider takes the volumes', async () => {
    const log = new CallLog();
    const writer = new RecordingWriter('books', log);
    const lvm = failingProvider('lvm', log, 'lvcreate: insufficient free space');
    const { result, events } = await run(
      job('ledger', [volume], {
        providers: [{ name: 'lvm', size: { percent: 10 }, origin: 'test.still:1:1' }, copyProvider()],
        writers: [commandWriter('books')],
        targets: [treeTarget(backups)],
      }),
      partsWith({ writers: [writer], providers: { lvm } }),
    );

    expect(result.status).toBe('succeeded');
    expect(log.lines()).toEqual([
      'books:identify',
      'books:prepare-backup',
      'books:prepare-snapshot',
      'books:freeze',
      'lvm:create',
      'books:thaw',
      'books:prepare-snapshot',
      'books:freeze',
      'books:thaw',
      'books:post-snapshot',
      'books:backup-complete',
      'books:close',
    ]);
    const failed = events.ofType('provider.failed');
    expect(failed).toEqual([expect.objectContaining({ provider: 'lvm', setId: 'set-1', nextProvider: 'copy', error: 'lvcreate: insufficient free space' })]);
    expect(events.ofType('provider.chosen').map((e) => [e.provider, e.setId])).toEqual([
      ['lvm', 'set-1'],
      ['copy', 'set-2'],
    ]);
    expect(events.ofType('snapshot-set.created').map((e) => e.setId)).toEqual(['set-2']);
  });

  it('a provider slower than the freeze window: its set fails, the next provider takes over, and the late set is released unused', async () => {
    const log = new CallLog();
    const writer = new RecordingWriter('books', log);
    const empty = join(dir, 'empty-snapshot');
    await mkdir(empty);
    const released: string[] = [];
    const slowZfs: SnapshotProvider = {
      name: 'zfs',
      probe: async () => ({ available: true }),
      // Like a snapshot tool stuck on a busy pool: it ignores the abort and answers late.
      createSnapshotSet: async (volumes) => {
        await new Promise((resolve) => setTimeout(resolve, 700));
        const release = async () => void released.push('zfs set');
        return { id: 'zfs-late', provider: 'zfs', snapshots: volumes.map((v) => ({ volume: v.name, snapshotPath: empty })), release, [Symbol.asyncDispose]: release };
      },
      cleanupLeftovers: async () => [],
    };
    const { result, events } = await run(
      job('ledger', [volume], {
        providers: [{ name: 'zfs', origin: 'test.still:1:1' }, copyProvider()],
        freezeTimeoutMs: 250,
        writers: [commandWriter('books')],
        targets: [treeTarget(backups)],
      }),
      partsWith({ writers: [writer], providers: { zfs: slowZfs } }),
    );
    expect(result.status).toBe('succeeded');
    expect(events.ofType('provider.failed')[0]).toMatchObject({ provider: 'zfs', setId: 'set-1', nextProvider: 'copy' });
    expect(events.ofType('provider.failed')[0].error).toMatch(/freeze window of set-1 exceeded freeze-timeout 250ms/);
    expect(events.ofType('snapshot-set.created').map((e) => e.setId)).toEqual(['set-2']);
    // The copy read set-2 (the live volume), not the late set's empty folder.
    const { complete } = await listSnapshots(backups);
    expect(complete[0].summary.files).toBeGreaterThan(0);
    await expect.poll(() => released, { timeout: 3000 }).toEqual(['zfs set']);
    await expect.poll(() => events.ofType('snapshot-set.released').map((e) => e.setId).sort(), { timeout: 3000 }).toEqual(['set-1', 'set-2']);
    await expect.poll(() => state.leftoverSnapshotSets(), { timeout: 3000 }).toEqual([]);
  });

  it('a writer that hangs in freeze: the window ends at freeze-timeout, it is thawed, the run fails naming it', async () => {
    const log = new CallLog();
    const writer = new RecordingWriter('books', log, { hang: 'freeze' });
    const started = performance.now();
    const { result, events } = await run(
      job('ledger', [volume], { freezeTimeoutMs: 300, writers: [{ ...commandWriter('books'), timeoutMs: 5000 }], targets: [treeTarget(backups)] }),
      partsWith({ writers: [writer] }),
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(result.status).toBe('failed');
    expect(log.lines()).toContain('books:thaw');
    const ended = events.ofType('freeze.ended')[0];
    expect(ended.timedOut).toBe(true);
    expect(ended.windowMs).toBeGreaterThanOrEqual(290);
    expect(ended.windowMs).toBeLessThan(1500);
    expect(events.ofType('job.finished')[0].error).toMatch(/writer "books" failed in freeze/);
  });

  it('an optional writer that vetoes is reported and the set goes on', async () => {
    const log = new CallLog();
    const required = new RecordingWriter('books', log);
    const optional = new RecordingWriter('cache', log, { veto: 'freeze' });
    const { result, events } = await run(
      job('ledger', [volume], { writers: [commandWriter('books'), commandWriter('cache', false)], targets: [treeTarget(backups)] }),
      partsWith({ writers: [required, optional] }),
    );
    expect(result.status).toBe('succeeded');
    expect(events.ofType('writer.state').find((e) => e.writer === 'cache' && e.state === 'failed')?.error).toMatch(/refuses to freeze/);
    expect(events.ofType('warning').map((w) => w.message)).toContain('optional writer "cache" failed in freeze; the backup goes on without it');
    // Its freeze was called, so it is thawed too; after that it takes no part.
    expect(log.lines().filter((l) => l.startsWith('cache:'))).toEqual(['cache:identify', 'cache:prepare-backup', 'cache:prepare-snapshot', 'cache:freeze', 'cache:thaw', 'cache:close']);
  });

  it('a required writer that vetoes in prepare-snapshot fails the set with every provider, then the job', async () => {
    const log = new CallLog();
    const writer = new RecordingWriter('books', log, { veto: 'prepare-snapshot' });
    const { result, events } = await run(
      job('ledger', [volume], { writers: [commandWriter('books')], hooks: allHooks(), targets: [treeTarget(backups)] }),
      partsWith({ writers: [writer] }),
    );
    expect(result.status).toBe('failed');
    expect(events.ofType('job.finished')[0].error).toMatch(/snapshot set set-1 \(copy\) failed: writer "books" failed in prepare-snapshot: books refuses .*no later provider/);
    expect(await hookLines()).toEqual(['BEFORE_BACKUP', 'BEFORE_SNAPSHOT', 'AFTER_BACKUP failed', expect.stringMatching(/^ON_ERROR failed snapshot set/)]);
  });

  it('a writer that cannot be made fails prepare; the writers made before it are closed', async () => {
    const log = new CallLog();
    const parts = partsWith({ writers: [new RecordingWriter('books', log)] });
    const failing: EngineParts = {
      ...parts,
      createWriter: async (writerPlan, secrets) => {
        if (writerPlan.name === 'ledger-db') throw new Error('cannot open /srv/ledger.db: no such file');
        return parts.createWriter(writerPlan, secrets);
      },
    };
    const { result, events } = await run(
      job('ledger', [volume], { writers: [commandWriter('books'), commandWriter('ledger-db')], targets: [treeTarget(backups)] }),
      failing,
    );
    expect(result.status).toBe('failed');
    expect(events.ofType('job.finished')[0]).toMatchObject({ failedStage: 'prepare', error: 'cannot open /srv/ledger.db: no such file' });
    expect(log.lines()).toEqual(['books:close']);
  });

  it('a volume that does not exist fails the job in prepare with a clear message', async () => {
    const missing = join(dir, 'no-such-volume');
    const { result, events } = await run(job('ledger', [missing], { hooks: allHooks(), targets: [treeTarget(backups)] }), partsWith());
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    const finished = events.ofType('job.finished')[0];
    expect(finished.failedStage).toBe('prepare');
    expect(finished.error).toMatch(new RegExp(`^test\\.still:1:5: volume "${missing}" does not exist`));
    expect(await hookLines()).toEqual(['BEFORE_BACKUP', 'AFTER_BACKUP failed', expect.stringMatching(/^ON_ERROR failed test\.still:1:5: volume/)]);
  });

  it('a second run of a job that is running exits with a message naming the holder', async () => {
    await using _held = await state.lockJob('ledger', 'other-run');
    const { result, events } = await run(job('ledger', [volume], { hooks: allHooks(), targets: [treeTarget(backups)] }), partsWith());
    expect(result.status).toBe('failed');
    expect(events.ofType('job.finished')[0].error).toMatch(new RegExp(`job "ledger" is already running \\(process ${process.pid} holds .*ledger\\.lock\\)`));
    // Nothing of the job ran, not even its after-backup hooks.
    expect(events.ofType('stage.started')).toEqual([]);
    expect(await hookLines()).toEqual([]);
  });

  it('a lock left by a dead process is taken over', async () => {
    const jobsDir = join(state.dir, 'jobs');
    await mkdir(jobsDir, { recursive: true });
    await writeFile(join(jobsDir, 'ledger.lock'), JSON.stringify({ pid: 2 ** 22 + 17, runId: 'killed' }));
    const { result } = await run(job('ledger', [volume], { targets: [treeTarget(backups)] }), partsWith());
    expect(result.status).toBe('succeeded');
    expect(await readdir(jobsDir)).not.toContain('ledger.lock');
  });
});

describe('cancelling', () => {
  it('a cancel between two stages stops the work there; release and after-backup still run', async () => {
    const controller = new AbortController();
    const events = new EventLog();
    // Cancels the moment the snapshot stage reports its end, before copy starts.
    const canceller = {
      emit: (event: (typeof events.events)[number]) => {
        if (event.type === 'stage.finished' && event.stage === 'snapshot') controller.abort(new Error('cancelled by SIGINT'));
      },
    };
    const result = await runPlan({
      plan: plan([job('ledger', [volume], { hooks: allHooks(), targets: [treeTarget(backups)] })]),
      secrets: new SecretStore(),
      sinks: [events, canceller],
      parts: partsWith(),
      signal: controller.signal,
      state,
    });
    expect(result).toMatchObject({ status: 'cancelled', exitCode: 1 });
    expect(events.ofType('job.finished')[0]).toMatchObject({ status: 'cancelled', failedStage: 'copy', error: 'cancelled by SIGINT' });
    const stages = Object.fromEntries(events.ofType('stage.finished').map((e) => [e.stage, e.status]));
    expect(stages).toMatchObject({ snapshot: 'succeeded', copy: 'skipped', 'backup-complete': 'skipped', release: 'succeeded', retention: 'skipped', 'after-backup': 'succeeded' });
    expect(await hookLines()).toEqual(['BEFORE_BACKUP', 'BEFORE_SNAPSHOT', 'AFTER_SNAPSHOT', 'AFTER_BACKUP failed', 'ON_ERROR failed cancelled by SIGINT']);
    expect((await listSnapshots(backups)).complete).toEqual([]);
  });
});

describe('a run of several jobs', () => {
  it('runs every job; the worst outcome decides the run', async () => {
    const events = new EventLog();
    const result = await runPlan({
      plan: plan([
        job('broken', [join(dir, 'missing')], { targets: [treeTarget(join(backups, 'broken'))] }),
        job('fine', [volume], { targets: [treeTarget(join(backups, 'fine'))] }),
      ]),
      secrets: new SecretStore(),
      sinks: [events],
      parts: partsWith(),
      signal: new AbortController().signal,
      state,
    });
    expect(result.jobs.map((j) => [j.job, j.status])).toEqual([
      ['broken', 'failed'],
      ['fine', 'succeeded'],
    ]);
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(events.ofType('job.finished').map((e) => e.job)).toEqual(['broken', 'fine']);
    expect((await listSnapshots(join(backups, 'fine'))).complete).toHaveLength(1);
  });

  it('runs only the jobs asked for', async () => {
    const events = new EventLog();
    await runPlan({
      plan: plan([job('one', [volume]), job('two', [volume])]),
      secrets: new SecretStore(),
      sinks: [events],
      parts: partsWith(),
      signal: new AbortController().signal,
      state,
      jobs: ['two'],
      dryRun: true,
    });
    expect(events.ofType('run.started')[0].jobs).toEqual(['two']);
    expect(events.ofType('job.started').map((e) => e.job)).toEqual(['two']);
  });
});

describe('secrets and dry runs', () => {
  it('scrubs secret values from every event, hook output included', async () => {
    const secrets = new SecretStore();
    secrets.add('hunter2-very-secret');
    const hooks = [shHook('before-backup', "echo 'token is hunter2-very-secret'")];
    const { events } = await run(job('ledger', [volume], { hooks, targets: [treeTarget(backups)] }), partsWith(), { secrets });
    const text = JSON.stringify(events.events);
    expect(text).not.toContain('hunter2-very-secret');
    expect(events.ofType('hook.output').map((e) => e.line)).toContain('token is ***');
  });

  it('a dry run probes providers and says what it would do, but runs no hook, snapshot or copy', async () => {
    const log = new CallLog();
    const writer = new RecordingWriter('books', log);
    const { result, events } = await run(
      job('ledger', [volume], { writers: [commandWriter('books')], hooks: allHooks(), targets: [treeTarget(backups, { last: 3 })] }),
      partsWith({ writers: [writer] }),
      { dryRun: true },
    );
    expect(result.status).toBe('succeeded');
    expect(await hookLines()).toEqual([]);
    expect(log.lines()).toEqual([]);
    expect(events.ofType('provider.chosen')).toEqual([expect.objectContaining({ provider: 'copy', setId: 'set-1' })]);
    expect(events.ofType('snapshot-set.created')).toEqual([]);
    expect(events.ofType('copy.started')).toEqual([]);
    const steps = events.ofType('dry-run.step').map((e) => `${e.stage}: ${e.action}`);
    expect(steps).toEqual([
      expect.stringMatching(/^before-backup: run before-backup hook at test\.still:\d+:3 \(sh\)$/),
      `prepare: open tree target ${backups}`,
      'prepare: writer books (command): identify, prepare-backup',
      'snapshot: create snapshot set set-1 with copy of ' + volume,
      expect.stringMatching(/^snapshot: run before-snapshot hook/),
      expect.stringMatching(/^snapshot: run after-snapshot hook/),
      `copy: copy the snapshot paths to tree ${backups}`,
      'backup-complete: writers backup-complete; record the backup stamp',
      `retention: apply keep to tree ${backups}`,
      expect.stringMatching(/^after-backup: run after-backup hook/),
    ]);
    await expect(readdir(backups)).rejects.toThrow();
    await expect(readdir(state.dir)).rejects.toThrow();
  });
});
