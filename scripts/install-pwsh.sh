#!/usr/bin/env bash
# Puts a PowerShell at .tools/pwsh (git-ignored) for the tests and for `pwsh { }` hooks.
#   1. PowerShell 7 as a .NET tool from the NuGet registry, when the registry has it;
#   2. otherwise tools/pwsh-host: a pwsh-compatible console host built on the real PowerShell
#      engine (System.Management.Automation from NuGet). It runs the PowerShell language and
#      the Microsoft.PowerShell.Core cmdlets; the Utility and Management modules are not in
#      that package, so cmdlets such as ConvertFrom-Json or Get-ChildItem are absent there.
# Prints which one it installed. A PowerShell already on PATH is left alone but not used by
# the tests unless STILLPOINT_PWSH points at it.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
if [ -x .tools/pwsh ]; then .tools/pwsh -NoProfile -Command '"installed: " + $Host.Name + " " + $PSVersionTable.PSVersion'; exit 0; fi
command -v dotnet >/dev/null || { echo "dotnet is not installed: cannot install PowerShell" >&2; exit 1; }
if dotnet tool install PowerShell --tool-path .tools >/dev/null 2>&1; then
  echo "installed: PowerShell $(.tools/pwsh -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') (.NET tool)"
  exit 0
fi
echo "the PowerShell .NET tool is not in the NuGet registry here; building tools/pwsh-host on System.Management.Automation"
dotnet publish tools/pwsh-host/pwsh.csproj -c Release -o .tools/pwsh-host --nologo -v quiet >/dev/null
ln -sf pwsh-host/pwsh .tools/pwsh
.tools/pwsh -NoProfile -Command '"installed: " + $Host.Name + " on PowerShell engine " + $PSVersionTable.PSVersion'
