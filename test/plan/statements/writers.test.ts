import { describe, expect, it } from 'vitest';
import { BASE, errors, job } from '../helpers.ts';
import { writerPlan } from '../../../src/plan/statements/writers.ts';
import { SCRIPT, statementOf } from '../unit.ts';

describe('writer', () => {
  it('reads all writer kinds', async () => {
    const script = `job j {\n  ${BASE}\n  writer "pg" postgres "postgres://backup@db/app" { backup-mode true  timeout 2m }\n  writer "app" process { cgroup "/sys/fs/cgroup/app.slice" }\n  writer "pidf" process { pid-file "/run/app.pid"  required false }\n  writer "one" process { pid 42 }\n  writer "cmd" command {\n    freeze ["app-ctl", "pause"]\n    thaw "app-ctl resume && logger ok"\n    prepare "sync", "-f"\n  }\n}`;
    const j = await job(script);
    expect(j.writers).toMatchObject([
      { name: 'pg', kind: 'postgres', url: 'postgres://backup@db/app', backupMode: true, timeoutMs: 120_000 },
      { name: 'app', kind: 'process', select: { cgroup: '/sys/fs/cgroup/app.slice' } },
      { name: 'pidf', kind: 'process', select: { pidFile: '/run/app.pid' }, required: false },
      { name: 'one', kind: 'process', select: { pid: 42 } },
      { name: 'cmd', kind: 'command', freeze: { argv: ['app-ctl', 'pause'] }, thaw: { shell: 'app-ctl resume && logger ok' }, prepare: { argv: ['sync', '-f'] } },
    ]);
  });

  it('reports writer mistakes', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  writer "db" sqlit "/x.db"\n}`)).toEqual(['error unknown-writer-kind 5:15-5:20 unknown writer kind `sqlit`']);
    expect(await errors(`job j {\n  ${BASE}\n  writer sqlite "/x.db"\n}`)).toEqual(['error writer-without-name 5:10-5:16 a writer needs a name before its kind']);
    expect(await errors(`job j {\n  ${BASE}\n  writer "db" sqlite\n}`)).toEqual(['error missing-argument 5:15-5:21 a sqlite writer needs its database file']);
    expect(await errors(`job j {\n  ${BASE}\n  writer "p" process { pid 1  cgroup "/x" }\n}`)).toEqual(['error process-writer-selector 5:31-5:37 a process writer takes one of `pid-file`, `pid` and `cgroup`']);
    expect(await errors(`job j {\n  ${BASE}\n  writer "c" command { timeout 5s }\n}`)).toEqual(['error command-writer-without-steps 5:3-5:9 a command writer needs at least one step']);
    expect(await errors(`job j {\n  ${BASE}\n  writer "db" sqlite "/a.db"\n  writer "db" sqlite "/b.db"\n}`)).toEqual(['error duplicate-writer 6:10-6:14 two writers are named `db`']);
  });
});

describe('writerPlan on its own', () => {
  it('reads a command writer with its steps and options', () => {
    const { ev, setting, spec, ctx } = statementOf('  writer "app" command {\n    freeze "app-ctl pause"\n    thaw ["app-ctl", "resume"]\n    timeout 5s\n  }');
    expect(writerPlan(ev, setting, spec, ctx)).toEqual({ name: 'app', kind: 'command', timeoutMs: 5_000, required: true, origin: `${SCRIPT}:2:3`, freeze: { shell: 'app-ctl pause' }, thaw: { argv: ['app-ctl', 'resume'] } });
  });

  it('keeps a postgres URL holding a secret out of the plan', () => {
    const { ev, setting, spec, ctx, secrets } = statementOf('  writer "db" postgres "postgres://u:${secret("pw")}@h/app"');
    const writer = writerPlan(ev, setting, spec, ctx);
    expect(writer).toMatchObject({ kind: 'postgres', url: { shown: 'postgres://u:***@h/app' }, backupMode: false });
    expect(secrets.reveal((writer as { url: { secret: string; shown: string } }).url)).toBe('postgres://u:pw@h/app');
  });

  it('asks a process writer for exactly one way to find its processes', () => {
    const { ev, setting, spec, ctx } = statementOf('  writer "app" process {\n    pid 1\n    cgroup "/sys/fs/cgroup/a"\n  }');
    expect(writerPlan(ev, setting, spec, ctx)).toBeUndefined();
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['process-writer-selector']);
  });
});
