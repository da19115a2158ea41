import { describe, expect, it } from 'vitest';
import { BASE, brief, errors, evalText, job } from './helpers.ts';
import type { Block, Setting } from '../../src/language/ast.ts';
import { walk } from '../../src/plan/walk.ts';
import { evaluationOf, jobCtx } from './unit.ts';

describe('if and for', () => {
  it('takes the first branch whose condition holds, else the else branch', async () => {
    const script = (platform: string) => `job j {\n  if platform == "windows" {\n    volume C:\n  } else if platform == "darwin" {\n    volume "/Users"\n  } else {\n    volume "/home"\n  }\n  provider copy\n  target tree "/b"\n}`;
    expect((await job(script('x'), { platform: 'windows' })).volumes[0]!.path).toBe('C:');
    expect((await job(script('x'), { platform: 'darwin' })).volumes[0]!.path).toBe('/Users');
    expect((await job(script('x'), { platform: 'linux' })).volumes[0]!.path).toBe('/home');
  });

  it('reports a condition that is not a bool and goes on after the if', async () => {
    expect(await errors(`job j {\n  if env("X") {\n    volume "/a"\n  }\n  volume "/srv"\n  provider copy\n  target tree "/b"\n  freeze-timeout 1GB\n}`)).toEqual([
      'error type-mismatch 2:6-2:14 expected a bool, found none `env("X")`',
      'error type-mismatch 8:18-8:21 expected a duration, found a size `1GB`',
    ]);
  });

  it('repeats a block per list item, also for jobs', async () => {
    const result = await evalText(`for site in ["a", "b"] {\n  job "backup-\${site}" {\n    volume path("/srv", site)\n    provider copy\n    target tree "/b"\n  }\n}`);
    expect(result.diagnostics).toEqual([]);
    expect(result.plan!.jobs.map((j) => [j.name, j.volumes[0]!.path])).toEqual([
      ['backup-a', '/srv/a'],
      ['backup-b', '/srv/b'],
    ]);
  });

  it('reports a for over something that is not a list', async () => {
    expect(await errors('for x in "abc" {\n}')).toEqual(['error type-mismatch 1:10-1:15 expected a list, found a string `"abc"`']);
  });
});

describe('job statements and their defaults', () => {
  it('reports an unknown statement with a suggestion, or where it belongs', async () => {
    const result = await evalText(`job j {\n  ${BASE}\n  freeze-timout 5s\n  keep last 3\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['error unknown-statement 5:3-5:16 unknown statement `freeze-timout` in a job', 'error unknown-statement 6:3-6:7 unknown statement `keep` in a job']);
    expect(result.diagnostics[0]!.detail).toContain('Did you mean `freeze-timeout`?');
    expect(result.diagnostics[1]!.detail).toContain('`keep` belongs in `target tree PATH { ... }`');
  });

  it('reports a statement set twice in one block, with the first as related', async () => {
    const result = await evalText(`job j {\n  ${BASE}\n  freeze-timeout 5s\n  freeze-timeout 6s\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['error duplicate-statement 6:3-6:17 `freeze-timeout` is already set in this block']);
    expect(result.diagnostics[0]!.related![0]!.range.start.line).toBe(5);
  });

  it('reports blocks where none belong and missing blocks', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  freeze-timeout 5s { }\n}`)).toEqual(['error unexpected-block 5:21-5:24 `freeze-timeout` takes no block']);
    expect(await errors(`job j {\n  ${BASE}\n  quiesce\n}`)).toEqual(['error missing-block 5:3-5:10 `quiesce` needs a block']);
  });
});

describe('recovery', () => {
  it('reports several independent errors in one pass, one each', async () => {
    const script = `let root = env("ROOT") ?? "/b"\njob j {\n  volume "/srv"\n  providers btrfs, zfz\n  freeze-timeout 10\n  target tree path(root, hostnme)\n  hook after-backup run lower(1)\n}\njob k {\n  volume 5\n  target tree root\n}`;
    expect(await errors(script)).toEqual([
      'error unknown-provider 4:20-4:23 unknown provider `zfz`',
      'error type-mismatch 5:18-5:20 expected a duration, found a number `10`',
      'error unknown-name 6:26-6:33 unknown name `hostnme`',
      'error type-mismatch 7:31-7:32 expected a string, found a number `1`',
      'error type-mismatch 10:10-10:11 expected a string, found a number `5`',
    ]);
  });

  it('reports an error of a let once, not at each use', async () => {
    expect(await errors(`let bad = nope\njob j {\n  volume bad\n  provider copy\n  target tree bad\n}`)).toEqual(['error unknown-name 1:11-1:15 unknown name `nope`']);
  });

  it('reports an error in a statement\'s argument and those inside its block', async () => {
    expect(await errors('job j {\n  volume "/srv"\n  provider copy\n  target tree roott { keep dayly 7 }\n}')).toEqual([
      'error unknown-name 4:15-4:20 unknown name `roott`',
      'error unknown-keep-rule 4:28-4:33 unknown retention rule `dayly`',
    ]);
    expect(await errors('job j {\n  volume roott { exclude 5 }\n  provider copy\n  target tree "/b"\n}')).toEqual([
      'error unknown-name 2:10-2:15 unknown name `roott`',
      expect.stringMatching(/^error \S+ 2:26-2:27 /),
    ]);
    expect(await errors(`job j {\n  ${BASE}\n  hook befor-backup { run nope }\n}`)).toEqual([
      'error unknown-hook-stage 5:8-5:20 unknown hook stage `befor-backup`',
      'error unknown-name 5:27-5:31 unknown name `nope`',
    ]);
    expect(await errors(`job j {\n  ${BASE}\n  monitor textfile nowhere { on failur }\n}`)).toEqual([
      'error unknown-name 5:20-5:27 unknown name `nowhere`',
      'error unknown-monitor-event 5:33-5:39 unknown monitor event `failur`',
    ]);
  });
});

describe('walk on its own', () => {
  it('hands the visitor the statements of the chosen branch and of each loop pass, and skips what the catalog refuses', () => {
    const { ev, file } = evaluationOf('job j {\n  if platform == "windows" {\n    exclude "a"\n  } else {\n    exclude "b"\n  }\n  for x in [1, 2] {\n    include "c"\n  }\n  nonsense 1\n}\n');
    const body = (file.statements[0] as Setting).body as Block;
    const seen: string[] = [];
    walk(ev, body.statements, 'job', jobCtx(), new Map(), (setting, ctx) => seen.push(`${setting.keyword.name} ${ctx.scope.lookup('x')?.value?.type ?? '-'}`));
    expect(seen).toEqual(['exclude -', 'include number', 'include number']);
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['unknown-statement']);
  });
});
