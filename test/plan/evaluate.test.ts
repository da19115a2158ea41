import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE, brief, errors, evalText, job } from './helpers.ts';

describe('let, names and built-in values', () => {
  it('binds a let and uses it in interpolation with the built-in values', async () => {
    const j = await job(`let site = "nas"\njob "web" {\n  ${BASE}\n  target tree "/b/\${site}/\${hostname}/\${job}/\${platform}"\n}`);
    expect(j.targets[1]).toMatchObject({ kind: 'tree', path: '/b/nas/host1/web/linux' });
  });

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

  it('refuses to bind a name twice in one block, naming the first', async () => {
    const result = await evalText(`let a = "1"\nlet a = "2"\n`);
    expect(result.diagnostics.map(brief)).toEqual(['error duplicate-let 2:5-2:6 `a` is already defined']);
    expect(result.diagnostics[0]!.related![0]!.range.start.line).toBe(1);
  });

  it('refuses a let that hides a built-in value', async () => {
    expect(await errors('let hostname = "x"')).toEqual(['error let-builtin 1:5-1:13 `hostname` is a built-in value']);
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
    const j = await job(`job j {\n  ${BASE}\n  one-file-system exists("nope") and file("nope") == "x"\n}`);
    expect(j.oneFileSystem).toBe(false);
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

  it('reports a non-whole count and a zero timeout', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  freeze-timeout 0s\n}`)).toEqual(['error invalid-duration 5:18-5:20 `freeze-timeout` must be longer than zero']);
    expect(await errors(`job j {\n  volume "/srv"\n  provider copy\n  target tree "/b" { keep last 1.5 }\n}`)).toEqual(['error invalid-number 4:32-4:35 expected a whole number of at least 1, found `1.5`']);
  });
});

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

describe('built-in functions', () => {
  it('env reads the given environment, with a default', async () => {
    const j = await job(`job j {\n  volume env("DATA")\n  volume env("NOPE", "/dflt")\n  provider copy\n  target tree "/b"\n}`, { env: { DATA: '/data' } });
    expect(j.volumes.map((v) => v.path)).toEqual(['/data', '/dflt']);
  });

  it('file reads text relative to the script, without its trailing newline; exists checks', async () => {
    const script = `job j {\n  volume file("where.txt")\n  one-file-system exists("where.txt") and not exists("missing")\n  provider copy\n  target tree "/b"\n}`;
    const j = await job(script, {}, { 'where.txt': '/from/file\n' });
    expect(j.volumes[0]!.path).toBe('/from/file');
    expect(j.oneFileSystem).toBe(true);
  });

  it('reports a file that cannot be read at the call', async () => {
    expect(await errors(`let p = file("missing.txt")`)).toEqual(['error file-unreadable 1:9-1:28 cannot read `missing.txt`: it does not exist']);
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

  it('reads every provider option', async () => {
    const script = `job j {\n  volume C:\n  provider vss {\n    context file-share-backup\n    include-writer "SqlServerWriter", "Registry Writer"\n    exclude-writer "System Writer"\n    require-writer "SqlServerWriter"\n    provider-id "{b5946137-7b9f-4925-af80-51abd60b20d5}"\n    timeout 3m\n  }\n  provider copy { retries 0  retry-delay 0s }\n  target tree "/b"\n}`;
    const j = await job(script);
    expect(j.providers[0]).toEqual({ name: 'vss', context: 'file-share-backup', includeWriters: ['SqlServerWriter', 'Registry Writer'], excludeWriters: ['System Writer'], requireWriters: ['SqlServerWriter'], providerId: '{b5946137-7b9f-4925-af80-51abd60b20d5}', timeoutMs: 180_000, origin: expect.stringMatching(/main\.still:3:3$/) });
    expect(j.providers[1]).toMatchObject({ name: 'copy', retries: 0, retryDelayMs: 0 });
  });

  it('reads volumes with their own globs and job-wide globs', async () => {
    const j = await job(`job j {\n  volume "/srv" {\n    exclude "tmp/**", "*.log"\n    include "tmp/keep/**"\n  }\n  exclude "**/.cache/**"\n  include ["a", "b"]\n  provider copy\n  target tree "/b"\n}`);
    expect(j.volumes[0]).toMatchObject({ path: '/srv', exclude: ['tmp/**', '*.log'], include: ['tmp/keep/**'] });
    expect(j.exclude).toEqual(['**/.cache/**']);
    expect(j.include).toEqual(['a', 'b']);
  });

  it('reads a quiesce block written on one line', async () => {
    const j = await job(`job j {\n  ${BASE}\n  quiesce { idle 3s  within 2m  on-timeout fail }\n}`);
    expect(j.quiesce).toEqual({ idleMs: 3000, withinMs: 120_000, onTimeout: 'fail' });
  });

  it('requires idle and within in quiesce', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  quiesce { idle 3s }\n}`)).toEqual(['error quiesce-incomplete 5:3-5:10 `quiesce` needs `idle` and `within`']);
  });

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

  it('reads hooks in short and long form', async () => {
    const script = `job j {\n  ${BASE}\n  hook before-backup run "systemctl", "start", "x"\n  hook before-snapshot pwsh { Suspend-Service -Name X }\n  hook after-backup {\n    sh { logger done }\n    run ["a", "b"], "c"\n    allow-failure\n    timeout 30s\n    cwd "/tmp"\n    env LEVEL = 3\n    env MODE = "fast"\n  }\n}`;
    const j = await job(script);
    expect(j.hooks.map(({ origin: _origin, ...h }) => h)).toEqual([
      { stage: 'before-backup', actions: [{ kind: 'run', argv: ['systemctl', 'start', 'x'] }], timeoutMs: 300_000, allowFailure: false, cwd: expect.any(String), env: {} },
      { stage: 'before-snapshot', actions: [{ kind: 'pwsh', code: 'Suspend-Service -Name X', line: 6 }], timeoutMs: 300_000, allowFailure: false, cwd: expect.any(String), env: {} },
      { stage: 'after-backup', actions: [{ kind: 'sh', code: 'logger done', line: 8 }, { kind: 'run', argv: ['a', 'b', 'c'] }], timeoutMs: 30_000, allowFailure: true, cwd: '/tmp', env: { LEVEL: '3', MODE: 'fast' } },
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

  it('reads schedules and monitors', async () => {
    const script = `job j {\n  ${BASE}\n  schedule "30 23 * * 1-5"\n  schedule "0 12 * * 6"\n  monitor healthchecks "https://hc.example/ping/abc"\n  monitor textfile "metrics.prom" { on failure }\n}`;
    const result = await evalText(script);
    const j = result.plan!.jobs[0]!;
    expect(j.schedules).toEqual(['30 23 * * 1-5', '0 12 * * 6']);
    expect(j.monitors).toMatchObject([
      { kind: 'healthchecks', location: 'https://hc.example/ping/abc', on: ['start', 'success', 'partial', 'failure'] },
      { kind: 'textfile', location: join(result.dir, 'metrics.prom'), on: ['failure'] },
    ]);
  });

  it('reports a schedule that is not 5-field cron', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  schedule "every night"\n}`)).toEqual(['error invalid-schedule 5:12-5:25 `every night` is not a valid cron expression']);
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

  it('reports a schedule whose fields are out of range, with what the scheduler\'s parser says', async () => {
    for (const [cron, reason] of [
      ['61 * * * *', 'got value 61 expected range 0-59'],
      ['0 24 * * *', 'got value 24 expected range 0-23'],
      ['0 0 32 * *', 'got value 32 expected range 1-31'],
      ['0 0 * 13 *', 'got value 13 expected range 1-12'],
      ['*/0 * * * *', 'cannot repeat at every 0 time'],
      ['0 0 L * *', 'uses L, W, # or ?'],
    ]) {
      const result = await evalText(`job j {\n  ${BASE}\n  schedule "${cron}"\n}`);
      expect(result.diagnostics.map(brief), cron).toEqual([`error invalid-schedule 5:12-5:${14 + cron.length} \`${cron}\` is not a valid cron expression`]);
      expect(result.diagnostics[0]!.detail, cron).toContain(reason);
    }
  });

  it('reports an unknown provider with a suggestion, and a twice-listed one', async () => {
    const result = await evalText(`job j {\n  volume "/srv"\n  providers btrf, copy\n  target tree "/b"\n}`);
    expect(result.diagnostics.map(brief)).toEqual(['error unknown-provider 3:13-3:17 unknown provider `btrf`']);
    expect(result.diagnostics[0]!.detail).toContain('Did you mean `btrfs`?');
    expect(await errors(`job j {\n  volume "/srv"\n  providers btrfs, copy\n  provider btrfs\n  target tree "/b"\n}`)).toEqual(['error duplicate-provider 4:12-4:17 provider `btrfs` is listed twice']);
  });

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

  it('reports missing and extra arguments', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  freeze-timeout\n}`)).toEqual(['error missing-argument 5:3-5:17 `freeze-timeout` needs a DURATION']);
    expect(await errors(`job j {\n  ${BASE}\n  backup-type full, copy\n}`)).toEqual(['error unexpected-argument 5:21-5:25 `backup-type` takes one argument']);
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
});

describe('the example of the language contract (LANGUAGE.md §8)', () => {
  const EXAMPLE = `# nightly.still
