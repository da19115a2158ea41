// Builds the installed package's code: esbuild bundles src/ into dist/, JavaScript that Node
// runs under node_modules (where it strips no types). `npm pack` (prepack) and `npm ci` or a
// git install (prepare) run it: `npm run build`.
//
// One entry point per process or thread (ENTRY_POINTS); the modules they import lazily (Ink and
// React, koffi, pg, the language server, each provider and target) become chunks of their own,
// so a command loads only what it uses. Everything lands flat in dist/, which
// src/package-layout.ts relies on to find the package's root. The dependencies stay in
// node_modules: npm installs them with the package, and koffi's native code must be loaded
// from its own folder. The JSON schemas are in the bundle; dist/ has a copy of each for the
// programs that read the event stream or a plan.

import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ENTRY_POINTS } from '../src/package-layout.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

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
  packages: 'external',
  jsx: 'automatic',
  logLevel: 'warning',
});
for (const schema of ['src/events/events.schema.json', 'src/plan/plan.schema.json']) copyFileSync(join(root, schema), join(dist, basename(schema)));
// The script each `pwsh { }` block runs through: a file PowerShell reads, beside the bundle.
copyFileSync(join(root, 'src/base/pwsh-block.ps1'), join(dist, 'pwsh-block.ps1'));
