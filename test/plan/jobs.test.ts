import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE, brief, errors, evalText, job } from './helpers.ts';
import type { Block, Setting } from '../../src/language/ast.ts';
import type { JobPlan } from '../../src/plan/types.ts';
import { jobName, jobParts } from '../../src/plan/jobs.ts';
import { Scope } from '../../src/plan/scope.ts';
import { evaluationOf, jobCtx } from './unit.ts';

describe('job statements and their defaults', () => {
  it('fills in the documented defaults', async () => {
    const j = await job(`job j {\n  ${BASE}\n  writer "db" sqlite "app.db"\n  hook before-backup run "true"\n  provider vss\n  provider btrfs\n}`);
    expect(j).toMatchObject({ excludeSystemFiles: true, oneFileSystem: true, ignoreReadErrors: false, backupType: 'full', freezeTimeoutMs: 10_000, snapshotTimeoutMs: 600_000, hookEnv: 'stillpoint', schedules: [] });
    expect(j.providers).toMatchObject([
      { name: 'copy', retries: 2, retryDelayMs: 5000 },
      { name: 'vss', context: 'backup', includeWriters: [], excludeWriters: [], requireWriters: [], timeoutMs: 600_000 },
      { name: 'btrfs', snapshotDir: '.stillpoint' },
    ]);
    expect(j.writers[0]).toMatchObject({ kind: 'sqlite', required: true, timeoutMs: 60_000 });
    expect(j.hooks[0]).toMatchObject({ timeoutMs: 300_000, allowFailure: false, env: {} });
  });

  it('resolves relative paths against the script folder', async () => {
    const result = await evalText(`job j {\n  volume "data"\n  provider copy\n  target tree "./backups"\n  writer "db" sqlite "data/app.db"\n}`);
    const j = result.plan!.jobs[0]!;
    expect(j.volumes[0]!.path).toBe(join(result.dir, 'data'));
    expect(j.targets[0]).toMatchObject({ path: join(result.dir, 'backups') });
    expect(j.writers[0]).toMatchObject({ path: join(result.dir, 'data/app.db') });
    expect(j.hooks).toEqual([]);
  });

  it('gives targets, hooks and command writers the job\'s stall-timeout (10m by default) unless they set their own', async () => {
    const stallOf = (j: JobPlan) => [...j.targets, ...j.hooks, ...j.writers].map((p) => ('stallTimeoutMs' in p ? p.stallTimeoutMs : 'none'));
    const parts = `target restic "/r"\n  target exec "x" { stall-timeout 30s }\n  target tree "/t"\n  hook before-backup run "a"\n  hook after-backup { run "b"  stall-timeout 1m }\n  writer "c" command { freeze "f"  stall-timeout 2m }\n  writer "s" sqlite "/s.db"`;
    expect(stallOf(await job(`job j {\n  volume "/v"\n  ${parts}\n}`))).toEqual([600_000, 30_000, 'none', 600_000, 60_000, 120_000, 'none']);
    expect(stallOf(await job(`defaults {\n  stall-timeout 5m\n}\njob j {\n  volume "/v"\n  ${parts}\n}`))).toEqual([300_000, 30_000, 'none', 300_000, 60_000, 120_000, 'none']);
    expect(await errors(`job j {\n  ${BASE}\n  stall-timeout 10\n}`)).toEqual([expect.stringMatching(/^error .* 5:17-5:19 /)]);
  });
});