let root = env("BACKUP_ROOT") ?? '/srv/backups'

job "ledger" {
  volume "/srv/ledger" { exclude "tmp/**" }
  providers btrfs, copy
  quiesce { idle 3s  within 2m }
  writer "books" sqlite "/srv/ledger/books.db"
  hook before-backup run "systemctl", "start", "ledger-maintenance.service"
  hook after-backup {
    sh { logger "stillpoint \${STILLPOINT_JOB}: \${STILLPOINT_STATUS}" }
    allow-failure
  }
  target tree path(root, hostname, job) { keep last 16, daily 7, weekly 4 }
  schedule "30 23 * * 1-5"
}

job "workstation" {
  if platform == "windows" {
    volumes C:, D:
    provider vss { exclude-writer "System Writer" }
    hook before-snapshot pwsh { Suspend-Service -Name MSSQLSERVER }
    hook after-snapshot pwsh { Resume-Service -Name MSSQLSERVER }
  }
  provider copy
  target restic 'sftp:backup@nas:/restic' { password secret(env("RESTIC_PASSWORD")) }
}
`;

  it('evaluates on Windows into the plan it describes', async () => {
    const result = await evalText(EXAMPLE, { platform: 'windows', env: { RESTIC_PASSWORD: 'pw' } });
    expect(result.diagnostics).toEqual([]);
    const [ledger, workstation] = result.plan!.jobs;
    expect(ledger).toMatchObject({ name: 'ledger', quiesce: { idleMs: 3000, withinMs: 120_000 }, schedules: ['30 23 * * 1-5'] });
    expect(ledger!.hooks[1]).toMatchObject({ stage: 'after-backup', allowFailure: true, actions: [{ kind: 'sh', code: 'logger "stillpoint ${STILLPOINT_JOB}: ${STILLPOINT_STATUS}"' }] });
    expect(ledger!.targets[0]).toMatchObject({ path: '\\srv\\backups\\host1\\ledger' });
    expect(workstation!.volumes.map((v) => v.path)).toEqual(['C:', 'D:']);
    expect(workstation!.providers.map((p) => p.name)).toEqual(['vss', 'copy']);
    expect(workstation!.hooks.map((h) => h.stage)).toEqual(['before-snapshot', 'after-snapshot']);
  });

  it('on Linux, where the workstation job has no volume, says so', async () => {
    const result = await evalText(EXAMPLE, { platform: 'linux' });
    expect(result.diagnostics.map(brief)).toEqual(['error job-without-volume 18:5-18:18 job `workstation` has no volume']);
  });
});
