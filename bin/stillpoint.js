#!/usr/bin/env node
// Two layouts, one command. In a checkout, Node runs the TypeScript in src/ by type stripping
// (Node >= 22.18): what you edit is what runs, with no build in between, for you and for the
// tests that start this file. The installed package has no src/, only dist/, the bundle that
// scripts/build.ts makes at `npm pack` (Node strips no types under node_modules). The
// system test test/system/installed-package.test.ts packs, installs and runs that bundle.
//
// This file is CommonJS (bin/package.json says so): Node runs it without starting its ES module
// loader, which `--version` then never needs, and which costs every other command nothing more
// than it would have.
'use strict';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `stillpoint: needs Node.js 22.18 or newer (this is ${process.version}): ` +
      'install a newer Node.js, or in a checkout run `npx stillpoint` after `npm ci`, which brings Node 24.\n',
  );
  process.exit(2);
}
const { existsSync, readFileSync, writeSync } = require('node:fs');
const { join } = require('node:path');
// `--version` alone is answered here, before any of Stillpoint loads: scripts and package
// managers ask it often, and it needs only package.json. (src/cli/main.ts prints the same line
// for `-V` and for `main()` called in-process.) One write to the file descriptor: making
// process.stdout a stream (for a pipe: a socket, with the stream modules) would cost more
// than the rest of this answer.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  try {
    writeSync(1, `stillpoint ${version} (Node.js ${process.version})\n`);
  } catch (error) {
    if (error.code !== 'EPIPE') throw error;
  }
  process.exit(0);
}
// Compiling the code is most of a cold start: Node's compile cache (in the OS temp folder)
// keeps that work from one run to the next.
require('node:module').enableCompileCache?.();
// A reader that stops early (`stillpoint check x.still | head`) closes the pipe: that ends the
// output, not in a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
const source = join(__dirname, '..', 'src', 'cli', 'main.ts');
const { pathToFileURL } = require('node:url');
import(pathToFileURL(existsSync(source) ? source : join(__dirname, '..', 'dist', 'main.js')).href).then(
  async ({ main }) => {
    process.exitCode = await main(process.argv);
  },
);
