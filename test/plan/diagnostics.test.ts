// The diagnostics not covered by the construct tests, each with its exact range and message.

import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanFromText } from '../../src/plan/load.ts';
import { brief, errors, evalText, fixedOptions, folder } from './helpers.ts';

const JOB = (body: string) => `job j {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n${body}\n}`;

describe('diagnostics', () => {
  it.each([
    ['an empty job name', 'job "" {\n  volume "/a"\n}', 'error empty-name 1:5-1:7 a job name may not be empty'],
    ['a job with two names', 'job a b {\n  volume "/a"\n}', 'error unexpected-argument 1:7-1:8 `job` takes one name'],
    ['list items without commas', JOB('  exclude "a" "b"'), 'error missing-comma 5:15-5:18 items of a list are separated by commas'],
    ['a provider id that is not a GUID', JOB('  provider vss { provider-id "abc" }'), 'error invalid-guid 5:30-5:35 `abc` is not a GUID'],
    ['an LVM size over 100%', JOB('  provider lvm { size 150% }'), 'error invalid-percent 5:23-5:27 a snapshot size of `150%` is out of range'],
    ['a hook variable set twice', JOB('  hook before-backup {\n    run "x"\n    env A = "1"\n    env A = "2"\n  }'), 'error duplicate-env 8:9-8:10 `A` is already set for this hook'],
    ['a hook variable with a bad name', JOB('  hook before-backup {\n    run "x"\n    env "1A" = "1"\n  }'), 'error invalid-env 7:9-7:13 `1A` is not a valid environment variable name'],
    ['a retention rule given twice', JOB('  target tree "/c" { keep last 2, last 3 }'), 'error duplicate-keep-rule 5:35-5:39 `last` is given twice'],
    ['a volume listed twice', JOB('  volume "/srv"'), 'error duplicate-volume 5:3-5:16 volume `/srv` is listed twice'],
    ['arguments after a code action', JOB('  hook before-backup sh "x" { echo }'), 'error unexpected-argument 5:25-5:28 `sh` takes a block of code, not arguments'],
    ['run without a program', JOB('  hook before-backup {\n    run []\n  }'), 'error missing-argument 6:5-6:8 `run` needs a program'],
    ['a block of code without its language', JOB('  hook before-backup {\n    sh "x"\n  }'), 'error unexpected-argument 6:8-6:11 `sh` takes a block of code, not arguments'],
    ['arguments after a statement that takes none', JOB('  quiesce now { idle 1s  within 2s }'), 'error unexpected-argument 5:11-5:14 `quiesce` takes no arguments'],
    ['a snapshot-paths value in a before-backup hook', JOB('  hook before-backup run "ls", "${snapshot_paths}"'), 'error snapshot-paths-here 5:35-5:49 `snapshot_paths` is not known here'],
    ['a writer option of another kind', JOB('  writer "db" sqlite "/a.db" { backup-mode true }'), 'error unknown-statement 5:32-5:43 unknown statement `backup-mode` in `writer NAME sqlite PATH { ... }`'],
    ['options for a provider that has none', JOB('  provider zfs { retries 2 }'), 'error unknown-statement 5:18-5:25 unknown statement `retries` in `provider zfs { ... }`'],
    ['an unknown hook action', JOB('  hook before-backup rnu "x"'), 'error unknown-hook-action 5:22-5:25 unknown hook action `rnu`'],
    ['an unknown monitor kind', JOB('  monitor healthcheck "https://x"'), 'error unknown-monitor-kind 5:11-5:22 unknown monitor kind `healthcheck`'],
    ['an unknown backup type', JOB('  backup-type incremantal'), 'error unknown-backup-type 5:15-5:26 unknown backup type `incremantal`'],
    ['an unknown hook environment', JOB('  hook-env rdrive'), 'error unknown-hook-environment 5:12-5:18 unknown hook environment `rdrive`'],
    ['an unknown VSS context', JOB('  provider vss { context full }'), 'error unknown-vss-context 5:26-5:30 unknown VSS context `full`'],
    ['an unknown quiesce timeout action', JOB('  quiesce { idle 1s  within 2s  on-timeout wait }'), 'error unknown-timeout-action 5:44-5:48 unknown timeout action `wait`'],
    ['an unknown monitor event', JOB('  monitor webhook "https://x" { on failed }'), 'error unknown-monitor-event 5:36-5:42 unknown monitor event `failed`'],
  ])('%s', async (_name, script, expected) => {
    expect(await errors(script)).toEqual([expected]);
  });

  it('a syntax error inside a statement is reported by the parser alone', async () => {
    const result = await evalText('job j {\n  volume path("/a",\n  provider copy\n  target tree "/b"\n}\n');
    expect(result.diagnostics.map((d) => d.summary)).toEqual(['expected `)` to close the arguments, found `copy`']);
  });

  it('a file() that is not UTF-8 says so at the call', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    const result = await loadPlanFromText(join(dir, 'main.still'), 'let x = file("latin1.txt")', fixedOptions({ runTime: true }));
    expect(result.diagnostics.map(brief)).toEqual(['error file-not-utf8 1:9-1:27 `latin1.txt` is not UTF-8 text']);
  });
});
