#!/usr/bin/env node
// The sources are TypeScript run directly by Node's type stripping (Node >= 22.18): no
// build step stands between a checkout and a run. `npm ci` brings Node 24 as a dev
// dependency, which npm scripts and npx put first on the PATH.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `stillpoint: needs Node.js 22.18 or newer (this is ${process.version}). ` +
      'Run it through `npx stillpoint` in the checkout after `npm ci`, which brings Node 24.\n',
  );
  process.exit(2);
}
// Type-stripping and compiling the sources is most of a cold start: Node's compile cache (in
// the OS temp folder) keeps that work from one run to the next.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// A reader that stops early (`stillpoint check x.still | head`) closes the pipe: that ends the
// output, not in a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
