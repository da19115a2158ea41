#!/bin/sh
# Builds the VSS ABI test double (native/build/libvssdouble.so) with the machine's gcc:
# generates the vtables from MinGW-w64's headers, then compiles them with vss_double.c.
# Called by the VSS tests' beforeAll, possibly by several test processes at once: each builds
# in its own temporary folder and renames the library into place, so a reader never sees a
# half-written file. Does nothing when the library is newer than every source.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build"
lib="$out/libvssdouble.so"
mkdir -p "$out"
node=${NODE:-node}
if [ -x "$here/../node_modules/.bin/node" ]; then node="$here/../node_modules/.bin/node"; fi
if [ -f "$lib" ] && [ -z "$(find "$here" "$here/../src/providers/vss/slots.ts" -maxdepth 1 -newer "$lib" \( -name '*.c' -o -name '*.h' -o -name '*.ts' -o -name '*.sh' \) 2>/dev/null)" ]; then
  exit 0
fi
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$node" "$here/generate-vtables.ts" "$work"
cp "$here/win_types.h" "$work/win_types.h"
gcc -std=gnu2x -O1 -g -fPIC -shared -Wall -Wextra -Wno-unused-parameter -Werror \
  -Werror=incompatible-pointer-types -pthread -I"$work" \
  -o "$work/libvssdouble.so" "$here/vss_double.c" "$work/vss_vtables.c"
# The generated declarations stay beside the library, for reading.
for file in vss_vtables.h vss_vtables.c libvssdouble.so; do mv -f "$work/$file" "$out/$file"; done
