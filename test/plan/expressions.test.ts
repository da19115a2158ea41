import { describe, expect, it } from 'vitest';
import { BASE, brief, errors, evalText, job } from './helpers.ts';
import { evaluateExpr, expectType } from '../../src/plan/expressions.ts';
import { exprOf, jobCtx } from './unit.ts';

describe('let, names and built-in values', () => {
  it('gives run_id and started from the options', async () => {
    const j = await job(`job j {\n  ${BASE}\n  hook before-backup run "echo", run_id, started\n}`);
    expect(j.hooks[0]!.actions[0]).toEqual({ kind: 'run', argv: ['echo', 'run-1', '2026-11-23T23:30:05.000Z'] });
  });

  it('reports an unknown name with a suggestion and its exact range', async () => {
    expect(await errors(`let backup_root = "/b"\njob j {\n  volume "/srv"\n  provider copy\n  target tree backup_rot\n}`)).toEqual([
      'error unknown-name 5:15-5:25 unknown name `backup_rot`',
    ]);
    const result = await evalText(`let backup_root = "/b"\njob j {\n  volume backup_rot\n}`);
    expect(result.diagnostics[0]!.detail).toContain('Did you mean `backup_root`?');
  });

  it('knows `job` only inside a job', async () => {
    expect(await errors('let x = job')).toEqual(['error job-outside-job 1:9-1:12 `job` is known only inside a job']);
  });
});

describe('expressions', () => {
  it('?? takes the right side only when the left is none', async () => {
    const j = await job(`job j {\n  volume env("DATA") ?? "/fallback"\n  volumes env("OTHER") ?? "/x"\n  provider copy\n  target tree "/b"\n}`, { env: { OTHER: '/from-env' } });
    expect(j.volumes.map((v) => v.path)).toEqual(['/fallback', '/from-env']);
  });

  it('==, !=, not, and, or combine bools', async () => {
    const script = `job j {\n  ${BASE}\n  one-file-system platform == "linux" and not (hostname != "host1")\n  ignore-read-errors false or platform == "windows"\n  exclude-system-files none == none\n}`;
    const j = await job(script);
    expect([j.oneFileSystem, j.ignoreReadErrors, j.excludeSystemFiles]).toEqual([true, false, true]);
  });

  it('and/or do not evaluate their right side when the left decides', async () => {
    const j = await job(`job j {\n  ${BASE}\n  if exists("nope") and file("nope") == "x" { exclude "x" }\n}`, { runTime: true });
    expect(j.exclude).toEqual([]);
  });

  it('reports a non-bool operand of `and` at the operand', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  one-file-system "yes" and true\n}`)).toEqual(['error type-mismatch 5:19-5:24 expected a bool, found a string `"yes"`']);
  });

  it('compares values of different types as unequal', async () => {
    const j = await job(`job j {\n  ${BASE}\n  one-file-system 5s == 5000ms and 1KiB != 1KB and [1, "a"] == [1, "a"] and 2 != "2"\n}`);
    expect(j.oneFileSystem).toBe(true);
  });

  it('turns a drive literal into its string', async () => {
    const j = await job(`job j {\n  volumes C:, D:\n  provider vss\n  target tree 'E:\\Backups'\n}`, { platform: 'windows' });
    expect(j.volumes.map((v) => v.path)).toEqual(['C:', 'D:']);
    expect(j.targets[0]).toMatchObject({ path: 'E:\\Backups' });
  });

  it('refuses none and lists inside text', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  exclude "\${env("X")}/tmp"\n}`)).toEqual(['error not-text 5:14-5:22 none cannot be put into text: `env("X")`']);
    expect(await errors(`let l = ["a"]\nlet t = "x\${l}"`)).toEqual(['error not-text 2:13-2:14 a list cannot be put into text: `l`']);
  });
});

