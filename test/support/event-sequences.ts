// Realistic event sequences for renderer, report and metrics tests: what the engine emits for
// a job run through the lifecycle of LANGUAGE.md §5, with times that advance like a real run.

import { EVENT_SCHEMA_VERSION, type Stage, type StillpointEvent, type StillpointEventBody } from '../../src/events/types.ts';

export class EventSequence {
  readonly events: StillpointEvent[] = [];
  readonly runId: string;
  #clockMs: number;
  job: string | undefined;

  constructor(options: { runId?: string; start?: string; job?: string } = {}) {
    this.runId = options.runId ?? 'run-0001';
    this.#clockMs = Date.parse(options.start ?? '2026-11-23T09:30:00.000Z');
    this.job = options.job;
  }

  /** Moves the clock forward. */
  wait(ms: number): this {
    this.#clockMs += ms;
    return this;
  }

  get nowMs(): number {
    return this.#clockMs;
  }

  emit(body: StillpointEventBody, options: { job?: string | null } = {}): this {
    const job = options.job === null ? undefined : (options.job ?? this.job);
    this.events.push({
      v: EVENT_SCHEMA_VERSION,
      seq: this.events.length + 1,
      time: new Date(this.#clockMs).toISOString(),
      runId: this.runId,
      ...(job !== undefined ? { job } : {}),
      ...body,
    } as StillpointEvent);
    return this;
  }

  /** stage.started, the body, then stage.finished with the time the body took. */
  stage(stage: Stage, body: (s: this) => void = () => {}, outcome: { status?: 'succeeded' | 'failed' | 'skipped'; error?: string } = {}): this {
    const started = this.#clockMs;
    this.emit({ type: 'stage.started', stage });
    body(this);
    this.wait(3);
    return this.emit({ type: 'stage.finished', stage, status: outcome.status ?? 'succeeded', durationMs: this.#clockMs - started, ...(outcome.error ? { error: outcome.error } : {}) });
  }

  /**
   * copy.started, progress every `everyMs` until done, copy.finished. `scanSteps`: the totals
   * are counted beside the copy (the tree target's scan); the first `scanSteps` progress events
   * carry the counts so far, each a tenth of the totals more.
   */
  copy(
    target: string,
    kind: string,
    totalBytes: number,
    totalFiles: number,
    options: { everyMs?: number; steps?: number; stopAt?: number; skipped?: number; scanSteps?: number; estimate?: { bytes: number; files: number } } = {},
  ): this {
    const steps = options.steps ?? 10;
    const scanSteps = options.scanSteps ?? 0;
    this.emit({ type: 'copy.started', target, kind, ...(scanSteps ? {} : { totalBytes, totalFiles }) });
    const last = options.stopAt ?? steps;
    for (let i = 1; i <= last; i += 1) {
      this.wait(options.everyMs ?? 1000);
      const estimate = options.estimate && { estimatedBytes: options.estimate.bytes, estimatedFiles: options.estimate.files };
      const scanned = i <= scanSteps ? { scannedBytes: Math.round((totalBytes * i) / 10), scannedFiles: Math.round((totalFiles * i) / 10), ...estimate } : { totalBytes, totalFiles };
      this.emit({ type: 'copy.progress', target, bytesDone: Math.round((totalBytes * i) / steps), filesDone: Math.round((totalFiles * i) / steps), ...scanned });
    }
    if (options.stopAt !== undefined) return this;
    const skipped = options.skipped ?? 0;
    return this.emit({ type: 'copy.finished', target, kind, status: skipped ? 'partial' : 'succeeded', bytes: totalBytes, files: totalFiles - skipped, skipped, snapshotId: '2026-11-23T093000', location: `${target}/2026-11-23T093000` });
  }

  hook(hookId: string, stage: string, action: string, lines: string[], status: 'succeeded' | 'failed' = 'succeeded'): this {
    const started = this.#clockMs;
    this.emit({ type: 'hook.started', hookId, stage, action, origin: 'nightly.still:7' });
    for (const line of lines) this.wait(20).emit({ type: 'hook.output', hookId, stream: 'stdout', line });
    this.wait(15);
    return this.emit({ type: 'hook.finished', hookId, stage, exitCode: status === 'succeeded' ? 0 : 1, durationMs: this.#clockMs - started, status });
  }
}

const TARGET = '/srv/backups/ledger';
const GiB = 1024 ** 3;

function runStart(s: EventSequence, script = 'nightly.still'): void {
  s.emit({ type: 'run.started', script, jobs: ['ledger'], dryRun: false, platform: 'linux', hostname: 'db1' }, { job: null });
  // The plan is evaluated once for the whole run, before any job starts.
  s.emit({ type: 'stage.started', stage: 'plan' }, { job: null });
  s.wait(40).emit({ type: 'stage.finished', stage: 'plan', status: 'succeeded', durationMs: 40 }, { job: null });
  s.emit({
    type: 'job.started',
    volumes: ['/srv/ledger'],
    providers: ['btrfs', 'copy'],
    writers: [
      { name: 'books', kind: 'sqlite' },
      { name: 'ledger-pg', kind: 'postgres' },
    ],
    targets: [{ kind: 'tree', location: TARGET }],
  });
}

function writers(s: EventSequence, state: 'stable' | 'preparing' | 'frozen' | 'thawed', step: string): void {
  s.emit({ type: 'writer.state', writer: 'books', kind: 'sqlite', state, step });
  s.emit({ type: 'writer.state', writer: 'ledger-pg', kind: 'postgres', state, step });
}

/** The part up to a frozen snapshot set: the sequence stops while writers are frozen. */
export interface SequenceStart {
  start?: string;
  runId?: string;
}

export function runUntilFrozen(options: SequenceStart = {}): EventSequence {
  const s = new EventSequence({ job: 'ledger', ...options });
  runStart(s);
  s.stage('before-backup', () => s.hook('h1', 'before-backup', 'run systemctl start ledger-maintenance.service', ['maintenance started']));
  s.stage('prepare', () => {
    s.emit({ type: 'provider.chosen', provider: 'btrfs', volumes: ['/srv/ledger'], setId: 'set-1' });
    writers(s, 'preparing', 'prepare-backup');
    s.wait(40);
    writers(s, 'stable', 'prepare-backup');
  });
  s.stage('quiesce', () => {
    s.emit({ type: 'quiesce.waiting', idleMs: 3000, withinMs: 120_000, quietForMs: 0 });
    s.wait(3000).emit({ type: 'quiesce.waiting', idleMs: 3000, withinMs: 120_000, quietForMs: 3000 });
  });
  s.emit({ type: 'stage.started', stage: 'snapshot' });
  writers(s, 'preparing', 'prepare-snapshot');
  s.wait(30);
  s.emit({ type: 'freeze.started', setId: 'set-1', budgetMs: 10_000, writers: ['books', 'ledger-pg'] });
  writers(s, 'frozen', 'freeze');
  s.wait(800);
  return s;
}

/** A successful run: btrfs takes the volume, both writers freeze for 0.8 s, one tree target. */
export function successfulRun(options: SequenceStart = {}): EventSequence {
  const s = runUntilFrozen(options);
  s.emit({ type: 'snapshot-set.created', setId: 'set-1', provider: 'btrfs', snapshots: [{ volume: '/srv/ledger', volumeId: '0b6c1f9e-7d1a-4c59-9d3e-1f0a2b3c4d5e', snapshotPath: '/srv/ledger/.stillpoint/run-0001' }], durationMs: 12 });
  s.emit({ type: 'freeze.ended', setId: 'set-1', windowMs: 812, writers: [{ writer: 'books', frozenMs: 812 }, { writer: 'ledger-pg', frozenMs: 798 }], timedOut: false });
  writers(s, 'thawed', 'thaw');
  s.wait(5);
  s.hook('h2', 'after-snapshot', 'sh { echo snapshot at $STILLPOINT_SNAPSHOT_PATHS }', ['snapshot at /srv/ledger/.stillpoint/run-0001']);
  s.emit({ type: 'stage.finished', stage: 'snapshot', status: 'succeeded', durationMs: 900 });
  s.stage('copy', () => s.copy(TARGET, 'tree', 2 * GiB, 50_000));
  s.stage('backup-complete', () => writers(s, 'stable', 'backup-complete'));
  s.stage('release', () => s.emit({ type: 'snapshot-set.released', setId: 'set-1', provider: 'btrfs' }));
  s.stage('retention', () => s.emit({ type: 'retention.pruned', target: TARGET, removed: ['2026-11-01T233000'], kept: ['2026-11-22T233000', '2026-11-23T093000'] }));
  s.stage('after-backup', () => s.hook('h3', 'after-backup', 'sh { logger done }', []));
  s.emit({ type: 'job.finished', status: 'succeeded', exitCode: 0, durationMs: s.nowMs - Date.parse(s.events[0]!.time), bytes: 2 * GiB, files: 50_000, skipped: 0 });
  s.emit({ type: 'run.finished', status: 'succeeded', exitCode: 0, durationMs: s.nowMs - Date.parse(s.events[0]!.time), reportPath: '/var/log/stillpoint/ledger.html' }, { job: null });
  return s;
}

/** btrfs is unavailable, fsfreeze fails mid-set (writers thawed), copy takes over: partial. */
export function providerFallbackRun(options: SequenceStart = {}): EventSequence {
  const s = new EventSequence({ job: 'ledger', ...options });
  runStart(s);
  s.stage('before-backup');
  s.stage('prepare', () => {
    s.emit({ type: 'provider.skipped', provider: 'btrfs', volumes: ['/srv/ledger'], reason: '/srv/ledger is on ext4, not btrfs' });
    s.emit({ type: 'provider.chosen', provider: 'fsfreeze', volumes: ['/srv/ledger'], setId: 'set-1' });
    writers(s, 'stable', 'prepare-backup');
  });
  s.stage('quiesce', () => {}, { status: 'skipped' });
  s.stage('snapshot', () => {
    s.emit({ type: 'freeze.started', setId: 'set-1', budgetMs: 10_000, writers: ['books', 'ledger-pg'] });
    writers(s, 'frozen', 'freeze');
    s.wait(450);
    s.emit({ type: 'provider.failed', provider: 'fsfreeze', volumes: ['/srv/ledger'], setId: 'set-1', error: 'FIFREEZE on /srv/ledger: Operation not supported', nextProvider: 'copy' });
    s.emit({ type: 'freeze.ended', setId: 'set-1', windowMs: 451, writers: [{ writer: 'books', frozenMs: 451 }, { writer: 'ledger-pg', frozenMs: 449 }], timedOut: false });
    writers(s, 'thawed', 'thaw');
    s.emit({ type: 'provider.chosen', provider: 'copy', volumes: ['/srv/ledger'], setId: 'set-2' });
    s.emit({ type: 'snapshot-set.created', setId: 'set-2', provider: 'copy', snapshots: [{ volume: '/srv/ledger', snapshotPath: '/srv/ledger' }], durationMs: 1 });
  });
  s.stage('copy', () => {
    s.copy(TARGET, 'tree', 512 * 1024 ** 2, 1200, { skipped: 2, steps: 4 });
    s.emit({ type: 'file.skipped', path: '/srv/ledger/books.db-wal', reason: 'changed-during-copy', detail: 'size 4096 -> 8192 while read, after 2 retries' });
    s.emit({ type: 'file.skipped', path: '/srv/ledger/locks/<script>alert(1)</script>', reason: 'locked', detail: 'EBUSY: resource busy or locked' });
  });
  s.stage('backup-complete');
  s.stage('release', () => s.emit({ type: 'snapshot-set.released', setId: 'set-2', provider: 'copy' }));
  s.stage('retention', () => {}, { status: 'skipped' });
  s.stage('after-backup');
  s.emit({ type: 'warning', message: 'the run is partial: 2 files were left out by the copy provider', detail: 'see the report for the list' });
  s.emit({ type: 'job.finished', status: 'partial', exitCode: 3, durationMs: s.nowMs - Date.parse(s.events[0]!.time), bytes: 512 * 1024 ** 2, files: 1198, skipped: 2 });
  s.emit({ type: 'run.finished', status: 'partial', exitCode: 3, durationMs: s.nowMs - Date.parse(s.events[0]!.time) }, { job: null });
  return s;
}

/** A required writer vetoes its freeze: the snapshot set fails, the job fails. */
export function failedWriterRun(options: SequenceStart = {}): EventSequence {
  const s = new EventSequence({ job: 'ledger', ...options });
  runStart(s);
  s.stage('before-backup');
  s.stage('prepare', () => {
    s.emit({ type: 'provider.chosen', provider: 'btrfs', volumes: ['/srv/ledger'], setId: 'set-1' });
    writers(s, 'stable', 'prepare-backup');
  });
  s.stage('quiesce', () => {}, { status: 'skipped' });
  s.emit({ type: 'stage.started', stage: 'snapshot' });
  s.emit({ type: 'writer.state', writer: 'books', kind: 'sqlite', state: 'frozen', step: 'freeze' });
  s.wait(200);
  s.emit({ type: 'writer.state', writer: 'ledger-pg', kind: 'postgres', state: 'failed', step: 'freeze', error: 'CHECKPOINT timed out after 5 s' });
  s.emit({ type: 'writer.state', writer: 'books', kind: 'sqlite', state: 'thawed', step: 'thaw' });
  s.emit({ type: 'provider.failed', provider: 'btrfs', volumes: ['/srv/ledger'], setId: 'set-1', error: 'writer ledger-pg vetoed the snapshot: CHECKPOINT timed out after 5 s' });
  s.emit({ type: 'stage.finished', stage: 'snapshot', status: 'failed', durationMs: 210, error: 'writer ledger-pg vetoed the snapshot: CHECKPOINT timed out after 5 s' });
  s.stage('copy', () => {}, { status: 'skipped' });
  s.stage('backup-complete', () => {}, { status: 'skipped' });
  s.stage('release');
  s.stage('retention', () => {}, { status: 'skipped' });
  s.stage('after-backup', () => s.hook('h9', 'on-error', 'sh { mail -s failed ops }', ['mail queued']));
  s.emit({ type: 'job.finished', status: 'failed', exitCode: 1, durationMs: s.nowMs - Date.parse(s.events[0]!.time), error: 'writer ledger-pg vetoed the snapshot: CHECKPOINT timed out after 5 s', failedStage: 'snapshot', bytes: 0, files: 0, skipped: 0 });
  s.emit({ type: 'run.finished', status: 'failed', exitCode: 1, durationMs: s.nowMs - Date.parse(s.events[0]!.time) }, { job: null });
  return s;
}

/** The copy is 40% through when the person cancels: the snapshot is released, run cancelled. */
export function cancelledRun(): { untilCancel: EventSequence; rest: EventSequence } {
  const s = runUntilFrozen();
  s.emit({ type: 'snapshot-set.created', setId: 'set-1', provider: 'btrfs', snapshots: [{ volume: '/srv/ledger', snapshotPath: '/srv/ledger/.stillpoint/run-0001' }], durationMs: 12 });
  s.emit({ type: 'freeze.ended', setId: 'set-1', windowMs: 812, writers: [{ writer: 'books', frozenMs: 812 }, { writer: 'ledger-pg', frozenMs: 798 }], timedOut: false });
  writers(s, 'thawed', 'thaw');
  s.emit({ type: 'stage.finished', stage: 'snapshot', status: 'succeeded', durationMs: 850 });
  s.emit({ type: 'stage.started', stage: 'copy' });
  s.copy(TARGET, 'tree', 2 * GiB, 50_000, { stopAt: 4 });
  const cut = s.events.length;
  s.wait(200);
  s.emit({ type: 'copy.finished', target: TARGET, kind: 'tree', status: 'failed', bytes: Math.round(0.4 * 2 * GiB), files: 20_000, skipped: 0, error: 'cancelled' });
  s.emit({ type: 'stage.finished', stage: 'copy', status: 'failed', durationMs: 4200, error: 'cancelled' });
  s.stage('release', () => s.emit({ type: 'snapshot-set.released', setId: 'set-1', provider: 'btrfs' }));
  s.stage('after-backup');
  s.emit({ type: 'job.finished', status: 'cancelled', exitCode: 1, durationMs: s.nowMs - Date.parse(s.events[0]!.time), error: 'cancelled by the user', failedStage: 'copy', bytes: 0, files: 0, skipped: 0 });
  s.emit({ type: 'run.finished', status: 'cancelled', exitCode: 1, durationMs: s.nowMs - Date.parse(s.events[0]!.time) }, { job: null });
  const untilCancel = new EventSequence({ start: s.events[cut - 1]!.time, job: 'ledger' });
  untilCancel.events.push(...s.events.slice(0, cut));
  const rest = new EventSequence({ start: s.events.at(-1)!.time, job: 'ledger' });
  rest.events.push(...s.events.slice(cut));
  return { untilCancel, rest };
}

/** A first tree backup while its scan still counts: `stopAt` progress events, the first `scanSteps` of them before the totals are known. */
export function scanningCopyRun(scanSteps: number, stopAt: number): EventSequence {
  const s = runUntilFrozen();
  s.emit({ type: 'freeze.ended', setId: 'set-1', windowMs: 812, writers: [], timedOut: false });
  s.emit({ type: 'stage.finished', stage: 'snapshot', status: 'succeeded', durationMs: 850 });
  s.emit({ type: 'stage.started', stage: 'copy' });
  return s.copy(TARGET, 'tree', 2 * GiB, 50_000, { scanSteps, stopAt });
}

/** An incremental tree backup while its scan still counts: as scanningCopyRun, with the estimate from the previous snapshot (1.6 GiB, 40,000 files). */
export function estimatingCopyRun(scanSteps: number, stopAt: number): EventSequence {
  const s = runUntilFrozen();
  s.emit({ type: 'freeze.ended', setId: 'set-1', windowMs: 812, writers: [], timedOut: false });
  s.emit({ type: 'stage.finished', stage: 'snapshot', status: 'succeeded', durationMs: 850 });
  s.emit({ type: 'stage.started', stage: 'copy' });
  return s.copy(TARGET, 'tree', 2 * GiB, 50_000, { scanSteps, stopAt, estimate: { bytes: 1.6 * GiB, files: 40_000 } });
}

/** `run --dry-run`: each stage says what it would do; nothing is frozen or copied. */
export function dryRun(): EventSequence {
  const s = new EventSequence({ job: 'ledger' });
  s.emit({ type: 'run.started', script: 'nightly.still', jobs: ['ledger'], dryRun: true, platform: 'linux', hostname: 'db1' }, { job: null });
  s.emit({ type: 'job.started', volumes: ['/srv/ledger'], providers: ['btrfs', 'copy'], writers: [{ name: 'books', kind: 'sqlite' }], targets: [{ kind: 'tree', location: TARGET }] });
  s.stage('before-backup', () => s.emit({ type: 'dry-run.step', stage: 'before-backup', action: 'run systemctl start ledger-maintenance.service' }));
  s.stage('snapshot', () => s.emit({ type: 'dry-run.step', stage: 'snapshot', action: 'snapshot /srv/ledger with btrfs', setId: 'set-1' }));
  s.stage('copy', () => s.emit({ type: 'dry-run.step', stage: 'copy', action: `copy set-1 to tree ${TARGET}` }));
  s.emit({ type: 'job.finished', status: 'succeeded', exitCode: 0, durationMs: 20, bytes: 0, files: 0, skipped: 0 });
  s.emit({ type: 'run.finished', status: 'succeeded', exitCode: 0, durationMs: 25 }, { job: null });
  return s;
}
