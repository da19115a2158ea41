import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMetricsTextfile } from '../../src/report/metrics.ts';
import { failedWriterRun, providerFallbackRun, successfulRun } from '../support/event-sequences.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-metrics-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** metric name -> "job[,status]" -> value, read back by a Prometheus text-format parser. */
async function readBack(path: string): Promise<Map<string, Map<string, number>>> {
  const families = parsePrometheusTextFormat(await readFile(path, 'utf8'));
  return new Map(
    families.map((f) => {
      expect(f.type).toBe('GAUGE');
      return [f.name, new Map(f.metrics.map((m) => [[m.labels!.job, m.labels!.status].filter(Boolean).join(','), Number(m.value)]))];
    }),
  );
}

describe('writeMetricsTextfile', () => {
  it('writes the last run of each job: status, exit code, duration, bytes, files, skipped, freeze window', async () => {
    const path = join(dir, 'ok.prom');
    const run = successfulRun();
    await writeMetricsTextfile(path, run.events);
    const metrics = await readBack(path);
    const finished = Date.parse(run.events.findLast((e) => e.type === 'job.finished')!.time) / 1000;
    expect(metrics.get('stillpoint_last_success_timestamp_seconds')!.get('ledger')).toBe(finished);
    expect(metrics.get('stillpoint_last_run_timestamp_seconds')!.get('ledger')).toBe(finished);
    expect(metrics.get('stillpoint_last_run_exit_code')!.get('ledger')).toBe(0);
    expect(metrics.get('stillpoint_last_run_bytes')!.get('ledger')).toBe(2 * 1024 ** 3);
    expect(metrics.get('stillpoint_last_run_files')!.get('ledger')).toBe(50_000);
    expect(metrics.get('stillpoint_last_run_skipped_files')!.get('ledger')).toBe(0);
    expect(metrics.get('stillpoint_last_run_freeze_window_seconds')!.get('ledger')).toBe(0.812);
    const jobFinished = run.events.findLast((e) => e.type === 'job.finished')!;
    expect(metrics.get('stillpoint_last_run_duration_seconds')!.get('ledger')).toBe((jobFinished as { durationMs: number }).durationMs / 1000);
    expect([...metrics.get('stillpoint_last_run_status')!]).toEqual([
      ['ledger,succeeded', 1],
      ['ledger,partial', 0],
      ['ledger,failed', 0],
      ['ledger,cancelled', 0],
    ]);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('keeps the last success of a job across a failed run, and the other jobs of the file', async () => {
    const path = join(dir, 'history.prom');
    await writeFile(path, '# HELP stillpoint_last_run_exit_code x\n# TYPE stillpoint_last_run_exit_code gauge\nstillpoint_last_run_exit_code{job="mail"} 3\n# TYPE stillpoint_last_run_status gauge\nstillpoint_last_run_status{job="mail",status="partial"} 1\nstillpoint_last_run_status{job="mail",status="failed"} 0\n');
    const good = successfulRun({ start: '2026-11-22T23:30:00.000Z' });
    await writeMetricsTextfile(path, good.events);
    const bad = failedWriterRun({ start: '2026-11-23T23:30:00.000Z', runId: 'run-0002' });
    await writeMetricsTextfile(path, bad.events);
    const metrics = await readBack(path);
    expect(metrics.get('stillpoint_last_success_timestamp_seconds')!.get('ledger')).toBe(Date.parse(good.events.findLast((e) => e.type === 'job.finished')!.time) / 1000);
    expect(metrics.get('stillpoint_last_run_timestamp_seconds')!.get('ledger')).toBe(Date.parse(bad.events.findLast((e) => e.type === 'job.finished')!.time) / 1000);
    expect(metrics.get('stillpoint_last_run_status')!.get('ledger,failed')).toBe(1);
    expect(metrics.get('stillpoint_last_run_exit_code')!.get('ledger')).toBe(1);
    expect(metrics.get('stillpoint_last_run_exit_code')!.get('mail')).toBe(3);
    expect(metrics.get('stillpoint_last_run_status')!.get('mail,partial')).toBe(1);
  });

  it('counts a partial run as partial, with its skipped files and its freeze window', async () => {
    const path = join(dir, 'partial.prom');
    await writeMetricsTextfile(path, providerFallbackRun().events);
    const metrics = await readBack(path);
    expect(metrics.get('stillpoint_last_run_status')!.get('ledger,partial')).toBe(1);
    expect(metrics.get('stillpoint_last_run_exit_code')!.get('ledger')).toBe(3);
    expect(metrics.get('stillpoint_last_run_skipped_files')!.get('ledger')).toBe(2);
    expect(metrics.get('stillpoint_last_run_freeze_window_seconds')!.get('ledger')).toBe(0.451);
    expect(metrics.get('stillpoint_last_success_timestamp_seconds')?.has('ledger') ?? false).toBe(false);
  });
});
