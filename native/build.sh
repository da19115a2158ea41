#!/bin/sh
# Builds the VSS ABI test double from one source for either side:
#   sh native/build.sh           native/build/libvssdouble.so, with the machine's gcc (Linux)
#   sh native/build.sh windows   native/build/vssdouble.dll, with MinGW-w64 (Windows x64 ABI)
# Generates the vtables from MinGW-w64's headers, then compiles them with vss_double.c and the
# platform layer of that side (platform_posix.c, platform_win32.c), -Werror on both.
# Called by the VSS tests' beforeAll, possibly by several test processes at once: each builds
# in its own temporary folder and renames the library into place, so a reader never sees a
# half-written file. Does nothing when the library is newer than every source.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build"
target=${1:-linux}
case "$target" in
  linux) name=libvssdouble.so ;;
  windows) name=vssdouble.dll ;;
  *) echo "usage: build.sh [linux|windows]" >&2; exit 2 ;;
esac
lib="$out/$name"
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
warnings="-Wall -Wextra -Wno-unused-parameter -Werror -Werror=incompatible-pointer-types"
if [ "$target" = linux ]; then
  gcc -std=gnu2x -O1 -g -fPIC -shared $warnings -pthread -I"$work" -I"$here" \
    -o "$work/$name" "$here/vss_double.c" "$here/platform_posix.c" "$work/vss_vtables.c"
else
  # winpthreads and libgcc linked in, so the DLL needs nothing beside it but Windows' own DLLs.
  x86_64-w64-mingw32-gcc -std=gnu2x -O1 -g -shared $warnings -I"$work" -I"$here" \
    -static -static-libgcc -o "$work/$name" "$here/vss_double.c" "$here/platform_win32.c" "$work/vss_vtables.c" \
    -Wl,-Bstatic -lpthread -Wl,-Bdynamic -lbcrypt
fi
# The generated declarations stay beside the library, for reading.
for file in vss_vtables.h vss_vtables.c "$name"; do mv -f "$work/$file" "$out/$file"; done
