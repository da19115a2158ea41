#!/usr/bin/env bash
# Installs PowerShell 7 as a .NET tool into .tools/ (git-ignored), from the NuGet registry.
# Tests find it at .tools/pwsh, or on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .tools/pwsh ]; then exit 0; fi
command -v dotnet >/dev/null || { echo "dotnet is not installed: cannot install PowerShell" >&2; exit 1; }
dotnet tool install PowerShell --tool-path .tools >/dev/null
.tools/pwsh -NoLogo -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'
