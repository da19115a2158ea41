import { describe, expect, it } from 'vitest';
import { BASE, brief, evalText, job } from '../helpers.ts';
import { hookPlan } from '../../../src/plan/statements/hooks.ts';
import { SCRIPT, statementOf } from '../unit.ts';

describe('hook', () => {
  it('reads hooks in short and long form', async () => {
    const script = `job j {\n  ${BASE}\n  hook before-backup run "systemctl", "start", "x"\n  hook before-snapshot pwsh { Suspend-Service -Name X }\n  hook after-backup {\n    sh { logger done }\n    run ["a", "b"], "c"\n    allow-failure\n    timeout 30s\n    cwd "/tmp"\n    env LEVEL = 3\n    env MODE = "fast"\n  }\n}`;
    const j = await job(script);
    expect(j.hooks.map(({ origin: _origin, ...h }) => h)).toEqual([
      { stage: 'before-backup', actions: [{ kind: 'run', argv: ['systemctl', 'start', 'x'] }], timeoutMs: 300_000, stallTimeoutMs: 600_000, allowFailure: false, cwd: expect.any(String), env: {} },
      { stage: 'before-snapshot', actions: [{ kind: 'pwsh', code: 'Suspend-Service -Name X' }], timeoutMs: 300_000, stallTimeoutMs: 600_000, allowFailure: false, cwd: expect.any(String), env: {} },
      { stage: 'after-backup', actions: [{ kind: 'sh', code: 'logger done' }, { kind: 'run', argv: ['a', 'b', 'c'] }], timeoutMs: 30_000, stallTimeoutMs: 600_000, allowFailure: true, cwd: '/tmp', env: { LEVEL: '3', MODE: 'fast' } },
    ]);
  });

  it('lets a short-form run hook take options in a block, and reads hook-env', async () => {
    const j = await job(`job j {\n  ${BASE}\n  hook after-backup run "notify" { timeout 30s  allow-failure }\n  hook-env r-drive\n}`);
    expect(j.hooks[0]).toMatchObject({ actions: [{ kind: 'run', argv: ['notify'] }], timeoutMs: 30_000, allowFailure: true });
    expect(j.hookEnv).toBe('r-drive');
  });

  it('reports an unknown hook stage with a suggestion, and a hook without action', async () => {
    const result = await evalText(`job j {\n  ${BASE}\n  hook befor-backup run "x"\n  hook after-backup { timeout 5s }\n}`);
    expect(result.diagnostics.map(brief)).toEqual([
      'error unknown-hook-stage 5:8-5:20 unknown hook stage `befor-backup`',
      'error hook-without-action 6:3-6:7 this `after-backup` hook has nothing to run',
    ]);
    expect(result.diagnostics[0]!.detail).toContain('Did you mean `before-backup`?');
  });
});

describe('hookPlan on its own', () => {
  it('reads a long-form hook with its options, in the script folder by default', () => {
    const { ev, setting, ctx } = statementOf('  hook before-backup {\n    run "echo", "hi"\n    timeout 9s\n    allow-failure\n    env A = 1\n  }');
    expect(hookPlan(ev, setting, ctx)).toEqual({ stage: 'before-backup', actions: [{ kind: 'run', argv: ['echo', 'hi'] }], timeoutMs: 9_000, allowFailure: true, cwd: '/scripts', env: { A: '1' }, origin: `${SCRIPT}:2:3` });
  });

  it('allows snapshot_paths in run only after the snapshot', () => {
    const after = statementOf('  hook after-snapshot run "ls", snapshot_paths');
    expect(hookPlan(after.ev, after.setting, after.ctx)?.actions).toEqual([{ kind: 'run', argv: ['ls', { snapshotPaths: true }] }]);
    const before = statementOf('  hook before-backup run "ls", snapshot_paths');
    expect(hookPlan(before.ev, before.setting, before.ctx)).toBeUndefined();
    expect(before.ev.diagnostics.map((d) => d.code)).toEqual(['snapshot-paths-here']);
  });

  it('refuses an env name that is no environment variable', () => {
    const { ev, setting, ctx } = statementOf('  hook before-backup {\n    run "true"\n    env "A-B" = 1\n  }');
    expect(hookPlan(ev, setting, ctx)).toBeUndefined();
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['invalid-env']);
  });
});
