// `file(...)` and `exists(...)` look at the disk only when the job runs (issue #13): while a
// script is only read (check, plan, the language server) they are run-time values, and
// everything that consumes a value copes with them. `run` reads them.

import { describe, expect, it } from 'vitest';
import { BASE, brief, errors, evalText, job } from './helpers.ts';

const PROGRAM = '/opt/backup/upload';

describe('while a script is only read', () => {
  it('file() reads nothing: a file that does not exist is no error, and the plan shows the call', async () => {
    const j = await job(`job j {\n  ${BASE}\n  target exec file("/nonexistent/program") { args "--key=${'${'}file("key.txt")}", "-v" }\n}`);
    expect(j.targets[1]).toMatchObject({ kind: 'exec', program: '${file("/nonexistent/program")}', args: ['--key=${file("key.txt")}', '-v'] });
  });

  it('`run` reads the same script, and reports what it cannot read', async () => {
    const script = `job j {\n  ${BASE}\n  target exec file("program.txt")\n}`;
    expect((await job(script, { runTime: true }, { 'program.txt': `${PROGRAM}\n` })).targets[1]).toMatchObject({ program: PROGRAM });
    expect(await errors(script, { runTime: true })).toEqual(['error file-unreadable 5:15-5:34 cannot read `program.txt`: it does not exist']);
  });

  it('a secret from a file stays secret, and its stand-in is the call', async () => {
    const result = await evalText(`job j {\n  ${BASE}\n  target restic "/r" { password secret(file("pw.txt")) }\n}`, {}, { 'pw.txt': 'hunter2\n' });
    const target = result.plan!.jobs[0]!.targets[1]!;
    if (target.kind !== 'restic') throw new Error('expected the restic target');
    expect(target.password).toMatchObject({ shown: '***' });
    expect(result.secrets.reveal(target.password!)).toBe('${secret(file("pw.txt"))}');
  });

  it('`??` checks its fallback too, since the value may be none when the job runs', async () => {
    expect(await errors(`let x = env(file("name.txt")) ?? nope`)).toEqual(['error unknown-name 1:34-1:38 unknown name `nope`']);
    const j = await job(`job j {\n  ${BASE}\n  target exec file("p") ?? "/bin/true"\n}`);
    expect(j.targets[1]).toMatchObject({ program: '${file("p")}' });
  });

  it('an `if` on a run-time condition: the plan takes its first branch, and every branch is checked', async () => {
    const script = [
      'job j {',
      `  ${BASE}`,
      '  if file("role") == "primary" {',
      '    exclude "primary"',
      '    if exists("/srv/pg") { exclude "pg" } else { exclude one }',
      '  } else if not exists("/srv/standby") {',
      '    exclude two',
      '  } else {',
      '    exclude three',
      '  }',
      '}',
    ].join('\n');
    const result = await evalText(script);
    expect(result.diagnostics.map(brief)).toEqual([
      'error unknown-name 7:58-7:61 unknown name `one`',
      'error unknown-name 9:13-9:16 unknown name `two`',
      'error unknown-name 11:13-11:18 unknown name `three`',
    ]);
    const fixed = await evalText(script.replace('one', '"one"').replace('two', '"two"').replace('three', '"three"'));
    expect(fixed.plan!.jobs[0]!.exclude).toEqual(['primary', 'pg']);
    expect(fixed.assumed.map((a) => `${a.origin.slice(fixed.dir.length + 1)} ${a.expression}`)).toEqual(['main.still:5:6 file("role") == "primary"', 'main.still:7:8 exists("/srv/pg")']);
    expect((await evalText(script, { runTime: true })).assumed).toEqual([]);
  });

  it('`and` and `or` with a run-time left side check their right side', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  if exists("a") or nope { exclude "x" }\n}`)).toEqual(['error unknown-name 5:21-5:25 unknown name `nope`']);
    const j = await job(`job j {\n  ${BASE}\n  if false and exists("a") { exclude "never" }\n  if true or exists("a") { exclude "always" }\n}`);
    expect(j.exclude).toEqual(['always']);
  });

  it('a run-time value in text, a hook environment value and a command argument stands as its expression', async () => {
    const j = await job(`job j {\n  ${BASE}\n  hook after-backup {\n    run "notify", "${'${'}exists("/flag")}"\n    env ROLE = file("role")\n    env HAS = exists("/flag")\n  }\n}`);
    expect(j.hooks[0]!.actions[0]).toEqual({ kind: 'run', argv: ['notify', '${exists("/flag")}'] });
    expect(j.hooks[0]!.env).toEqual({ ROLE: '${file("role")}', HAS: '${exists("/flag")}' });
  });
});

describe('where a value must be known before the job runs', () => {
  const cases: [string, string][] = [
    ['provider file("p")', '`provider` word'],
    ['volume file("v")', 'a path'],
    ['schedule file("cron")', 'a schedule'],
    ['exclude lower(file("g"))', 'a glob'],
    ['one-file-system exists("/x")', 'a setting that plans carry as a bool'],
  ];
  for (const [statement, what] of cases) {
    it(`\`${statement}\` (${what}) is an error, in check and in run alike`, async () => {
      const script = `job j {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n  ${statement}\n}`.replace('provider copy\n  target tree "/b"\n  provider', 'target tree "/b"\n  provider');
      const read = await errors(script);
      const run = await errors(script, { runTime: true }, { p: 'copy', v: '/srv2', cron: '0 1 * * *', g: 'x' });
      expect(read).toHaveLength(1);
      expect(read[0]).toMatch(/^error run-time-value .* must be known before the job runs, but `.*` is read only then$/);
      expect(run).toEqual(read);
    });
  }
});
