import { describe, expect, it } from 'vitest';
import { describePlan, formatBytes, formatDuration } from '../../src/plan/describe.ts';
import { evalText } from './helpers.ts';

describe('describePlan', () => {
  it('formats durations and sizes in the largest whole unit', () => {
    expect([formatDuration(500), formatDuration(90_000), formatDuration(600_000), formatDuration(1500), formatDuration(604_800_000)]).toEqual(['500ms', '90s', '10m', '1500ms', '1w']);
    expect([formatBytes(5 * 1024 ** 3), formatBytes(1000), formatBytes(2048)]).toEqual(['5GiB', '1000B', '2KiB']);
  });

  it('shows each job: volumes with globs, provider order, writers, hooks, targets, schedules, monitors; secrets as ***', async () => {
    const script = `job db {
  volume "/srv" { exclude "tmp/**" }
  providers lvm, copy
  quiesce { idle 2s  within 1m }
  writer "pg" postgres "postgres://u:\${secret("pw-123")}@db/app" { backup-mode true }
  writer "c" command { freeze ["app", "pause"]  thaw "app resume" }
  hook after-snapshot run "rsync", snapshot_paths, "/nas"
  target restic "/repo" { password secret("pw-123")  keep daily 7 }
  schedule "0 3 * * *"
  monitor webhook "https://hooks.invalid/x" { on failure }
}`;
    const result = await evalText(script);
    const text = describePlan(result.plan!);
    expect(text).not.toContain('pw-123');
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^job db {2}\(.*main\.still:1:1\)$/),
      '  volumes      /srv (-tmp/**)',
      '  files        system files excluded; one file system; read errors fail the job',
      '  providers    1. lvm (snapshot size 10%)',
      '               2. copy (no snapshot; 2 retries, 5s apart)',
      '  timing       quiesce: 2s idle within 1m, else proceed',
      '               writers frozen at most 10s',
      '               snapshot set at most 10m',
      '  backup type  full',
      '  writers      pg: postgres postgres://u:***@db/app in backup mode (timeout 1m, required)',
      '               c: command (timeout 1m, stall-timeout 10m, required)',
      '                 freeze = app pause',
      '                 thaw = shell: app resume',
      '  hooks        after-snapshot: run rsync <snapshot paths> /nas (timeout 5m, stall-timeout 10m)',
      '  hook env     stillpoint',
      '  targets      restic /repo (password given) (keep daily 7) (stall-timeout 10m)',
      '  schedule     0 3 * * *',
      '  monitors     webhook https://hooks.invalid/x on failure',
      '',
    ]);
  });
});
