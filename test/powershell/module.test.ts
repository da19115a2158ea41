// The Stillpoint module in the real PowerShell 7.6 (.tools/pwsh, scripts/install-pwsh.sh).
// Each test imports the module fresh.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../support/requirements.ts';
import { pwsh, runPwsh } from '../support/pwsh.ts';

const IMPORT = `Import-Module ./powershell/Stillpoint.psd1 -ErrorAction Stop;`;

describeWith('Stillpoint PowerShell module', [pwsh()], () => {
  let dir: string;
  let good: string;
  let failing: string;
  let target: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-psm-'));
    mkdirSync(path.join(dir, 'data/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'data/a.txt'), 'alpha\n');
    writeFileSync(path.join(dir, 'data/sub/b.txt'), 'beta\n');
    target = path.join(dir, 'backups');
    good = path.join(dir, 'good.still');
    writeFileSync(
      good,
      [
        `job "documents" {`,
        `  volume "${dir}/data"`,
        `  provider copy`,
        `  hook after-backup run "sleep", "2"`,
        `  target tree "${target}"`,
        `}`,
        `job "second job" {`,
        `  volume "${dir}/data"`,
        `  provider copy`,
        `  target tree "${dir}/other"`,
        `}`,
        ``,
      ].join('\n'),
    );
    failing = path.join(dir, 'failing.still');
    writeFileSync(failing, `job "doomed" {\n  volume "${dir}/data"\n  provider copy\n  hook before-backup run "false"\n  target tree "${dir}/doomed"\n}\n`);
    mkdirSync(path.join(dir, 'scripts'));
    writeFileSync(path.join(dir, 'scripts/ok.still'), `job "ok" {\n  volume "${dir}/data"\n  provider copy\n  target tree "${dir}/ok"\n}\n`);
    writeFileSync(path.join(dir, 'scripts/broken.still'), `job "broken" {\n  volume "${dir}/data"\n  provder copy\n}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports exactly its commands, each with help', async () => {
    const r = await runPwsh(`${IMPORT} Get-Command -Module Stillpoint | ForEach-Object { $_.Name + '|' + (Get-Help $_.Name).Synopsis }`);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => l.trim());
    expect(lines.map((l) => l.split('|')[0])).toEqual([
      'Get-StillpointPlan',
      'Get-StillpointProvider',
      'Get-StillpointSnapshot',
      'Invoke-Stillpoint',
      'Restore-StillpointSnapshot',
      'Test-StillpointScript',
      'Test-StillpointSnapshot',
    ]);
    for (const line of lines) expect(line.split('|')[1]!.length).toBeGreaterThan(20);
  });

  it('Test-StillpointScript takes files from the pipeline and reports line and column', async () => {
    // FileInfo objects, as Get-ChildItem emits them: FullName binds to -Path by property name.
    const r = await runPwsh(
      `${IMPORT} [System.IO.DirectoryInfo]::new('${dir}/scripts').GetFiles('*.still') | Test-StillpointScript | ForEach-Object { '{0}|{1}|{2}|{3}|{4}' -f [System.IO.Path]::GetFileName($_.File), $_.Line, $_.Column, $_.Severity, $_.Message }`,
    );
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split('|'));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0]!.slice(0, 4)).toEqual(['broken.still', '3', '3', 'error']);
    expect(rows[0]![4]).toMatch(/provder/);
    expect(rows.every((row) => row[0] === 'broken.still')).toBe(true);
  });

  it('Invoke-Stillpoint streams events before the run ends, and the result comes out last', async () => {
    const r = await runPwsh(
      `${IMPORT} Invoke-Stillpoint -Path '${good}' -Job documents | ForEach-Object { '{0}|{1}' -f [DateTime]::UtcNow.Ticks, $_.PSObject.TypeNames[0] + ':' + $(if ($_.PSObject.Properties['type']) { $_.type } else { $_.Status }) }`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split('|'));
    const first = rows[0]!;
    const last = rows.at(-1)!;
    expect(first[1]).toBe('Stillpoint.Event:run.started');
    expect(last[1]).toBe('Stillpoint.RunResult:succeeded');
    // The job's after-backup hook sleeps 2 s: the first event was in the pipeline long before.
    const seconds = (Number(last[0]) - Number(first[0])) / 1e7;
    expect(seconds).toBeGreaterThan(1.5);
    expect(rows.some((row) => row[1] === 'Stillpoint.Event:copy.finished')).toBe(true);
    expect(existsSync(target)).toBe(true);
  });

  it('-WhatIf runs the lifecycle dry: nothing is written', async () => {
    const whatIfTarget = path.join(dir, 'other');
    const r = await runPwsh(`${IMPORT} $r = Invoke-Stillpoint -Path '${good}' -Job 'second job' -WhatIf | Select-Object -Last 1; 'dry=' + $r.DryRun`.replace(' | Select-Object -Last 1', ' | ForEach-Object { $_ } | Where-Object { $_.PSObject.TypeNames[0] -eq "Stillpoint.RunResult" }'));
    expect(r.stdout).toContain('dry=True');
    expect(existsSync(whatIfTarget)).toBe(false);
  });

  it('a failed run is a terminating error carrying the exit code and the failed stage', async () => {
    const r = await runPwsh(
      `${IMPORT} try { Invoke-Stillpoint -Path '${failing}' | Out-Null; 'no error' } catch { 'caught|' + $_.Exception.Data['ExitCode'] + '|' + $_.Exception.Data['FailedStage'] + '|' + $_.FullyQualifiedErrorId }`.replace(' | Out-Null', ' | ForEach-Object { }'),
    );
    expect(r.stdout.trim()).toMatch(/^caught\|1\|before-backup\|StillpointRunFailed,Invoke-Stillpoint$/);
  });

  it('progress records drive Write-Progress: a parent bar for the lifecycle, one per target', async () => {
    const r = await runPwsh(
      `${IMPORT} $ps = [powershell]::Create([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()); [void]$ps.AddCommand('Import-Module').AddArgument('./powershell/Stillpoint.psd1').AddStatement().AddCommand('Invoke-Stillpoint').AddParameter('Path', '${good}').AddParameter('Job', 'second job'); [void]$ps.Invoke(); $ps.Streams.Progress | ForEach-Object { '{0}|{1}|{2}' -f $_.ActivityId, $_.ParentActivityId, $_.Activity }`,
    );
    const rows = r.stdout.trim().split('\n').map((l) => l.trim());
    expect(rows.some((row) => /^1\|-1\|stillpoint/.test(row))).toBe(true);
    expect(rows.some((row) => /^2\|1\|copy to /.test(row))).toBe(true);
  });

  it('tab completion offers the script\'s job names for -Job', async () => {
    const input = `Invoke-Stillpoint -Path '${good}' -Job `;
    const r = await runPwsh(
      `${IMPORT} [System.Management.Automation.CommandCompletion]::CompleteInput("${input}", ${input.length}, $null).CompletionMatches | ForEach-Object { $_.CompletionText }`,
    );
    expect(r.stdout.trim().split('\n').map((l) => l.trim())).toEqual(['documents', "'second job'"]);
  });

  it('Get-StillpointSnapshot and Test-StillpointSnapshot read the tree target', async () => {
    const r = await runPwsh(
      `${IMPORT} $s = @(Get-StillpointSnapshot -Target '${target}'); 'count=' + $s.Count; $v = Test-StillpointSnapshot -Target '${target}'; 'ok=' + $v.Ok`,
    );
    expect(r.stdout).toMatch(/count=[1-9]/);
    expect(r.stdout).toContain('ok=True');
  });
});