describe('types', () => {
  it('reports a size where a duration belongs, at the expression, with how to fix it', async () => {
    const result = await evalText(`job j {\n  ${BASE}\n  freeze-timeout 5GiB\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['error type-mismatch 5:18-5:22 expected a duration, found a size `5GiB`']);
    expect(result.diagnostics[0]!.detail).toMatch(/time unit/);
  });

  it('turns every literal kind into its plan unit', async () => {
    const script = `job j {\n  ${BASE}\n  freeze-timeout 1500ms\n  snapshot-timeout 2h\n  provider lvm { size 5GiB }\n}`;
    const j = await job(script);
    expect(j.freezeTimeoutMs).toBe(1500);
    expect(j.snapshotTimeoutMs).toBe(7_200_000);
    expect(j.providers[1]).toMatchObject({ name: 'lvm', size: { bytes: 5 * 1024 ** 3 } });
    const percent = await job(`job j {\n  ${BASE}\n  provider lvm { size 20% }\n}`);
    expect(percent.providers[1]).toMatchObject({ size: { percent: 20 } });
  });

  it('reports a string where a number belongs', async () => {
    expect(await errors(`job j {\n  volume "/srv"\n  provider copy { retries "2" }\n  target tree "/b"\n}`)).toEqual(['error type-mismatch 3:27-3:30 expected a number, found a string `"2"`']);
  });
});

describe('built-in functions', () => {
  it('env reads the given environment, with a default', async () => {
    const j = await job(`job j {\n  volume env("DATA")\n  volume env("NOPE", "/dflt")\n  provider copy\n  target tree "/b"\n}`, { env: { DATA: '/data' } });
    expect(j.volumes.map((v) => v.path)).toEqual(['/data', '/dflt']);
  });

  it('file reads text relative to the script, without its trailing newline; exists checks', async () => {
    const script = `job j {\n  volume "/srv"\n  if exists("where.txt") and not exists("missing") { exclude "yes" }\n  provider copy\n  target exec file("where.txt")\n}`;
    const j = await job(script, { runTime: true }, { 'where.txt': '/from/file\n' });
    expect(j.targets[0]).toMatchObject({ kind: 'exec', program: '/from/file' });
    expect(j.exclude).toEqual(['yes']);
  });

  it('reports a file that cannot be read at the call', async () => {
    expect(await errors(`let p = file("missing.txt")`, { runTime: true })).toEqual(['error file-unreadable 1:9-1:28 cannot read `missing.txt`: it does not exist']);
  });

  it('path joins with the platform separator and keeps a drive a drive', async () => {
    const linux = await job(`job j {\n  volume path("/srv", "app", "../data")\n  provider copy\n  target tree "/b"\n}`);
    expect(linux.volumes[0]!.path).toBe('/srv/data');
    const windows = await job(`job j {\n  volume C:\n  provider vss\n  target tree path(D:, "Backups", job)\n}`, { platform: 'windows' });
    expect(windows.targets[0]).toMatchObject({ path: 'D:\\Backups\\j' });
  });

  it('date formats the start in UTC', async () => {
    const j = await job(`job j {\n  ${BASE}\n  target tree path("/b", date("yyyy-MM-dd_HHmmss"))\n}`);
    expect(j.targets[1]).toMatchObject({ path: '/b/2026-11-23_233005' });
  });

  it('lower and upper', async () => {
    const j = await job(`job j {\n  ${BASE}\n  target tree path("/b", lower("MiXed"), upper("MiXed"))\n}`);
    expect(j.targets[1]).toMatchObject({ path: '/b/mixed/MIXED' });
  });

  it('reports an unknown function with a suggestion', async () => {
    const result = await evalText('let x = enve("HOME")');
    expect(result.diagnostics.map(brief)).toEqual(['error unknown-function 1:9-1:13 unknown function `enve`']);
    expect(result.diagnostics[0]!.detail).toContain('Did you mean `env`?');
  });

  it('reports a wrong number of arguments', async () => {
    expect(await errors('let x = env()')).toEqual(['error missing-argument 1:9-1:14 `env` needs an argument']);
    expect(await errors('let x = lower("a", "b")')).toEqual(['error unexpected-argument 1:20-1:23 too many arguments for `lower`']);
  });
});

describe('snapshot_paths', () => {
  it('is allowed in run actions of after-snapshot hooks and in exec args', async () => {
    const j = await job(`job j {\n  ${BASE}\n  hook after-snapshot run "robocopy", snapshot_paths, "\${snapshot_paths}"\n}`);
    expect(j.hooks[0]!.actions[0]).toEqual({ kind: 'run', argv: ['robocopy', { snapshotPaths: true }, { snapshotPaths: true }] });
  });

  it('is an error anywhere else', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  hook before-snapshot run "x", snapshot_paths\n}`)).toEqual(['error snapshot-paths-here 5:33-5:47 `snapshot_paths` is not known here']);
    expect(await errors('let p = snapshot_paths')).toEqual(['error snapshot-paths-here 1:9-1:23 `snapshot_paths` is not known here']);
    expect(await errors(`job j {\n  ${BASE}\n  target exec "rsync" { args "--from=\${snapshot_paths}" }\n}`)).toEqual(['error snapshot-paths-in-text 5:38-5:55 `snapshot_paths` must be an argument of its own']);
  });
});

describe('evaluateExpr and expectType on their own', () => {
  it('evaluates text with interpolation, ??, comparisons and calls', () => {
    const value = (text: string, env: Record<string, string> = {}) => {
      const { ev, expr } = exprOf(text, env);
      return evaluateExpr(ev, expr, jobCtx());
    };
    expect(value('"a-${2}-${true}"')).toEqual({ type: 'string', value: 'a-2-true' });
    expect(value('env("X") ?? "fallback"')).toEqual({ type: 'string', value: 'fallback' });
    expect(value('env("X") ?? "fallback"', { X: 'set' })).toEqual({ type: 'string', value: 'set' });
    expect(value('upper("ab") == "AB" and not false')).toEqual({ type: 'bool', value: true });
    expect(value('[1, 2]')).toEqual({ type: 'list', items: [{ type: 'number', value: 1 }, { type: 'number', value: 2 }] });
  });

  it('expectType reports a value of another type once and gives undefined', () => {
    const { ev, expr } = exprOf('10s');
    expect(expectType(ev, expr, ['size'], jobCtx())).toBeUndefined();
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['type-mismatch']);
    expect(ev.diagnostics[0]!.summary).toBe('expected a size, found a duration `10s`');
  });

  it('an unknown name gives undefined and a suggestion', () => {
    const { ev, expr } = exprOf('hostnme');
    expect(evaluateExpr(ev, expr, jobCtx())).toBeUndefined();
    expect(ev.diagnostics[0]!.detail).toContain('hostname');
  });
});
