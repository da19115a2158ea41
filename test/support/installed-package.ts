// The package as a user gets it: `npm pack` of this checkout, then `npm install --global` of
// the tarball into a prefix of its own, with a given Node first on the PATH. The checkout
// itself is left as it was: the pack happens in a copy of what it needs (the package's
// `files`, the sources and the build script that prepack runs), whose node_modules is a link
// to the checkout's.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { olderNodeBin } from './older-node.ts';

export const CHECKOUT = join(import.meta.dirname, '..', '..');

/** The Node.js versions the package is tested on: the one the project brings, and the oldest `engines` allows. */
export const NODES = [
  { name: 'Node 24', bin: join(CHECKOUT, 'node_modules', 'node', 'bin') },
  { name: 'Node 22.18, the oldest `engines` allows', bin: olderNodeBin('22.18.0') },
] as const;

export function nodeInstalled(bin: string): boolean {
  return existsSync(join(bin, 'node'));
}

function withPath(...dirs: string[]): NodeJS.ProcessEnv {
  return { ...process.env, PATH: [...dirs, process.env.PATH ?? ''].join(delimiter) };
}

/** Packs the checkout's package into `dir`: the tarball's path. */
export function packPackage(dir: string): string {
  const stage = join(dir, 'stage');
  const { files } = JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { files: string[] };
  for (const entry of [...files.filter((f) => f !== 'dist'), 'src', 'scripts', 'package.json', 'README.md']) {
    cpSync(join(CHECKOUT, entry), join(stage, entry), { recursive: true });
  }
  symlinkSync(join(CHECKOUT, 'node_modules'), join(stage, 'node_modules'));
  const printed = execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: stage, env: withPath(NODES[0].bin), encoding: 'utf8' });
  return join(dir, printed.trim().split('\n').pop()!);
}

export interface InstalledPackage {
  /** <prefix>/bin/stillpoint, the command npm linked. */
  stillpoint: string;
  /** <prefix>/lib/node_modules/stillpoint. */
  root: string;
  /** The environment a user has after the install: the prefix's bin and the Node first on the PATH. */
  env: NodeJS.ProcessEnv;
}

/** `npm install --global` of the tarball into `prefix`, run by the Node in `nodeBin`. */
export function installPackage(tarball: string, prefix: string, nodeBin: string, npmOptions: string[] = []): InstalledPackage {
  execFileSync('npm', ['install', '--global', '--prefix', prefix, '--no-fund', '--no-audit', '--prefer-offline', ...npmOptions, tarball], {
    env: withPath(nodeBin),
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
    // Once, npm under Node 22.18 stopped after reading its cache and outlived the SIGTERM of the
    // timeout: the run waited 18 minutes, until npm was killed by hand.
    killSignal: 'SIGKILL',
  });
  return {
    stillpoint: join(prefix, 'bin', 'stillpoint'),
    root: join(prefix, 'lib', 'node_modules', 'stillpoint'),
    env: withPath(join(prefix, 'bin'), nodeBin),
  };
}
