// `stillpoint schedule` as a user runs it (bin/stillpoint.js in a child process): show's next
// run times, install --print (nothing written), install and remove with --unit-dir (units
// written and deleted there, exit 1 with the notice that systemd was not asked to act).

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../engine/support/cli.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-schedule-cli-'));
  file = join(dir, 'backup.still');
  await writeFile(
    file,
    `job "nightly" {
  volume '${dir}'
  provider copy
  target tree '${join(dir, 'backups')}'
  schedule "30 23 * * *"
}

job "Quarter Hour" {
  volume '${dir}'
  provider copy
  target tree '${join(dir, 'backups')}'
  schedule "*/15 * * * *"
}

job "by hand" {
  volume '${dir}'
  provider copy
  target tree '${join(dir, 'backups')}'
}
`,
  );
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const schedule = (args: string[]) => startCli(['schedule', ...args], { TZ: 'UTC' }).done;

describe('stillpoint schedule', () => {
  it('show prints each job\'s schedule and its next five run times, in order', async () => {
    const { code, stdout, stderr } = await schedule(['show', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const section = (job: string) => lines.slice(lines.indexOf(job) + 1, lines.indexOf(job) + 7);
    const times = (job: string) => section(job).slice(1).map((line) => line.trim().slice(0, 16));

    expect(section('nightly')[0]).toBe('  "30 23 * * *"');
    expect(times('nightly')).toHaveLength(5);
    for (const [i, time] of times('nightly').entries()) {
      expect(time).toMatch(/^\d{4}-\d\d-\d\d 23:30$/);
      if (i > 0) expect(Date.parse(`${time}Z`) - Date.parse(`${times('nightly')[i - 1]}Z`)).toBe(24 * 3600_000);
    }
    expect(section('Quarter Hour')[0]).toBe('  "*/15 * * * *"');
    const quarters = times('Quarter Hour').map((t) => Date.parse(`${t}Z`));
    expect(quarters[0]! - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    for (let i = 1; i < 5; i++) expect(quarters[i]! - quarters[i - 1]!).toBe(15 * 60_000);
    expect(lines.slice(lines.indexOf('by hand'))).toEqual(['by hand', '  no schedule']);

    const one = await schedule(['show', file, '--job', 'nightly', '--count', '2']);
    expect(one.stdout.trimEnd().split('\n')).toHaveLength(4);
  });

  it('show, install and remove take --import-root for a script that imports from another folder', async () => {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    await writeFile(join(shared, 'times.still'), 'let nightly = "30 23 * * *"\n');
    const main = join(dir, 'site', 'main.still');
    await mkdir(join(dir, 'site'));
    await writeFile(main, `import "../shared/times.still"\njob "n" {\n  volume '${dir}'\n  provider copy\n  target tree '${join(dir, 'backups')}'\n  schedule nightly\n}\n`);
    const refused = await schedule(['show', main]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is outside the allowed folders');
    const roots = ['--import-root', join(dir, 'site'), '--import-root', shared];
    const shown = await schedule(['show', main, ...roots]);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain('  "30 23 * * *"');
    for (const action of ['install', 'remove']) {
      const printed = await schedule([action, main, '--print', '--unit-dir', join(dir, 'units'), ...roots]);
      expect(printed.stderr).toBe('');
      expect(printed.stdout).toContain(`# ${join(dir, 'units', 'stillpoint-n.timer')}`);
    }
  });

  it('install --print shows a service and a timer per scheduled job and writes nothing', async () => {
    const unitDir = join(dir, 'units');
    const { code, stdout } = await schedule(['install', file, '--print', '--unit-dir', unitDir]);
    expect(code).toBe(0);
    const headers = stdout.split('\n').filter((l) => l.startsWith('# '));
    expect(headers).toEqual([
      `# ${join(unitDir, 'stillpoint-nightly.service')}`,
      `# ${join(unitDir, 'stillpoint-nightly.timer')}`,
      expect.stringMatching(new RegExp(`^# ${unitDir}/stillpoint-quarter-hour-[a-z0-9]+\\.service$`)),
      expect.stringMatching(new RegExp(`^# ${unitDir}/stillpoint-quarter-hour-[a-z0-9]+\\.timer$`)),
      '# then: systemctl daemon-reload',
      expect.stringMatching(/^# then: systemctl enable --now stillpoint-nightly\.timer stillpoint-quarter-hour-[a-z0-9]+\.timer$/),
    ]);
    expect(stdout).toContain('OnCalendar=*-*-* 23:30:00');
    expect(stdout).toContain('OnCalendar=*-*-* *:00,15,30,45:00');
    expect(stdout).toContain(`run ${file} --job nightly --plain`);
    expect(stdout).toContain(`run ${file} --job "Quarter Hour" --plain`);
    expect(stdout).not.toContain('by hand');
    expect(existsSync(unitDir)).toBe(false);
  });

  it('install --unit-dir writes the units there and exits 1 saying systemd was not asked to enable them; remove deletes them', async () => {
    const unitDir = join(dir, 'units');
    const installed = await schedule(['install', file, '--unit-dir', unitDir]);
    expect(installed.code).toBe(1);
    expect(installed.stderr).toMatch(/the units were written but not enabled; run: systemctl daemon-reload && systemctl enable --now stillpoint-nightly\.timer/);
    const units = (await readdir(unitDir)).sort();
    expect(units).toHaveLength(4);
    expect(units.slice(0, 2)).toEqual(['stillpoint-nightly.service', 'stillpoint-nightly.timer']);
    expect(installed.stdout.trimEnd().split('\n')).toEqual(expect.arrayContaining([`wrote ${join(unitDir, 'stillpoint-nightly.timer')}`]));
    const timer = await readFile(join(unitDir, 'stillpoint-nightly.timer'), 'utf8');
    expect(timer).toContain('OnCalendar=*-*-* 23:30:00\nPersistent=true\nUnit=stillpoint-nightly.service');
    const service = await readFile(join(unitDir, 'stillpoint-nightly.service'), 'utf8');
    expect(service).toMatch(new RegExp(`^ExecStart=\\S+ \\S+/bin/stillpoint\\.js run ${file} --job nightly --plain$`, 'm'));

    const onlyOne = await schedule(['remove', file, '--job', 'nightly', '--unit-dir', unitDir]);
    expect(onlyOne.code).toBe(1);
    expect(onlyOne.stderr).toMatch(/the units were removed but not disabled/);
    const left = await readdir(unitDir);
    expect(left).toHaveLength(2);
    expect(left.every((name) => name.startsWith('stillpoint-quarter-hour-'))).toBe(true);
  });

  it('install on a script without any schedule is a usage error that says what to add', async () => {
    const { code, stderr } = await schedule(['install', file, '--job', 'by hand', '--print']);
    expect(code).toBe(2);
    expect(stderr).toContain('has a schedule; add `schedule "30 23 * * *"` to a job');
  });
});
