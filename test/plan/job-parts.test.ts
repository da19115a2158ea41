// The catalog says, for each job statement, whether a job's own statement replaces the one
// from `defaults` or appends to it. This checks the evaluator does what the catalog (and so
// docs/language.md) says, for every job statement.

import { describe, expect, it } from 'vitest';
import { BLOCKS } from '../../src/language/catalog.ts';
import { emptyParts, mergeParts } from '../../src/plan/job-parts.ts';
import type { JobPlan } from '../../src/plan/types.ts';
import { evalText } from './helpers.ts';

type Sample = [defaults: string, own: string, read: (job: JobPlan) => unknown];

const SAMPLES: Record<string, Sample> = {
  volume: ['volume "/d"', 'volume "/j"', (j) => j.volumes.map((v) => v.path)],
  volumes: ['volumes "/d1", "/d2"', 'volumes "/j1"', (j) => j.volumes.map((v) => v.path)],
  exclude: ['exclude "d"', 'exclude "j"', (j) => j.exclude],
  include: ['include "d"', 'include "j"', (j) => j.include],
  'exclude-system-files': ['exclude-system-files false', 'exclude-system-files true', (j) => j.excludeSystemFiles],
  'one-file-system': ['one-file-system false', 'one-file-system true', (j) => j.oneFileSystem],
  'ignore-read-errors': ['ignore-read-errors true', 'ignore-read-errors false', (j) => j.ignoreReadErrors],
  'backup-type': ['backup-type copy', 'backup-type incremental', (j) => j.backupType],
  provider: ['provider btrfs', 'provider zfs', (j) => j.providers.map((p) => p.name)],
  providers: ['providers btrfs, copy', 'providers zfs', (j) => j.providers.map((p) => p.name)],
  quiesce: ['quiesce { idle 1s  within 2s }', 'quiesce { idle 3s  within 4s }', (j) => j.quiesce],
  'freeze-timeout': ['freeze-timeout 1s', 'freeze-timeout 2s', (j) => j.freezeTimeoutMs],
  'snapshot-timeout': ['snapshot-timeout 1m', 'snapshot-timeout 2m', (j) => j.snapshotTimeoutMs],
  'stall-timeout': ['stall-timeout 1m', 'stall-timeout 2m', (j) => j.targets.map((t) => ('stallTimeoutMs' in t ? t.stallTimeoutMs : undefined))],
  writer: ['writer "d" sqlite "/d.db"', 'writer "j" sqlite "/j.db"', (j) => j.writers.map((w) => w.name)],
  hook: ['hook before-backup run "d"', 'hook before-backup run "j"', (j) => j.hooks.map((h) => h.actions)],
  'hook-env': ['hook-env r-drive', 'hook-env stillpoint', (j) => j.hookEnv],
  target: ['target tree "/d"', 'target tree "/j"', (j) => j.targets.map((t) => (t.kind === 'tree' ? t.path : t.kind))],
  schedule: ['schedule "0 1 * * *"', 'schedule "0 2 * * *"', (j) => j.schedules],
  monitor: ['monitor webhook "http://d"', 'monitor webhook "http://j"', (j) => j.monitors.map((m) => m.location)],
};

async function read(keyword: string, defaults: string | undefined, own: string | undefined): Promise<unknown> {
  const [, , get] = SAMPLES[keyword]!;
  const base = keyword.startsWith('volume') ? '' : keyword === 'stall-timeout' ? '  volume "/v"\n  target exec "x"\n' : '  volume "/v"\n';
  const script = `${defaults ? `defaults {\n  ${defaults}\n}\n` : ''}job j {\n${base}${own ? `  ${own}\n` : ''}}\n`;
  const result = await evalText(script);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toEqual([]);
  return get(result.plan!.jobs[0]!);
}

describe('defaults merge as the catalog says', () => {
  it('has a sample for every job statement', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(BLOCKS.job.statements.map((s) => s.keyword).sort());
  });

  it.each(BLOCKS.job.statements.map((s) => [s.keyword, s.merge] as const))('%s: %s', async (keyword, merge) => {
    const [defaults, own] = SAMPLES[keyword]!;
    const fromDefaults = await read(keyword, defaults, undefined);
    const fromJob = await read(keyword, undefined, own);
    const both = await read(keyword, defaults, own);
    expect(fromDefaults).not.toEqual(fromJob);
    if (merge === 'replace') expect(both).toEqual(fromJob);
    else expect(both).toEqual([...(fromDefaults as unknown[]), ...(fromJob as unknown[])]);
  });
});

describe('mergeParts on its own', () => {
  it('takes a replace-statement from the later block when it has one, and appends lists', () => {
    const range = { file: 'f', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };
    const earlier = { ...emptyParts(), exclude: ['a'], freezeTimeoutMs: 1_000, hookEnv: 'stillpoint' as const, volumes: [{ plan: { path: '/x', include: [], exclude: [], origin: 'o' }, range }] };
    const later = { ...emptyParts(), exclude: ['b'], freezeTimeoutMs: 2_000 };
    const merged = mergeParts(earlier, later);
    expect(merged.exclude).toEqual(['a', 'b']);
    expect(merged.freezeTimeoutMs).toBe(2_000);
    expect(merged.hookEnv).toBe('stillpoint');
    expect(merged.volumes.map((v) => v.plan.path)).toEqual(['/x']);
    expect(mergeParts(later, emptyParts()).freezeTimeoutMs).toBe(2_000);
  });
});