describe('jobs', () => {
  it('reports two jobs with the same name, pointing at the first', async () => {
    const result = await evalText(`job a {\n  ${BASE}\n}\njob "a" {\n  ${BASE}\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['error duplicate-job 6:5-6:8 two jobs are named `a`']);
    expect(result.diagnostics[0]!.related![0]!.range.start).toMatchObject({ line: 1, column: 5 });
    expect(result.plan).toBeUndefined();
  });

  it('requires a volume; warns about a missing provider and target', async () => {
    const result = await evalText('job j {\n  exclude "x"\n}');
    expect(result.diagnostics.map(brief)).toEqual([
      'error job-without-volume 1:5-1:6 job `j` has no volume',
      'warning job-without-provider 1:5-1:6 job `j` names no provider: its files will be copied live with `copy`',
      'warning job-without-target 1:5-1:6 job `j` has no target: nothing will be copied',
    ]);
  });

  it('plans copy when no provider is named', async () => {
    const result = await evalText('job j {\n  volume "/srv"\n  target tree "/b"\n}');
    expect(result.plan!.jobs[0]!.providers).toMatchObject([{ name: 'copy', retries: 2, retryDelayMs: 5000 }]);
  });

  it('warns about during-freeze hooks without fsfreeze', async () => {
    const result = await evalText(`job j {\n  ${BASE}\n  hook during-freeze run "gcloud"\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['warning during-freeze-without-fsfreeze 5:3-5:34 `during-freeze` hooks run only with the `fsfreeze` provider']);
    const ok = await evalText(`job j {\n  volume "/srv"\n  provider fsfreeze\n  target tree "/b"\n  hook during-freeze run "gcloud"\n}`);
    expect(ok.diagnostics).toEqual([]);
  });

  it('keeps only the job asked for, and says when there is none of that name', async () => {
    const script = `job alpha {\n  ${BASE}\n}\njob beta {\n  ${BASE}\n}`;
    expect((await evalText(script, { job: 'beta' })).plan!.jobs.map((j) => j.name)).toEqual(['beta']);
    const missing = await evalText(script, { job: 'alpah' });
    expect(missing.diagnostics.map(brief)).toEqual(['error unknown-job `' + join(missing.dir, 'main.still') + '` has no job named `alpah`']);
    expect(missing.diagnostics[0]!.detail).toContain('Did you mean `alpha`?');
  });
});

describe('defaults', () => {
  const SCRIPT = (job: string) => `defaults {
  volume "/etc"
  exclude "*.tmp"
  providers btrfs, copy
  freeze-timeout 20s
  hook before-backup run "echo", "default", job
  target tree path("/b", job)
  schedule "0 1 * * *"
}
job web {
${job}
}`;

  it('applies to every job; `job` is the job it is applied to', async () => {
    const result = await evalText(SCRIPT('  volume "/srv/web"'));
    expect(result.diagnostics).toEqual([]);
    const j = result.plan!.jobs[0]!;
    expect(j.volumes.map((v) => v.path)).toEqual(['/etc', '/srv/web']);
    expect(j.exclude).toEqual(['*.tmp']);
    expect(j.providers.map((p) => p.name)).toEqual(['btrfs', 'copy']);
    expect(j.freezeTimeoutMs).toBe(20_000);
    expect(j.hooks[0]!.actions[0]).toEqual({ kind: 'run', argv: ['echo', 'default', 'web'] });
    expect(j.targets).toMatchObject([{ path: '/b/web' }]);
    expect(j.schedules).toEqual(['0 1 * * *']);
  });

  it("a job's own statement replaces the default; lists append after the defaults", async () => {
    const own = '  volume "/srv/web"\n  exclude "*.log"\n  provider fsfreeze\n  freeze-timeout 5s\n  hook before-backup run "mine"\n  target tree "/elsewhere"\n  schedule "0 3 * * *"';
    const j = (await evalText(SCRIPT(own))).plan!.jobs[0]!;
    expect(j.volumes.map((v) => v.path)).toEqual(['/etc', '/srv/web']);
    expect(j.exclude).toEqual(['*.tmp', '*.log']);
    expect(j.providers.map((p) => p.name)).toEqual(['fsfreeze']);
    expect(j.freezeTimeoutMs).toBe(5_000);
    expect(j.hooks.map((h) => h.actions[0])).toEqual([
      { kind: 'run', argv: ['echo', 'default', 'web'] },
      { kind: 'run', argv: ['mine'] },
    ]);
    expect(j.targets).toMatchObject([{ path: '/b/web' }, { path: '/elsewhere' }]);
    expect(j.schedules).toEqual(['0 3 * * *']);
  });

  it('of an importing file do not reach the jobs of the imported file', async () => {
    const result = await evalText('import "lib.still"\ndefaults {\n  freeze-timeout 30s\n}\njob mine {\n  volume "/a"\n  provider copy\n  target tree "/b"\n}\n', {}, { 'lib.still': 'job theirs {\n  volume "/c"\n  provider copy\n  target tree "/b"\n}\n' });
    expect(result.plan!.jobs.map((j) => [j.name, j.freezeTimeoutMs])).toEqual([
      ['theirs', 10_000],
      ['mine', 30_000],
    ]);
  });

  it('are checked even when no job uses them, and an error in them is reported once for all jobs', async () => {
    expect((await evalText('defaults {\n  freeze-timeout 5GB\n}\n')).diagnostics.map(brief)).toEqual(['error type-mismatch 2:18-2:21 expected a duration, found a size `5GB`']);
    const twoJobs = await evalText('defaults {\n  freeze-timeout 5GB\n}\njob a {\n  volume "/a"\n}\njob b {\n  volume "/b"\n}\n');
    expect(twoJobs.diagnostics.map(brief)).toEqual(['error type-mismatch 2:18-2:21 expected a duration, found a size `5GB`']);
  });
});

describe('jobParts and evaluateJob on their own', () => {
  it('collects what a block says, leaving out what it does not', () => {
    const { ev, file } = evaluationOf('job j {\n  volume "/srv"\n  exclude "*.tmp"\n  freeze-timeout 3s\n}\n');
    const body = ((file.statements[0] as Setting).body as Block).statements;
    const parts = jobParts(ev, body, jobCtx());
    expect(parts.volumes.map((v) => v.plan.path)).toEqual(['/srv']);
    expect(parts.exclude).toEqual(['*.tmp']);
    expect(parts.freezeTimeoutMs).toBe(3_000);
    expect(parts.snapshotTimeoutMs).toBeUndefined();
    expect(ev.diagnostics).toEqual([]);
  });

  it('names a job from a word or a string, and refuses an empty name', () => {
    const { ev, file } = evaluationOf('job web {\n}\njob "" {\n}\n');
    const [web, empty] = file.statements as Setting[];
    const entry = (setting: Setting) => ({ setting, scope: new Scope(), file: { scope: new Scope(), defaults: [] } });
    expect(jobName(ev, entry(web!))?.name).toBe('web');
    expect(jobName(ev, entry(empty!))).toBeUndefined();
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['empty-name']);
  });
});
