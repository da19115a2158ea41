# Stillpoint for PowerShell: the CLI's JSON, turned into typed objects as it arrives.
#
# Works in Windows PowerShell 5.1 and PowerShell 7: data comes from the CLI's stdout as
# UTF-8 JSON, logs from its stderr. Output, progress, warnings and errors go through
# $PSCmdlet and objects are made with .NET, so the module needs no cmdlet outside
# Microsoft.PowerShell.Core: it loads the same in a minimal PowerShell host.

Set-StrictMode -Version 3.0

# --------------------------------------------------------------------------- the CLI

function Get-StillpointCli {
    # $env:STILLPOINT_CLI: the command to run (a path to `stillpoint` or to bin/stillpoint.js).
    # Otherwise the checkout this module lives in (bin/stillpoint.js with the Node it brought),
    # otherwise `stillpoint` on the PATH.
    $root = [System.IO.Path]::GetDirectoryName($PSScriptRoot)
    $bin = [System.IO.Path]::Combine($root, 'bin', 'stillpoint.js')
    $cli = $env:STILLPOINT_CLI
    if (-not $cli -and [System.IO.File]::Exists($bin)) { $cli = $bin }
    if (-not $cli) { $cli = 'stillpoint' }
    if ($cli -like '*.js') {
        $node = $env:STILLPOINT_NODE
        if (-not $node) {
            foreach ($candidate in @([System.IO.Path]::Combine($root, 'node_modules', '.bin', 'node'), [System.IO.Path]::Combine($root, 'node_modules', 'node', 'bin', 'node.exe'))) {
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

function Add-TypeName($Object, [string] $TypeName) {
    $Object.PSObject.TypeNames.Insert(0, $TypeName)
    return $Object
}

function New-StillpointError([string] $Message, [string] $ErrorId, $Category, $Target, [hashtable] $Data = @{}) {
    $exception = [System.Exception]::new($Message)
    foreach ($key in $Data.Keys) { $exception.Data[$key] = $Data[$key] }
    return [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $Target)
}

function Invoke-StillpointQuery($Cmdlet, [string] $Verb, [string] $Path, [string] $Job) {
    # `stillpoint <verb> <script> --json [--job]`, parsed; on failure an error record and $null.
    $arguments = @($Verb, $Path, '--json')
    if ($Job) { $arguments += @('--job', $Job) }
    $result = Invoke-StillpointCli $arguments
    if ($result.Stdout.Trim() -eq '') {
        $id = 'Stillpoint' + [System.Globalization.CultureInfo]::InvariantCulture.TextInfo.ToTitleCase($Verb) + 'Failed'
        $Cmdlet.WriteError((New-StillpointError "stillpoint $Verb ${Path}: $($result.Stderr.Trim())" $id ([System.Management.Automation.ErrorCategory]::InvalidData) $Path @{ ExitCode = $result.ExitCode }))
        return $null
    }
    return ConvertFrom-StillpointJson $result.Stdout
}

function Get-ScriptJobName([string] $Path) {
    $result = Invoke-StillpointCli @('plan', $Path, '--json')
    if ($result.ExitCode -ne 0) { return @() }
    return @((ConvertFrom-StillpointJson $result.Stdout).jobs | ForEach-Object { $_.name })
}

$JobCompleter = {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    $path = $fakeBoundParameters['Path']
    if (-not $path) { return }
    foreach ($name in Get-ScriptJobName $path) {
        if ($name -like "$wordToComplete*") {
            $text = $name
            if ($name -match '[\s''"]') { $text = "'" + $name.Replace("'", "''") + "'" }
            [System.Management.Automation.CompletionResult]::new($text, $name, 'ParameterValue', "job $name")
        }
    }
}

# --------------------------------------------------------------------------- commands

function Invoke-Stillpoint {
    <#
    .SYNOPSIS
    Runs the backup jobs of a .still script and streams what happens as objects.
    .DESCRIPTION
    Runs `stillpoint run --json`: each event of the run becomes a Stillpoint.Event object as it
    happens (copy progress drives Write-Progress instead: one bar per target under a parent bar
    for the lifecycle), and a Stillpoint.RunResult comes out last. A failed run is a
    terminating error whose exception carries ExitCode and FailedStage in its Data; a partial
    run (files skipped) is a warning. -WhatIf walks the lifecycle with --dry-run: it probes
    providers but runs no hook, takes no snapshot and copies nothing.
    .PARAMETER Path
    The .still script. Takes pipeline input by property name, so `Get-ChildItem *.still |
    Invoke-Stillpoint` works (FullName binds to Path).
    .PARAMETER Job
    Run only this job. Tab completion offers the script's job names.
    .EXAMPLE
    Invoke-Stillpoint -Path ./nightly.still -Job ledger
    .EXAMPLE
    Get-ChildItem /etc/stillpoint/*.still | Invoke-Stillpoint -WhatIf
    .OUTPUTS
    Stillpoint.Event, Stillpoint.RunResult
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('Stillpoint.Event', 'Stillpoint.RunResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string] $Path,

        [Parameter()]
        [string] $Job
    )
    process {
        $dryRun = [bool] $WhatIfPreference
        $what = $Path
        if ($Job) { $what = "$Path (job $Job)" }
        if (-not $PSCmdlet.ShouldProcess($what, 'Run backup')) {
            if (-not $dryRun) { return }
        }
        $arguments = @('run', $Path, '--json')
        if ($Job) { $arguments += @('--job', $Job) }
        if ($dryRun) { $arguments += '--dry-run' }

        $process = Start-StillpointProcess $arguments
        $stderr = $process.StandardError.ReadToEndAsync()
        $bars = @{}
        $jobs = @{}
        $finished = $null
        $stage = 'starting'
        $failedStage = $null
        try {
            while ($null -ne ($line = $process.StandardOutput.ReadLine())) {
                if ($line.Trim() -eq '') { continue }
                $event = Add-TypeName (ConvertFrom-StillpointJson $line) 'Stillpoint.Event'
                switch ($event.type) {
                    'stage.started' {
                        $stage = $event.stage
                        $PSCmdlet.WriteProgress((New-LifecycleProgress $event))
                    }
                    'copy.progress' {
                        if (-not $bars.ContainsKey($event.target)) { $bars[$event.target] = $bars.Count + 2 }
                        $PSCmdlet.WriteProgress((New-CopyProgress $event $bars[$event.target]))
                        continue
                    }
                    'job.finished' {
                        $jobs[$event.job] = $event
                        if ($event.PSObject.Properties['failedStage'] -and $event.failedStage) { $failedStage = $event.failedStage }
                    }
                    'run.finished' { $finished = $event }
                }
                $PSCmdlet.WriteObject($event)
            }
            $process.WaitForExit()
        } finally {
            if (-not $process.HasExited) { $process.Kill() }
            foreach ($id in $bars.Values) { $PSCmdlet.WriteProgress((New-CompletedProgress $id)) }
            $PSCmdlet.WriteProgress((New-CompletedProgress 1))
        }
        $log = $stderr.GetAwaiter().GetResult()
        foreach ($logLine in ($log -split "`r?`n")) { if ($logLine) { $PSCmdlet.WriteVerbose($logLine) } }

        $exitCode = $process.ExitCode
        if ($exitCode -eq 2 -or -not $finished) {
            $message = "stillpoint could not run $Path (exit code $exitCode): $($log.Trim())"
            $PSCmdlet.ThrowTerminatingError((New-StillpointError $message 'StillpointScriptError' ([System.Management.Automation.ErrorCategory]::InvalidData) $Path @{ ExitCode = $exitCode }))
        }
        $result = Add-TypeName ([pscustomobject][ordered]@{
                Path       = $Path
                Status     = $finished.status
                ExitCode   = $exitCode
                DurationMs = $finished.durationMs
                Jobs       = @($jobs.Values)
                Report     = $(if ($finished.PSObject.Properties['reportPath']) { $finished.reportPath } else { $null })
                DryRun     = $dryRun
            }) 'Stillpoint.RunResult'
        $PSCmdlet.WriteObject($result)
        if ($exitCode -eq 3) {
            $skipped = ($jobs.Values | ForEach-Object { $_.skipped } | Measure-Sum)
            $PSCmdlet.WriteWarning("stillpoint: $Path finished partial: $skipped file(s) skipped (see the file.skipped events)")
        } elseif ($exitCode -ne 0) {
            if (-not $failedStage) { $failedStage = $stage }
            $errorText = ($jobs.Values | Where-Object { $_.PSObject.Properties['error'] -and $_.error } | ForEach-Object { "$($_.job): $($_.error)" }) -join '; '
            $message = "stillpoint run of $Path failed in stage $failedStage (exit code $exitCode): $errorText"
            $PSCmdlet.ThrowTerminatingError((New-StillpointError $message 'StillpointRunFailed' ([System.Management.Automation.ErrorCategory]::OperationStopped) $result @{ ExitCode = $exitCode; FailedStage = $failedStage }))
        }
    }
}

function Measure-Sum {
    begin { $sum = 0 }
    process { $sum += $_ }
    end { $sum }
}

function New-LifecycleProgress($Event) {
    $record = [System.Management.Automation.ProgressRecord]::new(1, 'stillpoint', "stage $($Event.stage)")
    if ($Event.PSObject.Properties['job'] -and $Event.job) { $record.Activity = "stillpoint: $($Event.job)" }
    return $record
}

function New-CopyProgress($Event, [int] $Id) {
    $record = [System.Management.Automation.ProgressRecord]::new($Id, "copy to $($Event.target)", "$($Event.filesDone) files, $($Event.bytesDone) bytes")
    $record.ParentActivityId = 1
    if ($Event.PSObject.Properties['totalBytes'] -and $Event.totalBytes -gt 0) {
        $record.PercentComplete = [Math]::Min(100, [int](100 * $Event.bytesDone / $Event.totalBytes))
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
    Runs `stillpoint check --format json`. Each problem becomes a Stillpoint.Diagnostic with
    File, Line, Column, Severity, Message, Detail and Code. Nothing is written when a script is
    clean; $? and the exit code tell the same.
    .PARAMETER Path
    The scripts; takes pipeline input by property name (FullName).
    .EXAMPLE
    Get-ChildItem *.still | Test-StillpointScript | Where-Object Severity -eq error
    .OUTPUTS
    Stillpoint.Diagnostic
    #>
    [CmdletBinding()]
    [OutputType('Stillpoint.Diagnostic')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]] $Path
    )
    process {
        $result = Invoke-StillpointCli (@('check', '--format', 'json') + $Path)
        if ($result.Stdout.Trim() -eq '') {
            if ($result.ExitCode -ne 0) { $PSCmdlet.WriteError((New-StillpointError $result.Stderr.Trim() 'StillpointCheckFailed' ([System.Management.Automation.ErrorCategory]::InvalidOperation) $Path)) }
            return
        }
        # A JSON array comes back as one array object (as from ConvertFrom-Json in 5.1): enumerate it.
        $diagnostics = ConvertFrom-StillpointJson $result.Stdout
        foreach ($d in $diagnostics) {
            $range = $null
            if ($d.PSObject.Properties['range']) { $range = $d.range }
            $file = $null; $line = $null; $column = $null
            if ($range) { $file = $range.file; $line = $range.start.line; $column = $range.start.column }
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
    The resolved plan of a script: one object per job.
    .DESCRIPTION
    Runs `stillpoint plan --json`: what will be snapshotted by which providers in which order,
    which writers, hooks and targets. Secrets show as ***.
    .PARAMETER Path
    The .still script (pipeline input by property name: FullName).
    .PARAMETER Job
    Only this job.
    .OUTPUTS
    Stillpoint.JobPlan
    #>
    [CmdletBinding()]
    [OutputType('Stillpoint.JobPlan')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string] $Path,
        [Parameter()]
        [string] $Job
    )
    process {
        $plan = Invoke-StillpointQuery $PSCmdlet 'plan' $Path $Job
        if ($null -eq $plan) { return }
        foreach ($jobPlan in @($plan.jobs)) { $PSCmdlet.WriteObject((Add-TypeName $jobPlan 'Stillpoint.JobPlan')) }
    }
}

function Get-StillpointProvider {
    <#
    .SYNOPSIS
    For each volume of a script, each provider: available here, or why not.
    .PARAMETER Path
    The .still script (pipeline input by property name: FullName).
    .PARAMETER Job
    Only this job.
    .OUTPUTS
    Stillpoint.ProviderProbe
    #>
    [CmdletBinding()]
    [OutputType('Stillpoint.ProviderProbe')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string] $Path,
        [Parameter()]
        [string] $Job
    )
    process {
        $probes = Invoke-StillpointQuery $PSCmdlet 'providers' $Path $Job
        if ($null -eq $probes) { return }
        foreach ($probe in $probes) { $PSCmdlet.WriteObject((Add-TypeName $probe 'Stillpoint.ProviderProbe')) }
    }
}

function Get-StillpointSnapshot {
    <#
    .SYNOPSIS
    The complete snapshots of a tree target, oldest first.
    .PARAMETER Target
    The folder given to `target tree` in the script.
    .OUTPUTS
    Stillpoint.Snapshot
    #>
    [CmdletBinding()]
    [OutputType('Stillpoint.Snapshot')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string] $Target
    )
    process {
        $result = Invoke-StillpointCli @('list', $Target, '--json')
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.WriteError((New-StillpointError $result.Stderr.Trim() 'StillpointListFailed' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Target @{ ExitCode = $result.ExitCode }))
            return
        }
        $snapshots = ConvertFrom-StillpointJson $result.Stdout
        foreach ($snapshot in $snapshots) {
            $snapshot.PSObject.Properties.Add([System.Management.Automation.PSNoteProperty]::new('Target', $Target))
            $PSCmdlet.WriteObject((Add-TypeName $snapshot 'Stillpoint.Snapshot'))
        }
    }
}

function Restore-StillpointSnapshot {
    <#
    .SYNOPSIS
    Restores a tree snapshot (or some of its paths) into a folder, checking every file's hash.
    .PARAMETER Target
    The folder given to `target tree`.
    .PARAMETER Snapshot
    The snapshot id (a name from Get-StillpointSnapshot); default the newest complete one.
    .PARAMETER Destination
    Where to restore to.
    .PARAMETER Include
    Only these paths of the snapshot.
    .EXAMPLE
    Get-StillpointSnapshot /srv/backups/ledger | Select-Object -Last 1 | Restore-StillpointSnapshot -Destination /tmp/ledger -Confirm:$false
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $Target,
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'Name')]
        [string] $Snapshot,
        [Parameter(Mandatory = $true)]
        [string] $Destination,
        [Parameter()]
        [string[]] $Include = @()
    )
    process {
        $which = 'the newest snapshot'
        if ($Snapshot) { $which = "snapshot $Snapshot" }
        if (-not $PSCmdlet.ShouldProcess($Destination, "Restore $which of $Target")) { return }
        $arguments = @('restore', $Target, '--to', $Destination)
        if ($Snapshot) { $arguments += @('--snapshot', $Snapshot) }
        $arguments += $Include
        $result = Invoke-StillpointCli $arguments
        foreach ($line in ($result.Stdout -split "`r?`n")) { if ($line) { $PSCmdlet.WriteVerbose($line) } }
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.ThrowTerminatingError((New-StillpointError "restore failed (exit code $($result.ExitCode)): $($result.Stderr.Trim())" 'StillpointRestoreFailed' ([System.Management.Automation.ErrorCategory]::InvalidResult) $Target @{ ExitCode = $result.ExitCode }))
        }
    }
}

function Test-StillpointSnapshot {
    <#
    .SYNOPSIS
    Rehashes a tree snapshot; returns whether every file is present and intact.
    .PARAMETER Target
    The folder given to `target tree`.
    .PARAMETER Snapshot
    The snapshot id; default the newest complete one.
    .OUTPUTS
    Stillpoint.VerifyResult: Target, Snapshot, Ok, Problems (each missing or mismatching file).
    #>
    [CmdletBinding()]
    [OutputType('Stillpoint.VerifyResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $Target,
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'Name')]
        [string] $Snapshot
    )
    process {
        $arguments = @('verify', $Target)
        if ($Snapshot) { $arguments += @('--snapshot', $Snapshot) }
        $result = Invoke-StillpointCli $arguments
        if ($result.ExitCode -ne 0 -and $result.ExitCode -ne 1) {
            $PSCmdlet.WriteError((New-StillpointError $result.Stderr.Trim() 'StillpointVerifyFailed' ([System.Management.Automation.ErrorCategory]::InvalidOperation) $Target @{ ExitCode = $result.ExitCode }))
            return
        }
        $problems = @(($result.Stdout + "`n" + $result.Stderr) -split "`r?`n" | Where-Object { $_ -match '^\s*(missing|mismatch|changed|extra|unreadable)\b' } | ForEach-Object { $_.Trim() })
        $PSCmdlet.WriteObject((Add-TypeName ([pscustomobject][ordered]@{
                        Target   = $Target
                        Snapshot = $Snapshot
                        Ok       = ($result.ExitCode -eq 0)
                        Problems = $problems
                    }) 'Stillpoint.VerifyResult'))
    }
}

# Registered here rather than as [ArgumentCompleter] attributes: this scriptblock is bound to
# the module, so it can call the module's private functions.
Register-ArgumentCompleter -CommandName Invoke-Stillpoint, Get-StillpointPlan, Get-StillpointProvider -ParameterName Job -ScriptBlock $JobCompleter

Export-ModuleMember -Function Invoke-Stillpoint, Test-StillpointScript, Get-StillpointPlan, Get-StillpointProvider, Get-StillpointSnapshot, Restore-StillpointSnapshot, Test-StillpointSnapshot
