// Builds the extension: bundles the client and the language server into dist/ with esbuild,
// copies the generated grammar beside them, and packages everything into a .vsix with vsce.
// `npm run vsix` at the repository's root runs it; it prints the .vsix's path.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const dist = join(here, 'dist');
const require = createRequire(join(root, 'package.json'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// The client library is a dependency of the extension only, not of Stillpoint.
if (!existsSync(join(here, 'node_modules', 'vscode-languageclient'))) {
  execFileSync(npm, ['ci', '--no-fund', '--no-audit'], { cwd: here, stdio: 'inherit' });
}

mkdirSync(dist, { recursive: true });
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node22', sourcemap: false, minify: true, logLevel: 'warning' } as const;
// src/language/chevrotain.ts finds Chevrotain's one-file bundle at run time (a top-level
// await, which CommonJS cannot hold); inside this bundle its modules cost nothing to resolve,
// so the server takes Chevrotain's entry point instead.
const chevrotainEntry: Plugin = {
  name: 'chevrotain-entry',
  setup(build) {
    build.onResolve({ filter: /[\\/]chevrotain\.ts$/ }, () => ({ path: 'chevrotain', namespace: 'chevrotain-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'chevrotain-entry' }, () => ({ contents: "export * from 'chevrotain';", resolveDir: root }));
  },
};
await build({ ...common, entryPoints: [join(here, 'src', 'extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode'] });
await build({ ...common, entryPoints: [join(here, 'src', 'server.ts')], outfile: join(dist, 'server.js'), plugins: [chevrotainEntry] });
copyFileSync(join(root, 'grammar', 'stillpoint.tmLanguage.json'), join(dist, 'stillpoint.tmLanguage.json'));

const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as { version: string };
const vsix = join(here, `stillpoint-${version}.vsix`);
const vsce = join(require.resolve('@vscode/vsce/package.json'), '..', 'vsce');
// Everything the extension runs is in dist/: vsce need not collect node_modules.
// The project has no public repository address yet: say so rather than invent one.
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
console.log(vsix);
