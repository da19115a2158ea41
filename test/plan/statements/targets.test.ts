import { describe, expect, it } from 'vitest';
import { brief, evalText, job } from '../helpers.ts';
import { targetPlan } from '../../../src/plan/statements/targets.ts';
import { SCRIPT, statementOf } from '../unit.ts';

describe('target', () => {
  it('reads targets and retention', async () => {
    const script = `job j {\n  volume "/srv"\n  provider copy\n  target tree "/b" { keep last 16, daily 7, weekly 4, monthly 12 }\n  target restic "sftp:nas:/restic" {\n    password secret("pw")\n    tags "nightly", job\n    args "--one-file-system"\n    keep daily 7\n  }\n  target exec "rsync" { args "-a", snapshot_paths, "/nas/" }\n}`;
    const result = await evalText(script);
    expect(result.diagnostics).toEqual([]);
    const targets = result.plan!.jobs[0]!.targets;
    expect(targets[0]).toMatchObject({ kind: 'tree', path: '/b', keep: { last: 16, daily: 7, weekly: 4, monthly: 12 } });
    expect(targets[1]).toMatchObject({ kind: 'restic', repository: 'sftp:nas:/restic', password: { shown: '***' }, tags: ['nightly', 'j'], args: ['--one-file-system'], keep: { daily: 7 } });
    expect(targets[2]).toMatchObject({ kind: 'exec', program: 'rsync', args: ['-a', { snapshotPaths: true }, '/nas/'] });
  });

  it('leaves the restic password out when it is none', async () => {
    const j = await job(`job j {\n  volume "/srv"\n  provider copy\n  target restic "/repo" { password secret(env("RESTIC_PASSWORD")) }\n}`);
    expect(j.targets[0]).not.toHaveProperty('password');
  });

  it('reports unknown target kinds and retention rules with suggestions', async () => {
    const result = await evalText(`job j {\n  volume "/srv"\n  provider copy\n  target tre "/b"\n  target tree "/b" { keep dayly 7 }\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['error unknown-target-kind 4:10-4:13 unknown target kind `tre`', 'error unknown-keep-rule 5:27-5:32 unknown retention rule `dayly`']);
    expect(result.diagnostics.map((d) => d.detail)).toEqual([expect.stringContaining('Did you mean `tree`?'), expect.stringContaining('Did you mean `daily`?')]);
  });
});

describe('targetPlan on its own', () => {
  it('reads a restic target with its password, tags and retention', () => {
    const { ev, setting, spec, ctx } = statementOf('  target restic "/repo" {\n    password "pw"\n    tags "a", "b"\n    keep last 3\n  }');
    expect(targetPlan(ev, setting, spec, ctx)).toEqual({ kind: 'restic', repository: '/repo', password: 'pw', tags: ['a', 'b'], args: [], keep: { last: 3 }, origin: `${SCRIPT}:2:3` });
  });

  it('resolves a tree path against the script folder', () => {
    const { ev, setting, spec, ctx } = statementOf('  target tree "backups"');
    expect(targetPlan(ev, setting, spec, ctx)).toEqual({ kind: 'tree', path: '/scripts/backups', origin: `${SCRIPT}:2:3` });
  });
});
