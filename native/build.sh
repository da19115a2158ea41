#!/bin/sh
# Builds the VSS ABI test double (native/build/libvssdouble.so) with the machine's gcc:
# generates the vtables from MinGW-w64's headers, then compiles them with vss_double.c.
# Called by the VSS tests' beforeAll; safe to run again (rebuilds only when a source changed).
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
"$node" "$here/generate-vtables.ts" "$out"
cp "$here/win_types.h" "$out/win_types.h"
gcc -std=gnu2x -O1 -g -fPIC -shared -Wall -Wextra -Wno-unused-parameter -Werror \
  -Werror=incompatible-pointer-types -pthread -I"$out" \
  -o "$lib.tmp" "$here/vss_double.c" "$out/vss_vtables.c"
mv "$lib.tmp" "$lib"
