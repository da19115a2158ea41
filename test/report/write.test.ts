import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/write.ts';
import { failedWriterRun, providerFallbackRun, successfulRun } from '../support/event-sequences.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReport', () => {
  it('writes the JSON report: the summary derived from the events, and nothing else in the folder', async () => {
    const path = join(dir, 'run.json');
    await writeReport(path, providerFallbackRun().events);
    const report = JSON.parse(await readFile(path, 'utf8'));
    expect(report).toMatchObject({ format: 'stillpoint-run-report', version: 1, state: 'partial', exitCode: 3 });
    const job = report.jobs[0];
    expect(job.providers.filter((p: { outcome: string }) => p.outcome !== 'chosen').map((p: { provider: string }) => p.provider)).toEqual(['btrfs', 'fsfreeze']);
    expect(job.skippedFiles).toHaveLength(2);
    expect(job.freezes[0]).toMatchObject({ windowMs: 451, budgetMs: 10_000 });
    expect(job.stages.map((s: { stage: string; durationMs: number }) => typeof s.durationMs)).not.toContain('undefined');
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('writes one self-contained HTML file with the timeline, freeze window, writers, providers, targets and skipped files', async () => {
    const path = join(dir, 'run.html');
    await writeReport(path, providerFallbackRun().events);
    const page = await readFile(path, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(page).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(page).toMatch(/<div class="timeline" id="timeline-ledger">/);
    expect(page).toMatch(/<span class="freeze-band" style="left:[\d.]+%;width:[\d.]+%"><\/span>/);
    expect(page).toContain('<span class="label">frozen set-1</span>');
    expect(page).toContain('451 ms of 10 s');
    expect(page).toMatch(/<span class="label">quiesce<\/span><div class="track">.*<\/div><span class="duration">skipped<\/span>/);
    expect(page).toMatch(/<table class="writers">[\s\S]*<td>ledger-pg<\/td><td>postgres<\/td><td class="thawed">thawed<\/td>/);
    expect(page).toMatch(/<tr class="skipped"><td>btrfs<\/td><td>\/srv\/ledger<\/td><td>skipped<\/td><td><\/td><td>\/srv\/ledger is on ext4, not btrfs<\/td><\/tr>/);
    expect(page).toContain('failed (next: copy)');
    expect(page).toContain('<td class="reason-changed-during-copy">changed-during-copy</td>');
    // A file name is text, never markup.
    expect(page).toContain('<code>/srv/ledger/locks/&#60;script&#62;alert(1)&#60;/script&#62;</code>');
  });

  it('writes a failed writer and its error into the HTML writers table', async () => {
    const path = join(dir, 'failed.html');
    await writeReport(path, failedWriterRun().events);
    const page = await readFile(path, 'utf8');
    expect(page).toContain('<td>ledger-pg</td><td>postgres</td><td class="failed">failed</td><td>freeze</td><td></td><td class="error">CHECKPOINT timed out after 5 s</td>');
    expect(page).toContain('Failed in stage snapshot: writer ledger-pg vetoed the snapshot');
  });

  it('refuses a report file name whose format it cannot tell, saying which names work', async () => {
    await expect(writeReport(join(dir, 'run.txt'), successfulRun().events)).rejects.toThrow(/name the report file with \.json or \.html/);
  });

  it('says which folder is missing when the report cannot be written, and leaves nothing behind', async () => {
    const missing = join(dir, 'no-such-folder');
    await expect(writeReport(join(missing, 'run.html'), successfulRun().events)).rejects.toThrow(`cannot write ${join(missing, 'run.html')}: the folder ${missing} does not exist; create it or choose another path`);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
