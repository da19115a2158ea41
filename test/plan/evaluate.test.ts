import { describe, expect, it } from 'vitest';
import { brief, evalText } from './helpers.ts';

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
