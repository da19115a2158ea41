# Stillpoint for PowerShell: the CLI's JSON, turned into typed objects as it arrives.
#
# Written for PowerShell 7 (tested on 7.6) and Windows PowerShell 5.1 (untested): data comes
# from the CLI's stdout as UTF-8 JSON, its log from stderr. Objects get PascalCase property
# names, [datetime] for times and [TimeSpan] for durations (ConvertTo-StillpointObject).

Set-StrictMode -Version 3.0

# --------------------------------------------------------------------------- the CLI

function Get-StillpointCli {
    # $env:STILLPOINT_CLI: the command to run (a path to `stillpoint` or to bin/stillpoint.js).
    # Otherwise the checkout this module lives in (bin/stillpoint.js with the Node it brought),
    # otherwise `stillpoint` on the PATH (where an installed module finds it).
    $root = [System.IO.Path]::GetDirectoryName($PSScriptRoot)
    $bin = [System.IO.Path]::Combine($root, 'bin', 'stillpoint.js')
    $cli = $env:STILLPOINT_CLI
    if (-not $cli -and [System.IO.File]::Exists($bin)) { $cli = $bin }
    if (-not $cli) {
        $found = Get-Command stillpoint -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $found) {
            throw [System.Management.Automation.ItemNotFoundException]::new('The stillpoint CLI was not found: put `stillpoint` on the PATH (install the stillpoint package), or set $env:STILLPOINT_CLI to its path (or to its bin/stillpoint.js).')
        }
        $cli = $found.Source
    }
    if ($cli -like '*.js') {
        $node = $env:STILLPOINT_NODE
        if (-not $node) {
            # The checkout's own Node (the `node` dev dependency), not node_modules/.bin/node,
            # which another dev dependency (an older Node for tests) may own.
            foreach ($candidate in @([System.IO.Path]::Combine($root, 'node_modules', 'node', 'bin', 'node'), [System.IO.Path]::Combine($root, 'node_modules', 'node', 'bin', 'node.exe'))) {
                if ([System.IO.File]::Exists($candidate)) { $node = $candidate; break }
            }
        }
        if (-not $node) { $node = 'node' }
        return @{ FilePath = $node; Prefix = @($cli) }
    }
    return @{ FilePath = $cli; Prefix = @() }
}

