// Builds the installed package's code: esbuild bundles src/ into dist/, JavaScript that Node
// runs under node_modules (where it strips no types). `npm pack` (prepack) and `npm ci` or a
// git install (prepare) run it: `npm run build`.
//
// One entry point per process or thread (ENTRY_POINTS); the modules they import lazily (Ink and
// React, koffi, pg, the language server, each provider and target) become chunks of their own,
// so a command loads only what it uses. Everything lands flat in dist/, which
// src/package-layout.ts relies on to find the package's root. The dependencies stay in
// node_modules: npm installs them with the package, and koffi's native code must be loaded
// from its own folder. The exception is commander, which every command loads first: from
// node_modules it costs `stillpoint check` about 15 M instructions more (resolving the
// package, reading its CommonJS exports for an ES module), about 7 ms (bench/results/startup.md).
// The JSON schemas are in the bundle; dist/ has a copy of each for the programs that read the
// event stream or a plan.

import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { ENTRY_POINTS } from '../src/package-layout.ts';
import { languageSourcesId, SYNTAX_ID_FILE } from '../src/language/parse-cache.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const { engines, dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };
const BUNDLED = ['commander'];

// Commander requires node:child_process at its top (~13 M instructions: net, streams, ...) for
// subcommands that are programs of their own, which Stillpoint has none of: it gets the module
// when it first touches it, that is never.
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'commander')}`) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(ENTRY_POINTS.map((entry) => [entry.slice(entry.lastIndexOf('/') + 1), join(root, 'src', `${entry}.ts`)])),
  outdir: dist,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: `node${engines.node.replace(/^>=/, '')}`,
  external: Object.keys(dependencies).filter((name) => !BUNDLED.includes(name)),
  // A bundled CommonJS package requires Node's modules: an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __stillpointCreateRequire } from 'node:module'; const require = __stillpointCreateRequire(import.meta.url);" },
  plugins: [lazyChildProcess],
  jsx: 'automatic',
  logLevel: 'warning',
});
for (const schema of ['src/events/events.schema.json', 'src/plan/plan.schema.json']) copyFileSync(join(root, schema), join(dist, basename(schema)));
// The script each `pwsh { }` block runs through: a file PowerShell reads, beside the bundle.
copyFileSync(join(root, 'src/base/pwsh-block.ps1'), join(dist, 'pwsh-block.ps1'));
// What the syntax trees kept for runs depend on (src/language/parse-cache.ts): the package has
// no src/language to hash.
writeFileSync(join(dist, basename(SYNTAX_ID_FILE)), `${languageSourcesId(join(root, 'src', 'language'))}\n`);
