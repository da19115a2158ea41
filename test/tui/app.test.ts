import { afterEach, describe, expect, it, vi } from 'vitest';
import { cancelledRun, dryRun, estimatingCopyRun, EventSequence, failedWriterRun, providerFallbackRun, runUntilFrozen, scanningCopyRun, successfulRun } from '../support/event-sequences.ts';
import { renderApp } from './render-app.ts';

const mounted: Array<{ unmount(): void }> = [];
afterEach(() => {
  for (const app of mounted.splice(0)) app.unmount();
});

/** Renders what the sequence emitted, at the sequence's clock unless told otherwise. */
function show(sequence: EventSequence, options: { nowMs?: number; interactive?: boolean; noColor?: boolean; onCancel?: () => void; tickMs?: number } = {}) {
  const app = renderApp({ events: sequence.events, nowMs: sequence.nowMs, ...options });
  mounted.push(app);
  return app;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
/** Frames follow a timer: on a loaded machine, wait for the frame rather than a fixed time. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

describe('TUI frames', () => {
  it('lists finished stages with marks and durations, and the running one', () => {
    const frame = show(runUntilFrozen()).lastFrame()!;
    expect(frame).toMatch(/^stillpoint nightly\.still {2}run run-0001 on db1$/m);
    expect(frame).toMatch(/^✓ quiesce +3\.0 s$/m);
    expect(frame).toMatch(/^▸ snapshot +0\.8 s$/m);
    expect(frame).not.toContain('copy ');
  });

  it('shows the freeze timer against its budget while writers are frozen, and it advances', async () => {
    const s = runUntilFrozen();
    const app = show(s, { tickMs: 20 });
    expect(app.lastFrame()).toMatch(/frozen 0\.8 s of 10 s +██░+ {2}books, ledger-pg/);
    expect(app.lastFrame()).toMatch(/^books +sqlite +frozen *$/m);
    // No event arrives while frozen: the clock alone must move the timer.
    app.setNow(s.nowMs + 7200);
    await eventually(() => expect(app.lastFrame()).toContain('frozen 8.0 s of 10 s'));
  });

  it('drops the freeze timer once thawed', () => {
    const s = runUntilFrozen();
    s.emit({ type: 'freeze.ended', setId: 'set-1', windowMs: 812, writers: [], timedOut: false });
    expect(show(s).lastFrame()).not.toContain('frozen ');
  });

  it('shows copy progress with a bar, bytes and files of the total, throughput and ETA', () => {
    const frame = show(cancelledRun().untilCancel).lastFrame()!;
    expect(frame).toMatch(/^tree \/srv\/backups\/ledger {2}copying$/m);
    expect(frame).toMatch(/^ {2}█{8}░{12} {2}39% {2}819 MiB of 2\.00 GiB {2}20000 of 50000 files\n {2}205 MiB\/s {2}ETA 6\.0 s$/m);
    expect(frame).toMatch(/^▸ copy +4\.0 s$/m);
  });

  it('shows what the scan has counted so far while the total is unknown, then the percentage and ETA once it is', () => {
    const counting = show(scanningCopyRun(3, 2)).lastFrame()!;
    expect(counting).toMatch(/^ {2}░{20} {7}410 MiB {2}10000 files\n {2}205 MiB\/s {2}counting: 10000 files, 410 MiB so far$/m);
    expect(counting).not.toContain('ETA');
    const counted = show(scanningCopyRun(3, 5)).lastFrame()!;
    expect(counted).toMatch(/^ {2}█{10}░{10} {2}50% {2}1\.00 GiB of 2\.00 GiB {2}25000 of 50000 files\n {2}205 MiB\/s {2}ETA 5\.0 s$/m);
    expect(counted).not.toContain('counting');
  });

  it('shows the estimate from the previous snapshot, marked "~", instead of the counting, until the total is known', () => {
    const estimating = show(estimatingCopyRun(3, 2)).lastFrame()!;
    expect(estimating).toMatch(/^ {2}█{5}░{15} {1}~25% {2}410 MiB of ~1\.60 GiB {2}10000 of ~40000 files\n {2}205 MiB\/s {2}ETA ~6\.0 s$/m);
    expect(estimating).not.toContain('counting');
    const counted = show(estimatingCopyRun(3, 5)).lastFrame()!;
    expect(counted).toMatch(/^ {2}█{10}░{10} {2}50% {2}1\.00 GiB of 2\.00 GiB {2}25000 of 50000 files\n {2}205 MiB\/s {2}ETA 5\.0 s$/m);
  });

  it('shows the tail of hook output, scrubbed of escape codes', () => {
    const s = runUntilFrozen();
    s.hook('h7', 'after-snapshot', 'sh', ['one', 'two', '\u001b[31mthree\u001b[0m', 'four']);
    const frame = show(s).lastFrame()!;
    expect(frame).not.toContain('| one');
    expect(frame).toMatch(/after-snapshot\| two\nafter-snapshot\| three\nafter-snapshot\| four/);
  });

  it('shows the provider that took each snapshot set and the ones refused, with reasons (fallback)', () => {
    const frame = show(providerFallbackRun()).lastFrame()!;
    expect(frame).toContain('set-1  fsfreeze  /srv/ledger  failed');
    expect(frame).toContain('set-2  copy  /srv/ledger  released');
    expect(frame).toContain('- btrfs skipped for /srv/ledger: /srv/ledger is on ext4, not btrfs');
    expect(frame).toContain('✗ fsfreeze failed for /srv/ledger: FIFREEZE on /srv/ledger: Operation not supported → copy');
    expect(frame).toMatch(/run partial {2}exit 3 {2}in 4\.5 s {2}512 MiB {2}1198 files {2}2 skipped/);
    expect(frame).toContain('warning: the run is partial: 2 files were left out by the copy provider');
  });

  it('shows a failed writer with its error, and the failed stage in the summary', () => {
    const frame = show(failedWriterRun()).lastFrame()!;
    expect(frame).toMatch(/^ledger-pg +postgres +failed +CHECKPOINT timed out after 5 s$/m);
    expect(frame).toMatch(/^books +sqlite +thawed *$/m);
    expect(frame).toMatch(/^✗ snapshot +0\.2 s {2}writer ledger-pg vetoed the snapshot/m);
    expect(frame).toMatch(/^- copy +skipped$/m);
    expect(frame).toMatch(/run failed {2}exit 1/);
    expect(frame).toContain('ledger: failed in snapshot: writer ledger-pg vetoed the snapshot');
  });

  it('ends with the summary: status, exit code, duration, bytes, files, skipped and the report', () => {
    const frame = show(successfulRun()).lastFrame()!;
    expect(frame).toMatch(/run succeeded {2}exit 0 {2}in 14 s {2}2\.00 GiB {2}50000 files {2}0 skipped/);
    expect(frame).toContain('report: /var/log/stillpoint/ledger.html');
    expect(frame).not.toContain('q cancel');
    for (const stage of ['plan', 'before-backup', 'prepare', 'quiesce', 'snapshot', 'copy', 'backup-complete', 'release', 'retention', 'after-backup']) {
      expect(frame).toMatch(new RegExp(`^✓ ${stage} +\\d`, 'm'));
    }
  });

  it('cancels on q: calls onCancel once per press and says it is thawing and releasing', async () => {
    const { untilCancel, rest } = cancelledRun();
    let cancels = 0;
    const app = show(untilCancel, { interactive: true, onCancel: () => (cancels += 1) });
    expect(app.lastFrame()).toContain('q cancel');
    await settle();
    app.stdin.write('q');
    await eventually(() => expect(app.lastFrame()).toContain('cancelling: thawing and releasing…'));
    expect(cancels).toBe(1);
    app.stdin.write('\u0003');
    await eventually(() => expect(cancels).toBe(2));
    for (const event of rest.events) app.store.apply(event);
    await eventually(() => expect(app.lastFrame()).toMatch(/run cancelled {2}exit 1/));
    expect(app.lastFrame()).toContain('ledger: failed in copy: cancelled by the user');
    expect(app.lastFrame()).toMatch(/^✓ release +/m);
  });

  it('reads no keys when stdin is not a terminal', async () => {
    let cancels = 0;
    const app = show(runUntilFrozen(), { interactive: false, onCancel: () => (cancels += 1) });
    await settle();
    app.stdin.write('q');
    await settle();
    expect(cancels).toBe(0);
    expect(app.lastFrame()).not.toContain('q cancel');
  });


  it('prints what a dry run would do under each stage', () => {
    const frame = show(dryRun()).lastFrame()!;
    expect(frame).toMatch(/^stillpoint nightly\.still {2}run run-0001 on db1 {2}\(dry run: nothing is touched\)$/m);
    expect(frame).toMatch(/^ {2}would snapshot \/srv\/ledger with btrfs \(snapshot set set-1\)\n✓ snapshot/m);
  });

  it('keeps a busy live area within a 24-row terminal: failed and frozen writers first, the rest counted', () => {
    const s = new EventSequence({ job: 'fleet' });
    s.emit({ type: 'run.started', script: 'fleet.still', jobs: ['fleet'], dryRun: false, platform: 'linux', hostname: 'db1' }, { job: null });
    const writers = Array.from({ length: 10 }, (_, i) => ({ name: `db-${i}`, kind: 'postgres' }));
    s.emit({ type: 'job.started', volumes: ['/srv/a', '/srv/b'], providers: ['lvm', 'btrfs', 'copy'], writers, targets: [{ kind: 'tree', location: '/b' }] });
    s.emit({ type: 'stage.started', stage: 'snapshot' });
    for (const volume of ['/srv/a', '/srv/b', '/srv/c']) s.emit({ type: 'provider.skipped', provider: 'lvm', volumes: [volume], reason: `${volume} is not on a logical volume` });
    for (const [i, volume] of ['/srv/a', '/srv/b', '/srv/c', '/srv/d', '/srv/e'].entries()) s.emit({ type: 'provider.chosen', provider: 'btrfs', volumes: [volume], setId: `set-${i + 1}` });
    s.emit({ type: 'freeze.started', setId: 'set-5', budgetMs: 10_000, writers: writers.map((w) => w.name) });
    for (const [i, w] of writers.entries()) s.emit({ type: 'writer.state', writer: w.name, kind: w.kind, state: i === 7 ? 'failed' : i >= 5 ? 'frozen' : 'stable', step: 'freeze', ...(i === 7 ? { error: 'connection refused' } : {}) });
    for (let i = 0; i < 5; i++) s.hook(`h${i}`, 'before-snapshot', 'sh', [`line ${i}`]);
    s.wait(1200);
    const frame = show(s, { interactive: true }).lastFrame()!;
    expect(frame.split('\n').length).toBeLessThan(24);
    expect(frame).toMatch(/^db-7 +postgres +failed +connection refused$/m);
    expect(frame.match(/^db-\d +postgres +frozen/gm)).toHaveLength(3);
    expect(frame).toContain('… 6 more writers: 1 frozen, 5 stable');
    expect(frame).toMatch(/^ {2}set-3 {2}btrfs {2}\/srv\/c {2}creating\n {2}set-4 .*\n {2}set-5 {2}btrfs {2}\/srv\/e {2}creating\n {2}- lvm skipped for \/srv\/b: .*\n {2}- lvm skipped for \/srv\/c: \/srv\/c is not on a logical volume\n {2}… 3 more \(in the report\)$/m);
    expect(frame).toContain('frozen 1.4 s of 10 s');
  });

  it('prints each finished job of a several-job run above the live area of the next', () => {
    const s = new EventSequence({ job: 'ledger' });
    s.emit({ type: 'run.started', script: 'nightly.still', jobs: ['ledger', 'mail'], dryRun: false, platform: 'linux', hostname: 'db1' }, { job: null });
    s.emit({ type: 'job.started', volumes: ['/srv/ledger'], providers: ['btrfs'], writers: [], targets: [] });
    s.stage('snapshot');
    s.emit({ type: 'job.finished', status: 'failed', exitCode: 1, durationMs: 2000, error: 'no provider could take /srv/ledger', failedStage: 'snapshot', bytes: 0, files: 0, skipped: 0 });
    s.job = 'mail';
    s.emit({ type: 'job.started', volumes: ['/srv/mail'], providers: ['btrfs'], writers: [], targets: [] });
    s.emit({ type: 'stage.started', stage: 'copy' });
    const frame = show(s.wait(500)).lastFrame()!;
    expect(frame).toMatch(/^✓ ledger snapshot +0\.0 s\njob ledger failed \(exit 1\) in 2\.0 s: 0 B, 0 files, 0 skipped: no provider could take \/srv\/ledger$/m);
    expect(frame).toMatch(/^▸ mail copy +0\.5 s$/m);
  });

  it('draws the same screen from events that went through NDJSON (a remote viewer sees what the terminal sees)', () => {
    for (const sequence of [successfulRun(), providerFallbackRun(), failedWriterRun(), cancelledRun().untilCancel]) {
      const remote = new EventSequence({ start: new Date(sequence.nowMs).toISOString() });
      remote.events.push(...sequence.events.map((e) => JSON.stringify(e)).map((line) => JSON.parse(line)));
      expect(show(remote).lastFrame()).toBe(show(sequence).lastFrame());
    }
  });

  it('shows the latest warning while the run goes on', () => {
    const s = runUntilFrozen();
    s.emit({ type: 'warning', message: 'hook after-snapshot took 4 m of its 5 m timeout' });
    s.emit({ type: 'warning', message: '\u001b[31mwriter books: WAL is 2 GiB\u001b[0m', detail: 'checkpoint it more often' });
    const frame = show(s).lastFrame()!;
    expect(frame).toMatch(/^warning: writer books: WAL is 2 GiB$/m);
    expect(frame).not.toContain('4 m of its 5 m');
  });
});