function ConvertTo-CommandLineArgument([string] $Argument) {
    # CommandLineToArgvW quoting, for Windows PowerShell 5.1 where ProcessStartInfo has no ArgumentList.
    if ($Argument -ne '' -and $Argument -notmatch '[\s"]') { return $Argument }
    $out = [System.Text.StringBuilder]::new()
    [void] $out.Append('"')
    $backslashes = 0
    foreach ($ch in $Argument.ToCharArray()) {
        if ($ch -eq '\') { $backslashes++; continue }
        if ($ch -eq '"') { [void] $out.Append('\' * ($backslashes * 2 + 1)).Append('"') }
        else { [void] $out.Append('\' * $backslashes).Append($ch) }
        $backslashes = 0
    }
    [void] $out.Append('\' * ($backslashes * 2)).Append('"')
    return $out.ToString()
}

function Start-StillpointProcess([string[]] $Arguments) {
    $cli = Get-StillpointCli
    $info = [System.Diagnostics.ProcessStartInfo]::new()
    $info.FileName = $cli.FilePath
    $all = @($cli.Prefix) + @($Arguments)
    if ($null -ne $info.PSObject.Properties['ArgumentList'] -and $null -ne $info.ArgumentList) {
        foreach ($a in $all) { $info.ArgumentList.Add($a) }
    } else {
        $info.Arguments = ($all | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' '
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $info.StandardOutputEncoding = $utf8
    $info.StandardErrorEncoding = $utf8
    $info.EnvironmentVariables['NO_COLOR'] = '1'
    $process = [System.Diagnostics.Process]::Start($info)
    $process.StandardInput.Close()
    return $process
}

function Invoke-StillpointCli {
    # Runs the CLI to the end; returns its exit code, stdout lines and stderr text.
    param([string[]] $Arguments)
    $process = Start-StillpointProcess $Arguments
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdout = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    [pscustomobject]@{
        ExitCode = $process.ExitCode
        Stdout   = $stdout
        Stderr   = $stderr.GetAwaiter().GetResult()
    }
}

# --------------------------------------------------------------------------- JSON

function ConvertFrom-JsonElement($Element) {
    switch ($Element.ValueKind.ToString()) {
        'Object' {
            $properties = [ordered]@{}
            foreach ($p in $Element.EnumerateObject()) { $properties[$p.Name] = ConvertFrom-JsonElement $p.Value }
            return [pscustomobject]$properties
        }
        'Array' { return , @($Element.EnumerateArray() | ForEach-Object { ConvertFrom-JsonElement $_ }) }
        'String' { return $Element.GetString() }
        'Number' {
            $long = 0L
            if ($Element.TryGetInt64([ref] $long)) { return $long }
            return $Element.GetDouble()
        }
        'True' { return $true }
        'False' { return $false }
        default { return $null }
    }
}

function ConvertFrom-StillpointJson([string] $Text) {
    # PowerShell 7 parses with System.Text.Json, which every .NET it runs on has; Windows
    # PowerShell 5.1 (no System.Text.Json) with ConvertFrom-Json.
    if ($PSVersionTable.PSEdition -eq 'Core') {
        $document = [System.Text.Json.JsonDocument]::Parse($Text)
        try { return ConvertFrom-JsonElement $document.RootElement } finally { $document.Dispose() }
    }
    return ConvertFrom-Json -InputObject $Text
}

# --------------------------------------------------------------------------- objects

function ConvertTo-PascalCase([string] $Name) {
    if ($Name.Length -eq 0) { return $Name }
    return $Name.Substring(0, 1).ToUpperInvariant() + $Name.Substring(1)
}

function ConvertTo-StillpointObject($Value) {
    # The CLI's camelCase JSON as PowerShell objects: PascalCase names; `time` and `...At`
    # strings become [datetime], `...Ms` numbers [TimeSpan] named without the Ms
    # (durationMs -> Duration).
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $properties = [ordered]@{}
        foreach ($p in $Value.PSObject.Properties) {
            $name = ConvertTo-PascalCase $p.Name
            $v = $p.Value
            if ($name -cmatch '^(.+)Ms$' -and ($v -is [long] -or $v -is [int] -or $v -is [double])) {
                $properties[$Matches[1]] = [TimeSpan]::FromMilliseconds($v)
            } elseif (($name -eq 'Time' -or $name -cmatch '.At$') -and $v -is [string]) {
                $properties[$name] = [datetime]::Parse($v, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind)
            } else {
                $properties[$name] = ConvertTo-StillpointObject $v
            }
        }
        return [pscustomobject]$properties
    }
    if ($Value -is [System.Array]) { return , @(foreach ($item in $Value) { ConvertTo-StillpointObject $item }) }
    return $Value
}

function Add-TypeName($Object, [string] $TypeName) {
    $Object.PSObject.TypeNames.Insert(0, $TypeName)
    return $Object
}

function New-StillpointError([string] $Message, [string] $ErrorId, $Category, $Target, [hashtable] $Data = @{}) {
    $exception = [System.Exception]::new($Message)
    foreach ($key in $Data.Keys) { $exception.Data[$key] = $Data[$key] }
    return [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $Target)
}

# --------------------------------------------------------------------------- paths

function Resolve-StillpointPath {
    # -Path (wildcards) or -LiteralPath, as PowerShell paths: relative to the current location,
    # on any PSDrive of the FileSystem provider. One file-system path per match; a path that
    # matches nothing is an ObjectNotFound error, written before any CLI starts.
    param($Cmdlet, [string[]] $Path, [string[]] $LiteralPath)
    $literal = $null -ne $LiteralPath
    foreach ($p in @(if ($literal) { $LiteralPath } else { $Path })) {
        # -ErrorAction Ignore: a path that matches nothing is reported below, once, as ours.
        $found = @(if ($literal) { Resolve-Path -LiteralPath $p -ErrorAction Ignore } else { Resolve-Path -Path $p -ErrorAction Ignore })
        if ($found.Count -eq 0) { Write-NotFound $Cmdlet $p; continue }
        foreach ($item in $found) {
            if ($item.Provider.Name -ne 'FileSystem') {
                $Cmdlet.WriteError((New-StillpointError "$p is not a file-system path (it is on the $($item.Provider.Name) provider)" 'StillpointNotAFile' ([System.Management.Automation.ErrorCategory]::InvalidArgument) $p))
                continue
            }
            $item.ProviderPath
        }
    }
}

function Write-NotFound($Cmdlet, [string] $Path) {
    $where = $Cmdlet.SessionState.Path.CurrentLocation
    $Cmdlet.WriteError((New-StillpointError "Cannot find path '$Path' (looked from $where)." 'StillpointPathNotFound' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Path))
}

function Resolve-StillpointTarget($Cmdlet, $Target) {
    # A tree target folder: a path string (relative to the current location), a folder from
    # Get-Item, or a Stillpoint.Snapshot / Stillpoint.VerifyResult (its Target).
    if ($Target -is [System.IO.DirectoryInfo]) { return $Target.FullName }
    if ($Target -is [System.Management.Automation.PSObject] -or $Target -is [System.Management.Automation.PSCustomObject]) {
        if ($Target.PSObject.Properties['Target'] -and $Target.PSObject.TypeNames -match '^Stillpoint\.') { return [string] $Target.Target }
    }
    return Resolve-StillpointPath $Cmdlet -LiteralPath ([string] $Target)
}

# --------------------------------------------------------------------------- the CLI's JSON

function Invoke-StillpointQuery($Cmdlet, [string] $Verb, [string] $Path, [string] $Job) {
    # `stillpoint <verb> <script> --json [--job]`, as objects; on failure an error record and $null.
    $arguments = @($Verb, $Path, '--json')
    if ($Job) { $arguments += @('--job', $Job) }
    $result = Invoke-StillpointCli $arguments
    if ($result.Stdout.Trim() -eq '') {
        $id = 'Stillpoint' + [System.Globalization.CultureInfo]::InvariantCulture.TextInfo.ToTitleCase($Verb) + 'Failed'
        $Cmdlet.WriteError((New-StillpointError "stillpoint $Verb ${Path}: $($result.Stderr.Trim())" $id ([System.Management.Automation.ErrorCategory]::InvalidData) $Path @{ ExitCode = $result.ExitCode }))
        return $null
    }
    return ConvertTo-StillpointObject (ConvertFrom-StillpointJson $result.Stdout)
}

function Write-StillpointQuery($Cmdlet, [string] $Verb, [string[]] $Path, [string[]] $LiteralPath, [string] $Job, [string] $TypeName, [string] $Property, [string] $Action) {
    # The body of the query cmdlets (plan, providers, writers, cleanup): for each script, the
    # CLI's JSON as objects of $TypeName ($Property: the list inside the answer); with $Action,
    # only what ShouldProcess allows.
    foreach ($script in @(Resolve-StillpointPath $Cmdlet $Path $LiteralPath)) {
        if ($Action -and -not $Cmdlet.ShouldProcess($script, $Action)) { continue }
        $answer = Invoke-StillpointQuery $Cmdlet $Verb $script $Job
        if ($null -eq $answer) { continue }
        if ($Property) { $answer = $answer.$Property }
        foreach ($item in $answer) { $Cmdlet.WriteObject((Add-TypeName $item $TypeName)) }
    }
}

function Get-ScriptJobName([string] $Path) {
    $result = Invoke-StillpointCli @('plan', $Path, '--json')
    if ($result.ExitCode -ne 0) { return @() }
    return @((ConvertFrom-StillpointJson $result.Stdout).jobs | ForEach-Object { $_.name })
}

$JobCompleter = {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    $path = $fakeBoundParameters['Path']
    if (-not $path) { $path = $fakeBoundParameters['LiteralPath'] }
    if (-not $path) { return }
    $path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath([string] @($path)[0])
    foreach ($name in Get-ScriptJobName $path) {
        if ($name -like "$wordToComplete*") {
            $text = $name
            if ($name -match '[\s''"]') { $text = "'" + $name.Replace("'", "''") + "'" }
            [System.Management.Automation.CompletionResult]::new($text, $name, 'ParameterValue', "job $name")
        }
    }
}

function Stop-StillpointProcess($Process) {
    # Asks the CLI to cancel (SIGINT, as Ctrl+C would), waits for its clean-up (thaw, release,
    # the job's lock), and kills it only when that takes longer than a minute. Windows has no
    # SIGINT for another process: there the CLI is killed at once.
    if ($Process.HasExited) { return }
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    if (-not $onWindows) {
        try { [System.Diagnostics.Process]::Start('kill', "-INT $($Process.Id)").WaitForExit() } catch { }
        if ($Process.WaitForExit(60000)) { return }
    }
    try { $Process.Kill() } catch { }
}

# --------------------------------------------------------------------------- commands

function Invoke-Stillpoint {
    <#
    .SYNOPSIS
    Runs the backup jobs of .still scripts: one Stillpoint.RunResult per script.
    .DESCRIPTION
    Runs `stillpoint run --json` for each script. While it runs, copy progress drives
    Write-Progress (a parent bar for the lifecycle, one bar per target under it) and, with
    -Verbose, the CLI's log is written to the verbose stream as it comes. When the script's
    run ends, one Stillpoint.RunResult is written: Path, Status, ExitCode, Duration
    ([TimeSpan]), StartTime ([datetime]), Jobs, Report, DryRun.

    A failed run is a non-terminating error (ErrorId StillpointRunFailed, category
    OperationStopped) whose TargetObject is the run's result and whose exception's Data holds
    ExitCode and FailedStage: the next script of the pipeline still runs, $? is $false, and
    -ErrorAction Stop makes the error terminating. A partial run (files skipped) is a warning.

    Stopping the pipeline (Ctrl+C, Select-Object -First) asks the CLI to cancel, as Ctrl+C in
    a terminal would, and waits for its clean-up: frozen applications thawed, snapshots
    released, the job's lock freed.

    -WhatIf runs nothing and writes nothing to the pipeline. -DryRun walks the lifecycle with
    `--dry-run` (probes providers, runs no hook, takes no snapshot, copies nothing) and
    writes its result.
    .PARAMETER Path
    The .still scripts; wildcards are expanded, relative paths are taken from the current
    location. Takes path strings from the pipeline.
    .PARAMETER LiteralPath
    The .still scripts, with no wildcard expansion (alias PSPath: files from Get-ChildItem
    bind here).
    .PARAMETER Job
    Run only this job. Tab completion offers the script's job names.
    .PARAMETER IncludeEvent
    Also write each event of the run (Stillpoint.Event, PascalCase, Time as [datetime]) to the
    pipeline as it happens, before the result. Progress events never are.
    .PARAMETER DryRun
    Walk the lifecycle without running hooks, taking snapshots or copying.
    .EXAMPLE
    Invoke-Stillpoint ./nightly.still -Job ledger

    Runs the job `ledger` of nightly.still (relative to the current location) and writes its
    result: Status, ExitCode, Duration.
    .EXAMPLE
    Get-ChildItem /etc/stillpoint/*.still | Invoke-Stillpoint -ErrorAction Continue -ErrorVariable failed

    Runs every script; one that fails is an error in $failed, and the others still run.
    .EXAMPLE
    Invoke-Stillpoint nightly.still -IncludeEvent | Where-Object Type -eq 'file.skipped' | Select-Object Path, Reason

    The files a partial run skipped, as they are skipped.
    .EXAMPLE
    Invoke-Stillpoint nightly.still -Verbose 4>&1 | Tee-Object -FilePath run.log

    Keeps the CLI's log with the result.
    .INPUTS
    System.String (paths), System.IO.FileInfo (by its PSPath).
    .OUTPUTS
    Stillpoint.RunResult; with -IncludeEvent also Stillpoint.Event.
    .LINK
    about_Stillpoint
    .LINK
    Test-StillpointScript
    .LINK
    Get-StillpointPlan
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('Stillpoint.RunResult', 'Stillpoint.Event')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path', ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [string[]] $Path,

        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath', ValueFromPipelineByPropertyName = $true)]
        [Alias('PSPath')]
        [string[]] $LiteralPath,

        [Parameter()]
        [string] $Job,

        [Parameter()]
        [switch] $IncludeEvent,

        [Parameter()]
        [switch] $DryRun
    )
    process {
        foreach ($script in @(Resolve-StillpointPath $PSCmdlet $Path $LiteralPath)) {
            $what = $script
            if ($Job) { $what = "$script (job $Job)" }
            $action = 'Run backup'
            if ($DryRun) { $action = 'Dry-run backup' }
            if (-not $PSCmdlet.ShouldProcess($what, $action)) { continue }
            Invoke-StillpointRun $PSCmdlet $script $Job $IncludeEvent.IsPresent $DryRun.IsPresent
        }
    }
}

function Invoke-StillpointRun($Cmdlet, [string] $Script, [string] $Job, [bool] $IncludeEvent, [bool] $DryRun) {
    $arguments = @('run', $Script, '--json')
    if ($Job) { $arguments += @('--job', $Job) }
    if ($DryRun) { $arguments += '--dry-run' }

    $process = Start-StillpointProcess $arguments
    $bars = @{}
    $jobs = [ordered]@{}
    $started = $null
    $finished = $null
    $stage = 'starting'
    $failedStage = $null
    $log = [System.Text.StringBuilder]::new()
    $outTask = $process.StandardOutput.ReadLineAsync()
    $errTask = $process.StandardError.ReadLineAsync()
    try {
        while ($null -ne $outTask -or $null -ne $errTask) {
            # Short waits, so that a stop (Ctrl+C) is seen between them.
            [void] [System.Threading.Tasks.Task]::WaitAny([System.Threading.Tasks.Task[]] @(@($outTask, $errTask) | Where-Object { $null -ne $_ }), 200)
            if ($null -ne $errTask -and $errTask.IsCompleted) {
                $logLine = $errTask.Result
                if ($null -eq $logLine) { $errTask = $null }
                else {
                    [void] $log.AppendLine($logLine)
                    $Cmdlet.WriteVerbose($logLine)
                    $errTask = $process.StandardError.ReadLineAsync()
                }
            }
            if ($null -eq $outTask -or -not $outTask.IsCompleted) { continue }
            $line = $outTask.Result
            if ($null -eq $line) { $outTask = $null; continue }
            $outTask = $process.StandardOutput.ReadLineAsync()
            if ($line.Trim() -eq '') { continue }
            $runEvent = New-StillpointEvent $line
            if ($runEvent.Type -eq 'copy.progress') {
                if (-not $bars.ContainsKey($runEvent.Target)) { $bars[$runEvent.Target] = @{ Id = $bars.Count + 2; Started = $runEvent.Time } }
                $Cmdlet.WriteProgress((New-CopyProgress $runEvent $bars[$runEvent.Target]))
                continue
            }
            if ($runEvent.Type -eq 'stage.started') {
                $stage = $runEvent.Stage
                $Cmdlet.WriteProgress((New-LifecycleProgress $runEvent))
            } elseif ($runEvent.Type -eq 'run.started') {
                $started = $runEvent
            } elseif ($runEvent.Type -eq 'job.finished') {
                $jobs[$runEvent.Job] = $runEvent
                if ($runEvent.PSObject.Properties['FailedStage'] -and $runEvent.FailedStage) { $failedStage = $runEvent.FailedStage }
            } elseif ($runEvent.Type -eq 'run.finished') {
                $finished = $runEvent
            }
            $Cmdlet.WriteVerbose(('{0} {1}: {2}' -f $runEvent.Time.ToString('HH:mm:ss'), $runEvent.Type, $runEvent.Message).TrimEnd(' ', ':'))
            if ($IncludeEvent) { $Cmdlet.WriteObject($runEvent) }
        }
        $process.WaitForExit()
    } finally {
        Stop-StillpointProcess $process
        foreach ($bar in $bars.Values) { $Cmdlet.WriteProgress((New-CompletedProgress $bar.Id)) }
        $Cmdlet.WriteProgress((New-CompletedProgress 1))
    }

    $exitCode = $process.ExitCode
    if ($exitCode -eq 2 -or -not $finished) {
        $message = "stillpoint could not run $Script (exit code $exitCode): $($log.ToString().Trim())"
        $Cmdlet.WriteError((New-StillpointError $message 'StillpointScriptError' ([System.Management.Automation.ErrorCategory]::InvalidData) $Script @{ ExitCode = $exitCode }))
        return
    }
    $result = Add-TypeName ([pscustomobject][ordered]@{
            Path      = $Script
            Status    = $finished.Status
            ExitCode  = $exitCode
            StartTime = $(if ($started) { $started.Time } else { $null })
            Duration  = $finished.Duration
            Jobs      = @(foreach ($j in $jobs.Values) { Add-TypeName $j.PSObject.Copy() 'Stillpoint.JobResult' })
            Report    = $(if ($finished.PSObject.Properties['ReportPath']) { $finished.ReportPath } else { $null })
            DryRun    = $DryRun
        }) 'Stillpoint.RunResult'
    if ($exitCode -eq 0 -or $exitCode -eq 3) { $Cmdlet.WriteObject($result) }
    if ($exitCode -eq 3) {
        $skipped = 0
        foreach ($j in $jobs.Values) { if ($j.PSObject.Properties['Skipped']) { $skipped += $j.Skipped } }
        $Cmdlet.WriteWarning("stillpoint: $Script finished partial: $skipped file(s) skipped (see the file.skipped events: -IncludeEvent)")
    } elseif ($exitCode -ne 0) {
        if (-not $failedStage) { $failedStage = $stage }
        $errorText = (@($jobs.Values) | Where-Object { $_.PSObject.Properties['Error'] -and $_.Error } | ForEach-Object { "$($_.Job): $($_.Error)" }) -join '; '
        $message = "stillpoint run of $Script failed in stage $failedStage (exit code $exitCode): $errorText"
        $Cmdlet.WriteError((New-StillpointError $message 'StillpointRunFailed' ([System.Management.Automation.ErrorCategory]::OperationStopped) $result @{ ExitCode = $exitCode; FailedStage = $failedStage; Result = $result }))
    }
}

function New-StillpointEvent([string] $Line) {
    # An event of the run as a Stillpoint.Event. Each has a Message: its own (warnings, errors),
    # else what says most about it (a hook's output line, a stage, a status, a path).
    $runEvent = Add-TypeName (ConvertTo-StillpointObject (ConvertFrom-StillpointJson $Line)) 'Stillpoint.Event'
    if (-not $runEvent.PSObject.Properties['Message']) {
        $message = ''
        foreach ($name in 'Line', 'Error', 'Reason', 'Stage', 'Status', 'Path') {
            if ($runEvent.PSObject.Properties[$name] -and $null -ne $runEvent.$name) { $message = [string] $runEvent.$name; break }
        }
        $runEvent.PSObject.Properties.Add([System.Management.Automation.PSNoteProperty]::new('Message', $message))
    }
    return $runEvent
}

function New-LifecycleProgress($RunEvent) {
    $record = [System.Management.Automation.ProgressRecord]::new(1, 'stillpoint', "stage $($RunEvent.Stage)")
    if ($RunEvent.PSObject.Properties['Job'] -and $RunEvent.Job) { $record.Activity = "stillpoint: $($RunEvent.Job)" }
    return $record
}

function New-CopyProgress($RunEvent, $Bar) {
    # With the copy's total (TotalFiles, TotalBytes), or until it is known with the estimate from
    # the previous snapshot (EstimatedFiles, EstimatedBytes; the status says "about"): the
    # percentage, and the time left at the rate so far.
    $totalBytes = 0
    if ($RunEvent.PSObject.Properties['TotalBytes'] -and $RunEvent.TotalBytes -gt 0) {
        $totalBytes, $totalFiles, $about = $RunEvent.TotalBytes, $RunEvent.TotalFiles, ''
    } elseif ($RunEvent.PSObject.Properties['EstimatedBytes'] -and $RunEvent.EstimatedBytes -gt 0) {
        $totalBytes, $totalFiles, $about = $RunEvent.EstimatedBytes, $RunEvent.EstimatedFiles, 'about '
    }
    $status = "$($RunEvent.FilesDone) files, $($RunEvent.BytesDone) bytes"
    if ($totalBytes) { $status = "$($RunEvent.FilesDone) of $about$totalFiles files, $($RunEvent.BytesDone) of $about$totalBytes bytes" }
    $record = [System.Management.Automation.ProgressRecord]::new($Bar.Id, "copy to $($RunEvent.Target)", $status)
    $record.ParentActivityId = 1
    if ($totalBytes) {
        $record.PercentComplete = [Math]::Min(100, [int](100 * $RunEvent.BytesDone / $totalBytes))
        $seconds = ($RunEvent.Time - $Bar.Started).TotalSeconds
        if ($RunEvent.BytesDone -gt 0 -and $seconds -gt 0) {
            $record.SecondsRemaining = [int][Math]::Ceiling($seconds * [Math]::Max(0, $totalBytes - $RunEvent.BytesDone) / $RunEvent.BytesDone)
        }
    }
    return $record
}

function New-CompletedProgress([int] $Id) {
    $record = [System.Management.Automation.ProgressRecord]::new($Id, 'stillpoint', 'done')
    $record.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
    return $record
}

function Test-StillpointScript {
    <#
    .SYNOPSIS
    Checks .still scripts and returns their diagnostics as objects.
    .DESCRIPTION
    Runs `stillpoint check --format json`; runs nothing the script names. Each problem becomes
    a Stillpoint.Diagnostic with File, Line, Column, Severity, Message, Detail and Code.
    Nothing is written when a script is clean.
    .PARAMETER Path
    The scripts; wildcards are expanded, relative paths are taken from the current location.
    Takes path strings from the pipeline.
    .PARAMETER LiteralPath
    The scripts, with no wildcard expansion (alias PSPath: files from Get-ChildItem bind here).
    .EXAMPLE
    Test-StillpointScript *.still | Where-Object Severity -eq error

    The errors of every script in the current folder.
    .EXAMPLE
    Get-ChildItem -Recurse -Filter *.still | Test-StillpointScript | Format-List

    Every diagnostic of a tree of scripts, with its detail (what to fix).
    .INPUTS
    System.String (paths), System.IO.FileInfo (by its PSPath).
    .OUTPUTS
    Stillpoint.Diagnostic
    .LINK
    Invoke-Stillpoint
    .LINK
    about_Stillpoint
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('Stillpoint.Diagnostic')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path', ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [string[]] $Path,

        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath', ValueFromPipelineByPropertyName = $true)]
        [Alias('PSPath')]
        [string[]] $LiteralPath
    )
    process {
        $files = @(Resolve-StillpointPath $PSCmdlet $Path $LiteralPath)
        if ($files.Count -eq 0) { return }
        $result = Invoke-StillpointCli (@('check', '--format', 'json') + $files)
        if ($result.Stdout.Trim() -eq '') {
            if ($result.ExitCode -ne 0) { $PSCmdlet.WriteError((New-StillpointError $result.Stderr.Trim() 'StillpointCheckFailed' ([System.Management.Automation.ErrorCategory]::InvalidOperation) $files)) }
            return
        }
        foreach ($d in (ConvertFrom-StillpointJson $result.Stdout)) {
            $file = $null; $line = $null; $column = $null
            if ($d.PSObject.Properties['range'] -and $d.range) { $file = $d.range.file; $line = $d.range.start.line; $column = $d.range.start.column }
            $PSCmdlet.WriteObject((Add-TypeName ([pscustomobject][ordered]@{
                            File     = $file
                            Line     = $line
                            Column   = $column
                            Severity = $d.severity
                            Message  = $d.summary
                            Detail   = $d.detail
                            Code     = $d.code
                        }) 'Stillpoint.Diagnostic'))
        }
    }
}

function Get-StillpointPlan {
    <#
    .SYNOPSIS
    The resolved plan of a script: one Stillpoint.JobPlan per job.
    .DESCRIPTION
    Runs `stillpoint plan --json`: what will be snapshotted by which providers in which order,
    which writers, hooks and targets. Runs nothing; secrets show as ***.
    .PARAMETER Path
    The .still scripts (wildcards; relative to the current location; pipeline strings).
    .PARAMETER LiteralPath
    The .still scripts, no wildcards (alias PSPath: files from Get-ChildItem bind here).
    .PARAMETER Job
    Only this job (Tab completes the script's job names).
    .EXAMPLE
    Get-StillpointPlan nightly.still | Format-List

    Each job's volumes, providers, writers, hooks and targets.
    .EXAMPLE
    (Get-StillpointPlan nightly.still -Job ledger).Hooks | Format-Table Stage, Origin

    Where the hooks of one job come from.
    .INPUTS
    System.String (paths), System.IO.FileInfo (by its PSPath).
    .OUTPUTS
    Stillpoint.JobPlan
    .LINK
    Invoke-Stillpoint
    .LINK
    about_Stillpoint
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('Stillpoint.JobPlan')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path', ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [string[]] $Path,
        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath', ValueFromPipelineByPropertyName = $true)]
        [Alias('PSPath')]
        [string[]] $LiteralPath,
        [Parameter()]
        [string] $Job
    )
    process {
        Write-StillpointQuery $PSCmdlet 'plan' $Path $LiteralPath $Job 'Stillpoint.JobPlan' -Property 'Jobs'
    }
}

function Get-StillpointProvider {
    <#
    .SYNOPSIS
    For each volume of a script, each provider: available here, or why not.
    .DESCRIPTION
    Runs `stillpoint providers --json`: probes each provider of each volume, in the job's
    order, and says why one cannot work here. Takes no snapshot.
    .PARAMETER Path
    The .still scripts (wildcards; relative to the current location; pipeline strings).
    .PARAMETER LiteralPath
    The .still scripts, no wildcards (alias PSPath).
    .PARAMETER Job
    Only this job.
    .EXAMPLE
    Get-StillpointProvider nightly.still | Where-Object -not Available

    The providers that cannot work on this machine, with the reason.
    .INPUTS
    System.String (paths), System.IO.FileInfo (by its PSPath).
    .OUTPUTS
    Stillpoint.ProviderProbe
    .LINK
    Get-StillpointPlan
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('Stillpoint.ProviderProbe')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path', ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [string[]] $Path,
        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath', ValueFromPipelineByPropertyName = $true)]
        [Alias('PSPath')]
        [string[]] $LiteralPath,
        [Parameter()]
        [string] $Job
    )
    process {
        Write-StillpointQuery $PSCmdlet 'providers' $Path $LiteralPath $Job 'Stillpoint.ProviderProbe'
    }
}

function Get-StillpointSnapshot {
    <#
    .SYNOPSIS
    The complete snapshots of a tree target, oldest first: one Stillpoint.Snapshot each.
    .DESCRIPTION
    Runs `stillpoint list --json`. Each snapshot has Id, Time ([datetime]), Status, Files,
    Bytes, Linked, Skipped, Volumes and Target, so it can be piped to
    Restore-StillpointSnapshot and Test-StillpointSnapshot.
    .PARAMETER Target
    The folder given to `target tree`: a path (relative to the current location) or a folder
    from Get-Item, from the pipeline too.
    .EXAMPLE
    Get-StillpointSnapshot /srv/backups/ledger | Select-Object -Last 1

    The newest snapshot.
    .EXAMPLE
    Get-Item /srv/backups/ledger | Get-StillpointSnapshot | Where-Object Time -gt (Get-Date).AddDays(-7)

    The snapshots of the last week.
    .INPUTS
    System.String, System.IO.DirectoryInfo
    .OUTPUTS
    Stillpoint.Snapshot
    .LINK
    Restore-StillpointSnapshot
    .LINK
    Test-StillpointSnapshot
    #>
    [CmdletBinding()]
    [OutputType('Stillpoint.Snapshot')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [object] $Target
    )
    process {
        $folder = Resolve-StillpointTarget $PSCmdlet $Target
        if (-not $folder) { return }
        $result = Invoke-StillpointCli @('list', $folder, '--json')
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.WriteError((New-StillpointError $result.Stderr.Trim() 'StillpointListFailed' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $folder @{ ExitCode = $result.ExitCode }))
            return
        }
        $list = ConvertTo-StillpointObject (ConvertFrom-StillpointJson $result.Stdout)
        foreach ($snapshot in @($list.Snapshots)) {
            $snapshot.PSObject.Properties.Add([System.Management.Automation.PSNoteProperty]::new('Target', $folder))
            $PSCmdlet.WriteObject((Add-TypeName $snapshot 'Stillpoint.Snapshot'))
        }
    }
}

function Restore-StillpointSnapshot {
    <#
    .SYNOPSIS
    Restores a tree snapshot (or some of its paths) into a folder, checking every file's hash.
    .DESCRIPTION
    Runs `stillpoint restore`. Asks for confirmation (ConfirmImpact High); -WhatIf says what
    would be restored and restores nothing. A snapshot piped from Get-StillpointSnapshot
    gives both the target and the snapshot id.
    .PARAMETER Target
    The folder given to `target tree` (a path, a folder from Get-Item, or a Stillpoint.Snapshot).
    .PARAMETER Snapshot
    The snapshot id (Id of a Stillpoint.Snapshot); default the newest complete one.
    .PARAMETER Destination
    Where to restore to (relative to the current location).
    .PARAMETER Include
    Only these paths of the snapshot.
    .EXAMPLE
    Get-StillpointSnapshot /srv/backups/ledger | Select-Object -Last 1 | Restore-StillpointSnapshot -Destination /tmp/ledger -Confirm:$false

    Restores the newest snapshot.
    .EXAMPLE
    Restore-StillpointSnapshot /srv/backups/ledger -Snapshot 2026-12-01T020000Z -Destination ./restore -Include srv/ledger/config

    Restores one folder of one snapshot.
    .INPUTS
    Stillpoint.Snapshot, System.String, System.IO.DirectoryInfo
    .OUTPUTS
    None
    .LINK
    Get-StillpointSnapshot
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [object] $Target,
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id')]
        [string] $Snapshot,
        [Parameter(Mandatory = $true)]
        [string] $Destination,
        [Parameter()]
        [string[]] $Include = @()
    )
    process {
        $folder = Resolve-StillpointTarget $PSCmdlet $Target
        if (-not $folder) { return }
        $to = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Destination)
        $which = 'the newest snapshot'
        if ($Snapshot) { $which = "snapshot $Snapshot" }
        if (-not $PSCmdlet.ShouldProcess($to, "Restore $which of $folder")) { return }
        $arguments = @('restore', $folder, '--to', $to)
        if ($Snapshot) { $arguments += @('--snapshot', $Snapshot) }
        $arguments += $Include
        $result = Invoke-StillpointCli $arguments
        foreach ($line in ($result.Stdout -split "`r?`n")) { if ($line) { $PSCmdlet.WriteVerbose($line) } }
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.WriteError((New-StillpointError "restore failed (exit code $($result.ExitCode)): $($result.Stderr.Trim())" 'StillpointRestoreFailed' ([System.Management.Automation.ErrorCategory]::InvalidResult) $folder @{ ExitCode = $result.ExitCode }))
        }
    }
}

function Test-StillpointSnapshot {
    <#
    .SYNOPSIS
    Rehashes a tree snapshot: a Stillpoint.VerifyResult with Ok and each problem found.
    .DESCRIPTION
    Runs `stillpoint verify`. The result has Target, Snapshot (the id verified, also when the
    newest was taken by default), Ok and Problems (one line per missing or mismatching file).
    A target that does not exist or holds no snapshot is an ObjectNotFound error.
    .PARAMETER Target
    The folder given to `target tree` (a path, a folder from Get-Item, or a Stillpoint.Snapshot).
    .PARAMETER Snapshot
    The snapshot id; default the newest complete one.
    .EXAMPLE
    Get-StillpointSnapshot /srv/backups/ledger | Test-StillpointSnapshot | Where-Object -not Ok

    Every damaged snapshot, with its problems.
    .EXAMPLE
    (Test-StillpointSnapshot /srv/backups/ledger).Problems

    What is wrong with the newest snapshot.
    .INPUTS
    Stillpoint.Snapshot, System.String, System.IO.DirectoryInfo
    .OUTPUTS
    Stillpoint.VerifyResult
    .LINK
    Get-StillpointSnapshot
    #>
    [CmdletBinding()]
    [OutputType('Stillpoint.VerifyResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [object] $Target,
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id')]
        [string] $Snapshot
    )
    process {
        $folder = Resolve-StillpointTarget $PSCmdlet $Target
        if (-not $folder) { return }
        $id = $Snapshot
        if (-not $id) {
            # The newest complete snapshot, named in the result.
            $list = Invoke-StillpointCli @('list', $folder, '--json')
            $newest = $null
            if ($list.ExitCode -eq 0) { $newest = @((ConvertFrom-StillpointJson $list.Stdout).snapshots) | Select-Object -Last 1 }
            if (-not $newest) {
                $PSCmdlet.WriteError((New-StillpointError "$folder holds no complete snapshot: check the path (it is the folder given to ``target tree``)" 'StillpointSnapshotNotFound' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $folder))
                return
            }
            $id = $newest.id
        }
        $result = Invoke-StillpointCli @('verify', $folder, '--snapshot', $id)
        $problems = @($result.Stderr -split "`r?`n" | ForEach-Object { $_ -replace '^stillpoint: ', '' } | Where-Object { $_ -match '^(missing|mismatch|changed|extra|unreadable)\b' })
        if ($result.ExitCode -ne 0 -and $problems.Count -eq 0) {
            $PSCmdlet.WriteError((New-StillpointError $result.Stderr.Trim() 'StillpointVerifyFailed' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $folder @{ ExitCode = $result.ExitCode }))
            return
        }
        $PSCmdlet.WriteObject((Add-TypeName ([pscustomobject][ordered]@{
                        Target   = $folder
                        Snapshot = $id
                        Ok       = ($result.ExitCode -eq 0)
                        Problems = $problems
                    }) 'Stillpoint.VerifyResult'))
    }
}

function Invoke-StillpointText($Cmdlet, [string[]] $Arguments, [string] $ErrorId, $Target) {
    # A CLI command whose output is text: its lines, or a non-terminating error.
    $result = Invoke-StillpointCli $Arguments
    if ($result.ExitCode -ne 0) {
        $Cmdlet.WriteError((New-StillpointError "stillpoint $($Arguments[0]) failed (exit code $($result.ExitCode)): $($result.Stderr.Trim())" $ErrorId ([System.Management.Automation.ErrorCategory]::InvalidOperation) $Target @{ ExitCode = $result.ExitCode }))
        return
    }
    foreach ($line in ($result.Stdout -split "`r?`n")) { if ($line) { $line } }
}

function Get-StillpointWriter {
    <#
    .SYNOPSIS
    The writers of a script and their state, like `vssadmin list writers`; freezes nothing.
    .DESCRIPTION
    Runs `stillpoint writers --json`: one Stillpoint.Writer per writer of each job.
    .PARAMETER Path
    The .still scripts (wildcards; relative to the current location; pipeline strings).
    .PARAMETER LiteralPath
    The .still scripts, no wildcards (alias PSPath).
    .PARAMETER Job
    Only this job.
    .EXAMPLE
    Get-StillpointWriter nightly.still | Where-Object State -ne 'stable'

    The writers that would not freeze now.
    .INPUTS
    System.String (paths), System.IO.FileInfo (by its PSPath).
    .OUTPUTS
    Stillpoint.Writer
    .LINK
    Invoke-Stillpoint
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('Stillpoint.Writer')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path', ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [string[]] $Path,
        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath', ValueFromPipelineByPropertyName = $true)]
        [Alias('PSPath')]
        [string[]] $LiteralPath,
        [Parameter()]
        [string] $Job
    )
    process {
        Write-StillpointQuery $PSCmdlet 'writers' $Path $LiteralPath $Job 'Stillpoint.Writer'
    }
}

function Remove-StillpointLeftover {
    <#
    .SYNOPSIS
    Releases the snapshots that a killed run of a script's jobs left behind.
    .DESCRIPTION
    Runs `stillpoint cleanup --json`: one Stillpoint.Cleanup per job, with what was released
    and what could not be. Supports -WhatIf and -Confirm.
    .PARAMETER Path
    The .still scripts (wildcards; relative to the current location; pipeline strings).
    .PARAMETER LiteralPath
    The .still scripts, no wildcards (alias PSPath).
    .PARAMETER Job
    Only this job.
    .EXAMPLE
    Remove-StillpointLeftover nightly.still -Confirm:$false

    Releases what a killed run of nightly.still left.
    .INPUTS
    System.String (paths), System.IO.FileInfo (by its PSPath).
    .OUTPUTS
    Stillpoint.Cleanup
    .LINK
    Invoke-Stillpoint
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('Stillpoint.Cleanup')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path', ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [string[]] $Path,
        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath', ValueFromPipelineByPropertyName = $true)]
        [Alias('PSPath')]
        [string[]] $LiteralPath,
        [Parameter()]
        [string] $Job
    )
    process {
        Write-StillpointQuery $PSCmdlet 'cleanup' $Path $LiteralPath $Job 'Stillpoint.Cleanup' -Action 'Release leftover snapshots'
    }
}

function Get-StillpointSchedule {
    <#
    .SYNOPSIS
    Each job's next run times, as `stillpoint schedule show` prints them.
    .DESCRIPTION
    Runs `stillpoint schedule show`: for each job with a `schedule`, its next run times, as
    text lines. Changes nothing; Register-StillpointSchedule installs the entries.
    .PARAMETER Path
    The .still script (relative to the current location).
    .PARAMETER Job
    Only this job.
    .PARAMETER Count
    How many run times per job (default 5).
    .EXAMPLE
    Get-StillpointSchedule nightly.still -Count 3
    .INPUTS
    System.String
    .OUTPUTS
    System.String
    .LINK
    Register-StillpointSchedule
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [string] $Path,
        [Parameter()]
        [string] $Job,
        [Parameter()]
        [ValidateRange(1, 1000)]
        [int] $Count = 5
    )
    process {
        foreach ($script in @(Resolve-StillpointPath $PSCmdlet -LiteralPath $Path)) {
            $arguments = @('schedule', 'show', $script, '--count', [string] $Count)
            if ($Job) { $arguments += @('--job', $Job) }
            Invoke-StillpointText $PSCmdlet $arguments 'StillpointScheduleFailed' $script
        }
    }
}

function Set-StillpointScheduleEntry($Cmdlet, [string] $Verb, [string] $Path, [string] $Job, [bool] $Cron) {
    foreach ($script in @(Resolve-StillpointPath $Cmdlet -LiteralPath $Path)) {
        $arguments = @('schedule', $Verb, $script)
        if ($Job) { $arguments += @('--job', $Job) }
        if ($Cron) { $arguments += '--cron' }
        $action = @{ install = 'Install scheduler entries'; remove = 'Remove scheduler entries' }[$Verb]
        if (-not $Cmdlet.ShouldProcess($script, $action)) { continue }
        foreach ($line in (Invoke-StillpointText $Cmdlet $arguments 'StillpointScheduleFailed' $script)) { $Cmdlet.WriteVerbose($line) }
    }
}

function Register-StillpointSchedule {
    <#
    .SYNOPSIS
    Writes and enables the scheduler entries of a script's jobs (systemd timers, crontab, Task Scheduler).
    .DESCRIPTION
    Runs `stillpoint schedule install`. Supports -WhatIf and -Confirm; -Verbose shows what was written.
    .PARAMETER Path
    The .still script (relative to the current location).
    .PARAMETER Job
    Only this job.
    .PARAMETER Cron
    A crontab line instead of a systemd timer (Linux).
    .EXAMPLE
    Register-StillpointSchedule /etc/stillpoint/nightly.still -Verbose
    .INPUTS
    System.String
    .OUTPUTS
    None
    .LINK
    Unregister-StillpointSchedule
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [string] $Path,
        [Parameter()]
        [string] $Job,
        [Parameter()]
        [switch] $Cron
    )
    process { Set-StillpointScheduleEntry $PSCmdlet 'install' $Path $Job $Cron.IsPresent }
}

function Unregister-StillpointSchedule {
    <#
    .SYNOPSIS
    Disables and deletes the scheduler entries of a script's jobs.
    .DESCRIPTION
    Runs `stillpoint schedule remove`. Supports -WhatIf and -Confirm.
    .PARAMETER Path
    The .still script (relative to the current location).
    .PARAMETER Job
    Only this job.
    .PARAMETER Cron
    The crontab line instead of the systemd timer (Linux).
    .EXAMPLE
    Unregister-StillpointSchedule /etc/stillpoint/nightly.still -Job ledger
    .INPUTS
    System.String
    .OUTPUTS
    None
    .LINK
    Register-StillpointSchedule
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [string] $Path,
        [Parameter()]
        [string] $Job,
        [Parameter()]
        [switch] $Cron
    )
    process { Set-StillpointScheduleEntry $PSCmdlet 'remove' $Path $Job $Cron.IsPresent }
}

function Format-StillpointScript {
    <#
    .SYNOPSIS
    Formats .still scripts in the canonical layout: writes the formatted text, or rewrites the files.
    .DESCRIPTION
    Runs `stillpoint fmt`. Without -InPlace, writes each script's formatted text to the
    pipeline and changes no file; with -InPlace, rewrites the files that are not formatted
    (supports -WhatIf and -Confirm).
    .PARAMETER Path
    The scripts (wildcards; relative to the current location; pipeline strings).
    .PARAMETER LiteralPath
    The scripts, no wildcards (alias PSPath).
    .PARAMETER InPlace
    Rewrite the files instead of writing their text.
    .EXAMPLE
    Format-StillpointScript nightly.still | Set-Content nightly.formatted.still
    .EXAMPLE
    Get-ChildItem *.still | Format-StillpointScript -InPlace -WhatIf

    Names the files that would be rewritten, and rewrites none.
    .INPUTS
    System.String (paths), System.IO.FileInfo (by its PSPath).
    .OUTPUTS
    System.String (without -InPlace)
    .LINK
    Test-StillpointScript
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path', ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [string[]] $Path,
        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath', ValueFromPipelineByPropertyName = $true)]
        [Alias('PSPath')]
        [string[]] $LiteralPath,
        [Parameter()]
        [switch] $InPlace
    )
    process {
        foreach ($script in @(Resolve-StillpointPath $PSCmdlet $Path $LiteralPath)) {
            if (-not $InPlace) {
                Invoke-StillpointText $PSCmdlet @('fmt', $script) 'StillpointFormatFailed' $script
                continue
            }
            if (-not $PSCmdlet.ShouldProcess($script, 'Rewrite in the canonical layout')) { continue }
            foreach ($line in (Invoke-StillpointText $PSCmdlet @('fmt', '--write', $script) 'StillpointFormatFailed' $script)) { $PSCmdlet.WriteVerbose($line) }
        }
    }
}

# Registered here rather than as [ArgumentCompleter] attributes: this scriptblock is bound to
# the module, so it can call the module's private functions.
Register-ArgumentCompleter -CommandName Invoke-Stillpoint, Get-StillpointPlan, Get-StillpointProvider, Get-StillpointWriter, Remove-StillpointLeftover -ParameterName Job -ScriptBlock $JobCompleter

Export-ModuleMember -Function Invoke-Stillpoint, Test-StillpointScript, Get-StillpointPlan, Get-StillpointProvider, Get-StillpointSnapshot, Restore-StillpointSnapshot, Test-StillpointSnapshot, Get-StillpointWriter, Remove-StillpointLeftover, Get-StillpointSchedule, Register-StillpointSchedule, Unregister-StillpointSchedule, Format-StillpointScript
