import { describe, expect, it } from 'vitest';
import { summarizeRun } from '../../src/report/run-summary.ts';
import { cancelledRun, failedWriterRun, providerFallbackRun, successfulRun } from '../support/event-sequences.ts';

describe('summarizeRun', () => {
  it('folds a successful run into stages with timings, the freeze window, writers and targets', () => {
    const run = summarizeRun(successfulRun().events);
    expect(run).toMatchObject({ runId: 'run-0001', script: 'nightly.still', hostname: 'db1', state: 'succeeded', exitCode: 0, reportPath: '/var/log/stillpoint/ledger.html' });
    expect(run.stages.map((s) => s.stage)).toEqual(['plan']);
    const [job] = run.jobs;
    expect(job!.stages.map((s) => [s.stage, s.state])).toEqual([
      ['before-backup', 'succeeded'],
      ['prepare', 'succeeded'],
      ['quiesce', 'succeeded'],
      ['snapshot', 'succeeded'],
      ['copy', 'succeeded'],
      ['backup-complete', 'succeeded'],
      ['release', 'succeeded'],
      ['retention', 'succeeded'],
      ['after-backup', 'succeeded'],
    ]);
    const quiesce = job!.stages.find((s) => s.stage === 'quiesce')!;
    expect(quiesce.durationMs).toBeGreaterThanOrEqual(3000);
    expect(Date.parse(quiesce.finishedAt!) - Date.parse(quiesce.startedAt!)).toBe(quiesce.durationMs);
    expect(job!.freezes).toEqual([
      expect.objectContaining({ setId: 'set-1', budgetMs: 10_000, windowMs: 812, timedOut: false, writers: ['books', 'ledger-pg'] }),
    ]);
    expect(Date.parse(job!.freezes[0]!.endedAt!) - Date.parse(job!.freezes[0]!.startedAt)).toBe(800);
    expect(job!.writers).toEqual([
      { name: 'books', kind: 'sqlite', state: 'stable', step: 'backup-complete' },
      { name: 'ledger-pg', kind: 'postgres', state: 'stable', step: 'backup-complete' },
    ]);
    expect(job!.targets).toEqual([
      expect.objectContaining({ target: '/srv/backups/ledger', kind: 'tree', state: 'succeeded', bytesDone: 2 * 1024 ** 3, filesDone: 50_000, skipped: 0, pruned: { removed: ['2026-11-01T233000'], kept: ['2026-11-22T233000', '2026-11-23T093000'] } }),
    ]);
    expect(job!.targets[0]!.bytesPerSecond).toBeCloseTo((2 * 1024 ** 3) / 10, -3);
    expect(job!.hooks.map((h) => [h.stage, h.status, h.outputLines])).toEqual([
      ['before-backup', 'succeeded', 1],
      ['after-snapshot', 'succeeded', 1],
      ['after-backup', 'succeeded', 0],
    ]);
    expect(job!.snapshotSets).toEqual([expect.objectContaining({ setId: 'set-1', provider: 'btrfs', state: 'released' })]);
  });

  it('records the refused and failed providers, the one that took over, and the skipped files', () => {
    const [job] = summarizeRun(providerFallbackRun().events).jobs;
    expect(job!.providers.map((p) => [p.provider, p.outcome, p.reason ?? ''])).toEqual([
      ['btrfs', 'skipped', '/srv/ledger is on ext4, not btrfs'],
      ['fsfreeze', 'chosen', ''],
      ['fsfreeze', 'failed', 'FIFREEZE on /srv/ledger: Operation not supported'],
      ['copy', 'chosen', ''],
    ]);
    expect(job!.snapshotSets.map((s) => [s.setId, s.provider, s.state])).toEqual([
      ['set-1', 'fsfreeze', 'failed'],
      ['set-2', 'copy', 'released'],
    ]);
    expect(job!.skippedFiles.map((f) => f.reason)).toEqual(['changed-during-copy', 'locked']);
    expect(job!.state).toBe('partial');
  });

  it('keeps the last error of a failed writer and marks the failed stage', () => {
    const [job] = summarizeRun(failedWriterRun().events).jobs;
    expect(job!.writers.find((w) => w.name === 'ledger-pg')).toEqual({ name: 'ledger-pg', kind: 'postgres', state: 'failed', step: 'freeze', lastError: 'CHECKPOINT timed out after 5 s' });
    expect(job!.stages.find((s) => s.stage === 'snapshot')).toMatchObject({ state: 'failed', error: expect.stringContaining('vetoed') });
    expect(job!.failedStage).toBe('snapshot');
  });

  it('shows a running copy with its rate and ETA while it runs, and a cancelled run at its end', () => {
    const { untilCancel, rest } = cancelledRun();
    const live = summarizeRun(untilCancel.events);
    expect(live.state).toBe('running');
    const target = live.jobs[0]!.targets[0]!;
    expect(target.state).toBe('copying');
    expect(target.bytesPerSecond).toBeCloseTo((2 * 1024 ** 3) / 10, -3);
    expect(target.etaMs).toBeCloseTo(6000, -2);
    const done = summarizeRun([...untilCancel.events, ...rest.events]);
    expect(done.state).toBe('cancelled');
    expect(done.jobs[0]!.targets[0]).toMatchObject({ state: 'failed', error: 'cancelled' });
    expect(done.jobs[0]!.targets[0]!.etaMs).toBeUndefined();
  });
});
