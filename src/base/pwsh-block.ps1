# Runs one `pwsh { }` block in the run's PowerShell session (see pwsh-session.ts). Stillpoint
# dot-sources this file with its private folder and the number of a request whose files it
# wrote there (this file's only inputs), so that the block's variables stay in the session:
#   env-N      NAME=:base64 (set) or NAME=- (remove); .cwd=:base64; .source=:base64 of FILE:LINE,
#              where the block's first line is in the .still file
#   block-N.ps1  the block's code
# It writes the outcome to status-N: `exit N` (the block's $LASTEXITCODE) or `error` (a
# terminating error, an error record the block wrote, or a syntax error).
# Output: the success stream and Write-Host as text, formatted as the console would; warnings
# as `WARNING: ...` and errors as `FILE:LINE: message` on stderr; a native command's stderr as
# it is. Every name here starts with __stillpoint, to keep out of the way of the block's own.
param([string]$__stillpointDir, [string]$__stillpointRequest)

if ($null -eq $global:__stillpointSources) { $global:__stillpointSources = @{} }
$__stillpointBlock = Join-Path $__stillpointDir "block-$__stillpointRequest.ps1"

foreach ($__stillpointLine in [System.IO.File]::ReadAllLines((Join-Path $__stillpointDir "env-$__stillpointRequest"))) {
  if ($__stillpointLine -eq '') { continue }
  $__stillpointAt = $__stillpointLine.IndexOf('=')
  $__stillpointName = $__stillpointLine.Substring(0, $__stillpointAt)
  $__stillpointValue = $__stillpointLine.Substring($__stillpointAt + 1)
  if ($__stillpointValue -eq '-') { $__stillpointValue = $null }
  else { $__stillpointValue = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($__stillpointValue.Substring(1))) }
  switch ($__stillpointName) {
    '.cwd' { [void]$ExecutionContext.SessionState.Path.SetLocation($__stillpointValue) }
    '.source' { $global:__stillpointSources[$__stillpointBlock] = $__stillpointValue }
    default { [System.Environment]::SetEnvironmentVariable($__stillpointName, $__stillpointValue) }
  }
}

# Where in the .still file an error happened: the innermost frame in one of this session's
# blocks (a function defined by an earlier block counts too), else nowhere.
$__stillpointWhere = {
  param($record)
  if ($record.Exception -is [System.Management.Automation.ParseException]) {
    $extent = $record.Exception.Errors[0].Extent
    $frames = @(@{ File = $extent.File; Line = $extent.StartLineNumber })
  } else {
    $frames = foreach ($m in [regex]::Matches([string]$record.ScriptStackTrace, '(?m), (.+): line (\d+)\s*$')) { @{ File = $m.Groups[1].Value; Line = [int]$m.Groups[2].Value } }
  }
  foreach ($frame in $frames) {
    $source = $global:__stillpointSources[$frame.File]
    if ($source) {
      $colon = $source.LastIndexOf(':')
      return '{0}:{1}: ' -f $source.Substring(0, $colon), ([int]$source.Substring($colon + 1) + $frame.Line - 1)
    }
  }
  ''
}
$__stillpointMessage = {
  param($record)
  if ($record.Exception -is [System.Management.Automation.ParseException]) { $record.Exception.Errors[0].Message } else { $record.ToString() }
}

$__stillpointFormat = { Out-String -Stream -Width 4096 }.GetSteppablePipeline()
$__stillpointFormat.Begin($true)
$__stillpointFailed = $false
$global:LASTEXITCODE = 0
try {
  . $__stillpointBlock *>&1 | ForEach-Object {
    if ($_ -is [System.Management.Automation.ErrorRecord]) {
      if ($_.FullyQualifiedErrorId -eq 'NativeCommandError' -or $_.FullyQualifiedErrorId -eq 'NativeCommandErrorMessage') {
        # A native command's stderr: text, not a failure (its exit code decides).
        [Console]::Error.WriteLine($_.ToString())
      } else {
        $__stillpointFailed = $true
        [Console]::Error.WriteLine((& $__stillpointWhere $_) + (& $__stillpointMessage $_))
      }
    } elseif ($_ -is [System.Management.Automation.WarningRecord]) {
      [Console]::Error.WriteLine('WARNING: ' + $_.Message)
    } elseif ($_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.DebugRecord]) {
      [Console]::Error.WriteLine($_.GetType().Name.Replace('Record', '').ToUpperInvariant() + ': ' + $_.Message)
    } else {
      $__stillpointObject = if ($_ -is [System.Management.Automation.InformationRecord]) { [string]$_.MessageData } else { $_ }
      foreach ($__stillpointText in $__stillpointFormat.Process($__stillpointObject)) { [Console]::Out.WriteLine($__stillpointText) }
    }
  }
} catch {
  $__stillpointFailed = $true
  [Console]::Error.WriteLine((& $__stillpointWhere $_) + (& $__stillpointMessage $_))
}
foreach ($__stillpointText in $__stillpointFormat.End()) { [Console]::Out.WriteLine($__stillpointText) }
$__stillpointStatus = if ($__stillpointFailed) { 'error' } else { 'exit ' + [int]$global:LASTEXITCODE }
[System.IO.File]::WriteAllText((Join-Path $__stillpointDir "status-$__stillpointRequest"), $__stillpointStatus)
