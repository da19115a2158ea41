// The Stillpoint module in the real PowerShell 7.6 (.tools/pwsh, scripts/install-pwsh.sh),
// used as a PowerShell user would. Each test imports the module fresh.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeWith } from '../support/requirements.ts';
import { pwsh, REPO, runPwsh, PWSH_TEST_TIMEOUT_MS } from '../support/pwsh.ts';

vi.setConfig({ testTimeout: PWSH_TEST_TIMEOUT_MS });

const IMPORT = `$PSStyle.OutputRendering = 'PlainText'; Import-Module '${REPO}/powershell/Stillpoint.psd1' -ErrorAction Stop;`;

/** The lines a script printed, trimmed, without empty ones. */
const lines = (text: string) => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');

describeWith('Stillpoint PowerShell module', [pwsh()], () => {
  let dir: string;
  let state: Record<string, string>;
  const job = (name: string, target: string, extra = '') =>
    `job "${name}" {\n  volume "${dir}/data"\n  provider copy\n${extra}  target tree "${dir}/${target}"\n}\n`;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-psm-'));
    state = { STILLPOINT_STATE_DIR: path.join(dir, 'state') };
    mkdirSync(path.join(dir, 'data/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'data/a.txt'), 'alpha\n');
    writeFileSync(path.join(dir, 'data/sub/b.txt'), 'beta\n');
    mkdirSync(path.join(dir, 'scripts'));
    writeFileSync(path.join(dir, 'scripts/ok.still'), job('ok', 'ok'));
    writeFileSync(path.join(dir, 'scripts/broken.still'), `job "broken" {\n  volume "${dir}/data"\n  provder copy\n}\n`);
    writeFileSync(path.join(dir, 'scripts/[odd] name.still'), job('odd', 'odd'));
    writeFileSync(path.join(dir, 'good.still'), job('documents', 'backups', '  hook after-backup run "sleep", "2"\n') + job('second job', 'other'));
    writeFileSync(path.join(dir, 'failing.still'), job('doomed', 'doomed', '  hook before-backup run "false"\n'));
    writeFileSync(path.join(dir, 'other.still'), job('other', 'other2'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports its commands with approved verbs, each with a description, examples, inputs, outputs and links', async () => {
    const r = await runPwsh(
      `${IMPORT} $verbs = (Get-Verb).Verb; Get-Command -Module Stillpoint | ForEach-Object { $h = Get-Help $_.Name -Full; '{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}' -f $_.Name, ($verbs -contains $_.Verb), $h.description.Text.Length, @($h.examples.example).Count, [bool]$h.inputTypes, [bool]$h.returnValues, @($h.relatedLinks.navigationLink).Count, ($_.Parameters.ContainsKey('WhatIf')) }`,
    );
    expect(r.stderr).toBe('');
    const rows = lines(r.stdout).map((l) => l.split('|'));
    expect(rows.map((row) => row[0])).toEqual([
      'Format-StillpointScript',
      'Get-StillpointPlan',
      'Get-StillpointProvider',
      'Get-StillpointSchedule',
      'Get-StillpointSnapshot',
      'Get-StillpointWriter',
      'Invoke-Stillpoint',
      'Register-StillpointSchedule',
      'Remove-StillpointLeftover',
      'Restore-StillpointSnapshot',
      'Test-StillpointScript',
      'Test-StillpointSnapshot',
      'Unregister-StillpointSchedule',
    ]);
    for (const [name, approved, description, examples, inputs, outputs, links, whatIf] of rows) {
      expect(approved, name).toBe('True');
      expect(Number(description), name).toBeGreaterThan(30);
      expect(Number(examples), name).toBeGreaterThanOrEqual(1);
      expect([inputs, outputs], name).toEqual(['True', 'True']);
      expect(Number(links), name).toBeGreaterThanOrEqual(1);
      // Commands that change something support -WhatIf and -Confirm.
      if (/^(Invoke|Restore|Remove|Register|Unregister|Format)-/.test(name!)) expect(whatIf, name).toBe('True');
    }
    const invoke = rows.find((row) => row[0] === 'Invoke-Stillpoint')!;
    expect(Number(invoke[3])).toBeGreaterThanOrEqual(3);
  });

  it('has an about_Stillpoint topic and the manifest metadata a gallery needs', async () => {
    const r = await runPwsh(
      `${IMPORT} (Get-Help about_Stillpoint | Out-String) -match 'STILLPOINT_CLI'; $m = Test-ModuleManifest '${REPO}/powershell/Stillpoint.psd1'; $d = $m.PrivateData.PSData; $m.CompatiblePSEditions -join ','; $d.Tags -join ','; [bool]$d.LicenseUri; [bool]$d.ReleaseNotes`,
    );
    expect(r.stderr).toBe('');
    const [about, editions, tags, license, notes] = lines(r.stdout);
    expect(about).toBe('True');
    expect(editions).toBe('Desktop,Core');
    expect(tags!.split(',')).toEqual(expect.arrayContaining(['PSEdition_Core', 'Linux', 'Windows']));
    expect([license, notes]).toEqual(['True', 'True']);
  });

  it('assigns no automatic variable ($event, $input, $args, ...)', async () => {
    const r = await runPwsh(
      `$ast = [System.Management.Automation.Language.Parser]::ParseFile('${REPO}/powershell/Stillpoint.psm1', [ref]$null, [ref]$null); $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] -and $n.Left -is [System.Management.Automation.Language.VariableExpressionAst] -and $n.Left.VariablePath.UserPath -in 'event', 'input', 'args', '_', 'PSItem', 'this', 'sender', 'matches', 'error', 'host' }, $true) | ForEach-Object { $_.Extent.StartLineNumber }`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('');
  });

  it('takes paths as PowerShell does: the current location, PSDrives, wildcards, -LiteralPath, strings and files from the pipeline', async () => {
    const show = `ForEach-Object { [System.IO.Path]::GetFileName($_.File) + ':' + $_.Line }`;
    const r = await runPwsh(
      [
        IMPORT,
        `Set-Location '${dir}/scripts';`,
        `'location=' + (Test-StillpointScript broken.still | ${show});`,
        `'wildcard=' + ((Test-StillpointScript *.still | ${show}) -join ',');`,
        `'literal=' + @(Test-StillpointScript -LiteralPath '[odd] name.still').Count;`,
        `'strings=' + (('broken.still', 'ok.still') | Test-StillpointScript | ${show});`,
        `'files=' + ((Get-ChildItem -Filter *.still | Test-StillpointScript | ${show}) -join ',');`,
        `$null = New-PSDrive -Name sp -PSProvider FileSystem -Root '${dir}';`,
        `'drive=' + (Test-StillpointScript sp:/scripts/broken.still | ${show});`,
        `Test-StillpointScript missing.still -ErrorVariable e -ErrorAction SilentlyContinue; 'missing=' + $e[0].CategoryInfo.Category + '|' + $e[0].FullyQualifiedErrorId;`,
      ].join(' '),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      'location=broken.still:3',
      'wildcard=broken.still:3',
      'literal=0',
      'strings=broken.still:3',
      'files=broken.still:3',
      'drive=broken.still:3',
      'missing=ObjectNotFound|StillpointPathNotFound,Test-StillpointScript',
    ]);
  });

  it('Invoke-Stillpoint writes one result per run, with [datetime] and [TimeSpan] and PascalCase; events only with -IncludeEvent, progress never', async () => {
    const r = await runPwsh(
      [
        IMPORT,
        `Set-Location '${dir}';`,
        `$plain = @(Invoke-Stillpoint good.still -Job 'second job');`,
        `'plain=' + $plain.Count + '|' + $plain[0].PSObject.TypeNames[0] + '|' + $plain[0].Status + '|' + $plain[0].Duration.GetType().Name + '|' + $plain[0].StartTime.GetType().Name + '|' + ($plain[0].PSObject.Properties.Name -join ',');`,
        `$all = @(Invoke-Stillpoint good.still -Job documents -IncludeEvent | ForEach-Object { [pscustomobject]@{ At = [DateTime]::UtcNow; Item = $_ } });`,
        `$events = @($all | Where-Object { $_.Item.PSObject.TypeNames[0] -eq 'Stillpoint.Event' });`,
        `'types=' + (@($all | ForEach-Object { $_.Item.PSObject.TypeNames[0] } | Select-Object -Unique) -join ',');`,
        `'progress=' + @($events | Where-Object { $_.Item.Type -eq 'copy.progress' }).Count;`,
        `'first=' + $events[0].Item.Type + '|' + $events[0].Item.Time.GetType().Name + '|' + $events[0].Item.RunId.Length;`,
        `'last=' + $all[-1].Item.PSObject.TypeNames[0];`,
        // The after-backup hook sleeps 2 s: the first event was in the pipeline long before the result.
        `'streamed=' + (($all[-1].At - $all[0].At).TotalSeconds -gt 1.5);`,
      ].join(' '),
      state,
    );
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out[0]).toBe('plain=1|Stillpoint.RunResult|succeeded|TimeSpan|DateTime|Path,Status,ExitCode,StartTime,Duration,Jobs,Report,DryRun');
    expect(out.slice(1)).toEqual(['types=Stillpoint.Event,Stillpoint.RunResult', 'progress=0', 'first=run.started|DateTime|36', 'last=Stillpoint.RunResult', 'streamed=True']);
  }, 120_000);

  it('-WhatIf runs nothing and writes nothing; -DryRun writes the dry result', async () => {
    const r = await runPwsh(
      `${IMPORT} Set-Location '${dir}'; 'whatif=' + @(Invoke-Stillpoint other.still -WhatIf).Count; $d = @(Invoke-Stillpoint other.still -DryRun); 'dry=' + $d.Count + '|' + $d[0].DryRun`,
      state,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('What if: Performing the operation "Run backup" on target');
    expect(lines(r.stdout).filter((l) => /^(whatif|dry)=/.test(l))).toEqual(['whatif=0', 'dry=1|True']);
    expect(existsSync(path.join(dir, 'other2'))).toBe(false);
  }, 120_000);

  it('a failed run is a non-terminating error carrying its result: the next script runs, $? is false, -ErrorAction Stop stops', async () => {
    const scripts = `'${dir}/failing.still', '${dir}/scripts/ok.still'`;
    const r = await runPwsh(
      [
        IMPORT,
        `$results = @(${scripts} | Invoke-Stillpoint -ErrorVariable failed -ErrorAction SilentlyContinue); 'ok=' + $?;`,
        `'results=' + (($results | ForEach-Object { $_.Status }) -join ',');`,
        `$f = $failed[0]; 'error=' + $f.FullyQualifiedErrorId + '|' + $f.CategoryInfo.Category + '|' + $f.TargetObject.Status + '|' + $f.Exception.Data['ExitCode'] + '|' + $f.Exception.Data['FailedStage'];`,
        `try { ${scripts} | Invoke-Stillpoint -ErrorAction Stop | ForEach-Object { 'ran ' + $_.Path } } catch { 'stopped=' + $_.FullyQualifiedErrorId }`,
      ].join(' '),
      state,
    );
    expect(lines(r.stdout)).toEqual([
      'ok=False',
      'results=succeeded',
      'error=StillpointRunFailed,Invoke-Stillpoint|OperationStopped|failed|1|before-backup',
      'stopped=StillpointRunFailed,Invoke-Stillpoint',
    ]);
  }, 180_000);

  it('-Verbose shows the run as it happens, before the result', async () => {
    const r = await runPwsh(`${IMPORT} Invoke-Stillpoint '${dir}/other.still' -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { 'verbose ' + $_.Message } else { 'result ' + $_.Status } }`, state);
    const out = lines(r.stdout);
    expect(out.at(-1)).toBe('result succeeded');
    expect(out.some((l) => /^verbose \d\d:\d\d:\d\d stage\.started: snapshot$/.test(l))).toBe(true);
    expect(out.some((l) => /^verbose .*run\.finished: succeeded$/.test(l))).toBe(true);
  }, 120_000);

  it('stopping the pipeline cancels the run and waits for its clean-up: no orphaned hook, no lock left', async () => {
    const pidFile = path.join(dir, 'hook.pid');
    writeFileSync(path.join(dir, 'slow.still'), job('slow', 'slow', `  hook before-backup sh { echo $$ > '${pidFile}'; sleep 60 }\n`));
    const r = await runPwsh(
      `${IMPORT} Invoke-Stillpoint '${dir}/slow.still' -IncludeEvent | Where-Object Type -eq 'hook.started' | Select-Object -First 1 | ForEach-Object { Start-Sleep -Seconds 1; 'hook ' + $_.Stage }`,
      state,
    );
    expect(lines(r.stdout)).toEqual(['hook before-backup']);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
    expect(readdirSync(path.join(dir, 'state/jobs')).filter((n) => n.endsWith('.lock'))).toEqual([]);
  }, 120_000);

  it('one object per snapshot: the first one piped to Restore-StillpointSnapshot is the one restored; a folder from Get-Item binds by its path', async () => {
    writeFileSync(path.join(dir, 'snap.still'), job('snap', 'snaps'));
    writeFileSync(path.join(dir, 'data/a.txt'), 'first\n');
    const r = await runPwsh(
      [
        IMPORT,
        `Set-Location '${dir}';`,
        `$null = Invoke-Stillpoint snap.still; Start-Sleep -Seconds 1.1; Set-Content data/a.txt 'second'; $null = Invoke-Stillpoint snap.still;`,
        `$s = @(Get-StillpointSnapshot snaps); 'count=' + $s.Count + '|' + $s[0].Time.GetType().Name + '|' + ($s[0].Time -lt $s[1].Time);`,
        `'folder=' + @(Get-Item snaps | Get-StillpointSnapshot).Count;`,
        `Get-StillpointSnapshot snaps | Select-Object -First 1 | Restore-StillpointSnapshot -Destination restored -Confirm:$false;`,
        `'restored=' + (Get-ChildItem restored -Recurse -Filter a.txt | Get-Content);`,
        `'whatif=' + @(Get-StillpointSnapshot snaps | Select-Object -First 1 | Restore-StillpointSnapshot -Destination restored2 -WhatIf).Count + '|' + (Test-Path restored2);`,
      ].join(' '),
      state,
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout).filter((l) => !l.startsWith('What if'))).toEqual(['count=2|DateTime|True', 'folder=2', 'restored=first', 'whatif=0|False']);
  }, 180_000);

  it('Test-StillpointSnapshot carries the problems and the snapshot it verified; a missing target is an error', async () => {
    writeFileSync(path.join(dir, 'damaged.still'), job('damaged', 'damaged'));
    const r = await runPwsh(
      [
        IMPORT,
        `Set-Location '${dir}';`,
        `$null = Invoke-Stillpoint damaged.still; $id = (Get-StillpointSnapshot damaged).Id;`,
        `$ok = Test-StillpointSnapshot damaged; 'ok=' + $ok.Ok + '|' + ($ok.Snapshot -eq $id) + '|' + @($ok.Problems).Count;`,
        `$file = Get-ChildItem damaged -Recurse -Filter b.txt | Select-Object -First 1; Set-Content $file.FullName 'tampered';`,
        `$bad = Get-StillpointSnapshot damaged | Test-StillpointSnapshot; 'bad=' + $bad.Ok + '|' + ($bad.Snapshot -eq $id) + '|' + ($bad.Problems -join ';');`,
        `Test-StillpointSnapshot nowhere -ErrorVariable e -ErrorAction SilentlyContinue; 'missing=' + $e[0].CategoryInfo.Category;`,
      ].join(' '),
      state,
    );
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out[0]).toBe('ok=True|True|0');
    expect(out[1]).toMatch(/^bad=False\|True\|mismatch: .*sub\/b\.txt/);
    expect(out[2]).toBe('missing=ObjectNotFound');
  }, 180_000);

  it('Get-StillpointWriter and Remove-StillpointLeftover give one typed object per writer and per job; -WhatIf says what it would release', async () => {
    writeFileSync(
      path.join(dir, 'writers.still'),
      job('books', 'books', `  writer "ledger" sqlite "${dir}/missing.db"\n`) + job('plain', 'plain'),
    );
    const r = await runPwsh(
      [
        IMPORT,
        `Set-Location '${dir}';`,
        `Get-StillpointWriter writers.still | ForEach-Object { 'writer={0}|{1}|{2}|{3}' -f $_.PSObject.TypeNames[0], $_.Job, $_.Name, $_.State };`,
        `Remove-StillpointLeftover writers.still -WhatIf;`,
        `Remove-StillpointLeftover writers.still -Confirm:$false | ForEach-Object { 'cleanup={0}|{1}|{2}' -f $_.PSObject.TypeNames[0], $_.Job, @($_.Released).Count };`,
      ].join(' '),
      state,
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      'writer=Stillpoint.Writer|books|ledger|failed',
      `What if: Performing the operation "Release leftover snapshots" on target "${dir}/writers.still".`,
      'cleanup=Stillpoint.Cleanup|books|0',
      'cleanup=Stillpoint.Cleanup|plain|0',
    ]);
  }, 180_000);

  it('format views render every type with Format-Table and Format-List', async () => {
    const r = await runPwsh(
      [
        IMPORT,
        `Set-Location '${dir}';`,
        `$run = @(Invoke-Stillpoint scripts/ok.still -IncludeEvent);`,
        `$run | Where-Object { $_.PSObject.TypeNames[0] -eq 'Stillpoint.Event' -and $_.Type -eq 'stage.started' } | Select-Object -First 1 | Format-Table | Out-String -Width 200;`,
        `$run[-1] | Format-Table | Out-String -Width 200; $run[-1] | Format-List | Out-String -Width 200; $run[-1].Jobs | Format-Table | Out-String -Width 200;`,
        `Get-StillpointPlan scripts/ok.still | Format-Table | Out-String -Width 200;`,
        `Get-StillpointProvider scripts/ok.still | Format-Table | Out-String -Width 200;`,
        `Get-StillpointSnapshot ok | Format-Table | Out-String -Width 200;`,
        `Test-StillpointSnapshot ok | Format-List | Out-String -Width 200;`,
        `Test-StillpointScript scripts/broken.still | Format-List | Out-String -Width 200;`,
      ].join(' '),
      state,
    );
    expect(r.stderr).toBe('');
    const text = r.stdout;
    // Each view's header row, as the views define them (not PowerShell's default of every property).
    expect(text).toMatch(/^Time\s+Job\s+Type\s+Message\s*$/m);
    expect(text).toMatch(/^\S.*\sok\s+stage\.started\s+plan\s*$/m);
    expect(text).toMatch(/^Path\s+Status\s+ExitCode\s+Duration\s+DryRun\s*$/m);
    expect(text).toMatch(/^Duration\s+: \d\d:\d\d:\d\d/m);
    expect(text).toMatch(/^Jobs\s+: ok: succeeded$/m);
    expect(text).toMatch(/^Job\s+Status\s+ExitCode\s+Duration\s+FailedStage\s+Error\s*$/m);
    expect(text).toMatch(/^Name\s+Volumes\s+Providers\s+Targets\s+Hooks\s*$/m);
    expect(text).toMatch(/^Job\s+Volume\s+FsType\s+Providers\s*$/m);
    expect(text).toMatch(/copy \(chosen\)/);
    expect(text).toMatch(/^Id\s+Time\s+Status\s+Files\s+Bytes\s+Volumes\s*$/m);
    expect(text).toMatch(/^Ok\s+: True$/m);
    expect(text).toMatch(/^Detail\s+: /m);
  }, 180_000);

  it('tab completion offers the script\'s job names for -Job, from a path relative to the location', async () => {
    const input = `Invoke-Stillpoint -Path good.still -Job `;
    const r = await runPwsh(
      `${IMPORT} Set-Location '${dir}'; [System.Management.Automation.CommandCompletion]::CompleteInput("${input}", ${input.length}, $null).CompletionMatches | ForEach-Object { $_.CompletionText }`,
    );
    expect(lines(r.stdout).map((l) => l.trim())).toEqual(['documents', "'second job'"]);
  });

  it('progress records drive Write-Progress: a parent bar for the lifecycle, one per target', async () => {
    const r = await runPwsh(
      `${IMPORT} $ps = [powershell]::Create(); [void]$ps.AddCommand('Import-Module').AddArgument('${REPO}/powershell/Stillpoint.psd1').AddStatement().AddCommand('Invoke-Stillpoint').AddParameter('Path', '${dir}/good.still').AddParameter('Job', 'second job'); [void]$ps.Invoke(); $ps.Streams.Progress | ForEach-Object { '{0}|{1}|{2}|{3}|{4}' -f $_.ActivityId, $_.ParentActivityId, $_.Activity, $_.PercentComplete, $_.StatusDescription }`,
      state,
    );
    const rows = lines(r.stdout);
    expect(rows.some((row) => /^1\|-1\|stillpoint/.test(row))).toBe(true);
    expect(rows.some((row) => /^2\|1\|copy to /.test(row))).toBe(true);
  }, 120_000);

  it('a copy\'s total makes the bar\'s percentage and time left', async () => {
    // A small copy ends before its total is known: the bar is built from an event as it comes
    // from a longer one (copy.progress with totalFiles and totalBytes), 10 s after its start.
    const r = await runPwsh(
      `$m = Import-Module '${REPO}/powershell/Stillpoint.psd1' -PassThru; & $m { $e = [pscustomobject]@{ Target = '/t'; FilesDone = 1; TotalFiles = 4; BytesDone = 25; TotalBytes = 100; Time = [datetime]'2026-01-01T00:00:10Z' }; $r = New-CopyProgress $e @{ Id = 2; Started = [datetime]'2026-01-01T00:00:00Z' }; '{0}|{1}|{2}' -f $r.PercentComplete, $r.SecondsRemaining, $r.StatusDescription }`,
    );
    expect(r.stdout.trim()).toBe('25|30|1 of 4 files, 25 of 100 bytes');
  }, 120_000);

  it('until the total is known, the estimate from the previous snapshot makes them, and the status says "about"', async () => {
    const r = await runPwsh(
      `$m = Import-Module '${REPO}/powershell/Stillpoint.psd1' -PassThru; & $m { $e = [pscustomobject]@{ Target = '/t'; FilesDone = 1; EstimatedFiles = 5; BytesDone = 20; EstimatedBytes = 80; ScannedFiles = 2; ScannedBytes = 30; Time = [datetime]'2026-01-01T00:00:10Z' }; $r = New-CopyProgress $e @{ Id = 2; Started = [datetime]'2026-01-01T00:00:00Z' }; '{0}|{1}|{2}' -f $r.PercentComplete, $r.SecondsRemaining, $r.StatusDescription }`,
    );
    expect(r.stdout.trim()).toBe('25|30|1 of about 5 files, 20 of about 80 bytes');
  }, 120_000);
});
