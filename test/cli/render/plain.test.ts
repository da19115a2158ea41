import { describe, expect, it } from 'vitest';
import { createPlainRenderer } from '../../../src/cli/render/plain.ts';
import { estimatingCopyRun, EventSequence, failedWriterRun, providerFallbackRun, scanningCopyRun, successfulRun } from '../../support/event-sequences.ts';
import { CapturedOutput } from './capture.ts';

function render(events: EventSequence['events'], progressIntervalMs?: number): string[] {
  const out = new CapturedOutput();
  const renderer = createPlainRenderer({ out, ...(progressIntervalMs !== undefined ? { progressIntervalMs } : {}) });
  for (const event of events) renderer.emit(event);
  return out.lines();
}

describe('plain renderer', () => {
  it('writes one line per meaningful event, each starting with the event time', () => {
    const lines = render(successfulRun().events);
    for (const line of lines) expect(line).toMatch(/^2026-11-23T09:\d\d:\d\dZ /);
    expect(lines[0]).toBe('2026-11-23T09:30:00Z run started: nightly.still, jobs ledger on db1 (linux)');
    expect(lines).toContain('2026-11-23T09:30:03Z [ledger] freeze of snapshot set set-1: books, ledger-pg frozen (budget 10 s)');
    expect(lines.some((l) => l.includes('freeze of snapshot set set-1 ended: frozen 0.8 s (books 0.8 s, ledger-pg 0.8 s)'))).toBe(true);
    expect(lines.at(-2)).toMatch(/\[ledger\] job succeeded \(exit 0\) in \d+ s: 2.00 GiB, 50000 files, 0 skipped$/);
    expect(lines.at(-1)).toMatch(/ run succeeded \(exit 0\) in \d+ s; report: \/var\/log\/stillpoint\/ledger\.html$/);
  });

  it('prints copy progress at most once per interval of event time, with rate and ETA', () => {
    // 10 progress events one second apart; with a 5 s interval only two may be printed.
    const lines = render(successfulRun().events, 5000).filter((l) => l.includes('copy to tree') && l.includes(' of '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/1\.00 GiB of 2\.00 GiB \(50%\), 25000 of 50000 files, 205 MiB\/s, ETA 5\.0 s$/);
    expect(lines[1]).toMatch(/2\.00 GiB of 2\.00 GiB \(100%\), 50000 of 50000 files, 205 MiB\/s, ETA 0\.0 s$/);
    expect(render(successfulRun().events, 1000).filter((l) => l.includes(' of 50000 files'))).toHaveLength(10);
  });

  it('prints what the scan has counted so far until the total is known, then the percentage and ETA', () => {
    const lines = render(scanningCopyRun(3, 5).events, 1000).filter((l) => l.includes('copy to tree') && l.includes(' files'));
    expect(lines[1]).toMatch(/: 410 MiB, 10000 files, 205 MiB\/s, counting: 10000 files, 410 MiB so far$/);
    expect(lines[2]).toContain('counting: 15000 files');
    expect(lines[3]).toMatch(/819 MiB of 2\.00 GiB \(39%\)/);
    expect(lines[4]).toMatch(/: 1\.00 GiB of 2\.00 GiB \(50%\), 25000 of 50000 files, 205 MiB\/s, ETA 5\.0 s$/);
  });

  it('prints the estimate from the previous snapshot, marked "~", instead of the counting, until the total is known', () => {
    const lines = render(estimatingCopyRun(3, 5).events, 1000).filter((l) => l.includes('copy to tree') && l.includes(' files'));
    expect(lines[1]).toMatch(/: 410 MiB of ~1\.60 GiB \(~25%\), 10000 of ~40000 files, 205 MiB\/s, ETA ~6\.0 s$/);
    expect(lines[4]).toMatch(/: 1\.00 GiB of 2\.00 GiB \(50%\), 25000 of 50000 files, 205 MiB\/s, ETA 5\.0 s$/);
    expect(lines.join('\n')).not.toContain('counting');
  });

  it('prefixes hook output with the hook and scrubs escape codes and control characters from it', () => {
    const s = new EventSequence({ job: 'ledger' });
    s.emit({ type: 'hook.started', hookId: 'h1', stage: 'before-backup', action: 'sh { ... }', origin: 'nightly.still:4' });
    s.emit({ type: 'hook.output', hookId: 'h1', stream: 'stdout', line: '\u001b[31mred\u001b[0m text\u0007 \u001b]0;title\u0007done\r' });
    s.emit({ type: 'hook.output', hookId: 'h1', stream: 'stderr', line: 'oops' });
    const text = render(s.events).join('\n');
    expect(text).toContain('[ledger] hook before-backup| red text done');
    expect(text).toContain('[ledger] hook before-backup (stderr)| oops');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('never writes an escape code for any realistic run', () => {
    for (const run of [successfulRun(), providerFallbackRun(), failedWriterRun()]) {
      expect(render(run.events).join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
  });

  it('says which provider was refused and why, the fallback, skipped files and warnings', () => {
    const text = render(providerFallbackRun().events).join('\n');
    expect(text).toContain('provider btrfs skipped for /srv/ledger: /srv/ledger is on ext4, not btrfs');
    expect(text).toContain('provider fsfreeze failed for /srv/ledger (snapshot set set-1): FIFREEZE on /srv/ledger: Operation not supported; trying copy next');
    expect(text).toContain('skipped /srv/ledger/books.db-wal: changed-during-copy (size 4096 -> 8192 while read, after 2 retries)');
    expect(text).toContain('warning: the run is partial: 2 files were left out by the copy provider (see the report for the list)');
    expect(text).toMatch(/job partial \(exit 3\)/);
  });

  it('names the failed writer and the stage the job failed in', () => {
    const text = render(failedWriterRun().events).join('\n');
    expect(text).toContain('writer ledger-pg (postgres) failed at freeze: CHECKPOINT timed out after 5 s');
    expect(text).toMatch(/job failed \(exit 1\) .*; failed in stage snapshot: writer ledger-pg vetoed the snapshot/);
  });
});

describe('plain renderer, dry run', () => {
  it('says what each stage would do', async () => {
    const { dryRun } = await import('../../support/event-sequences.ts');
    const text = render(dryRun().events).join('\n');
    expect(text).toContain('run started: nightly.still, jobs ledger on db1 (linux), dry run');
    expect(text).toContain('[ledger] dry run, snapshot (snapshot set set-1): would snapshot /srv/ledger with btrfs');
  });
});
