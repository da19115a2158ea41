#!/usr/bin/env bash
# Puts PowerShell 7.6.10 at .tools/pwsh (git-ignored) for the tests and for `pwsh { }` hooks:
# the PowerShell .NET tool from the NuGet registry, pinned (without --version the registry
# offers 7.7.0, which does not install here). Fails when it cannot install that version; a
# PowerShell already on PATH is left alone, and the tests use it only when STILLPOINT_PWSH
# points at it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=7.6.10
installed() { .tools/pwsh -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()'; }
if [ -x .tools/pwsh ] && [ "$(installed)" = "$version" ]; then echo "installed: PowerShell $version"; exit 0; fi
command -v dotnet >/dev/null || { echo "dotnet is not installed: cannot install PowerShell (install the .NET SDK 8 or newer)" >&2; exit 1; }
mkdir -p .tools
if [ -e .tools/pwsh ]; then dotnet tool uninstall PowerShell --tool-path .tools >/dev/null 2>&1 || rm -f .tools/pwsh; fi
dotnet tool install PowerShell --version "$version" --tool-path .tools
found=$(installed)
[ "$found" = "$version" ] || { echo "installed PowerShell reports version $found, not $version" >&2; exit 1; }
echo "installed: PowerShell $found (.NET tool)"
