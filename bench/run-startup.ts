// A run with nothing changed on a small tree, whole process (issue 18: < 300 ms): the installed
// CLI (`npm pack`, `npm install --global` into a temp prefix, as bench/startup.ts) runs
// `stillpoint run` of a job with the copy provider and one tree target over a 100-file tree
// that its first run already copied, side by side with `rsync -a` of the same tree into a copy
// it already made (the peer), and `node -e 0` (the floor of any Node program). Medians of wall
// and CPU time, the commands taking turns (interleavedMedians in measure.ts).
//
//   node bench/run-startup.ts [runs, default 15]
//
// Prints a markdown table and writes it to bench/results/run-startup.md.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPackage, NODES, packPackage } from '../test/support/installed-package.ts';
import { makeTree } from './make-tree.ts';
import { interleavedMedians, machineNote, resultMarkdown } from './measure.ts';

const runs = Number(process.argv[2] ?? 15);
if (!(runs >= 7)) throw new Error('at least 7 runs: node bench/run-startup.ts [runs]');
const machine = machineNote();
const ROOT = join(import.meta.dirname, '..');
const FILES = 100;
const GOAL_MS = 300;

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-bench-run-startup-'));
try {
  const tree = join(dir, 'tree');
  makeTree(tree, { files: FILES, bytes: 0, seed: 18, mix: 'small' });
  const script = join(dir, 'small.still');
  writeFileSync(script, `job small {\n  volume "tree"\n  provider copy\n  target tree "backups" {\n    keep last 3\n  }\n}\n`);
  mkdirSync(join(dir, 'rsync'));

  const node = NODES[0];
  const installed = installPackage(packPackage(dir), join(dir, 'prefix'), node.bin);
  const options = { cwd: dir, env: { ...installed.env, NO_COLOR: '1', STILLPOINT_STATE_DIR: join(dir, 'state') } };
  const commands: Record<string, { label: string; argv: string[] }> = {
    floor: { label: '`node -e 0` (the floor)', argv: [join(node.bin, 'node'), '-e', '0'] },
    rsync: { label: '`rsync -a tree/ rsync/` (the peer)', argv: ['rsync', '-a', `${tree}/`, join(dir, 'rsync')] },
    run: { label: '`stillpoint run small.still --json`', argv: [installed.stillpoint, 'run', script, '--json'] },
  };
  const medians = interleavedMedians(Object.fromEntries(Object.entries(commands).map(([name, { argv }]) => [name, argv])), runs, options);
  const wall = (name: string) => medians[name]!.wall;
  const cpu = (name: string) => medians[name]!.cpu;
  const rows = Object.entries(commands).map(([name, { label }]) => {
    const verdict = name === 'run' ? `< ${GOAL_MS} ms: ${wall(name) < GOAL_MS ? 'met' : '**not met**'}` : '';
    return `| ${label} | ${wall(name).toFixed(1)} ms | ${cpu(name).toFixed(0)} ms | ${(wall(name) / wall('rsync')).toFixed(2)} | ${verdict} |`;
  });
  const table = ['| command | wall, median | CPU, median | × rsync | goal |', '|---|---:|---:|---:|---|', ...rows].join('\n');
  const report = resultMarkdown(
    'A run with nothing changed on a 100-file tree',
    `Command: \`node bench/run-startup.ts ${runs}\` (${runs} rounds, the commands taking turns; ${FILES} files of 16 B - 4 KiB, copied by the untimed first run; the package packed and installed with \`npm install --global\` into a temp prefix, ${node.name}; CPU time in 10 ms ticks, the process and its children, threads included).`,
    machine(),
    table,
  );
  process.stdout.write(`${table}\n`);
  writeFileSync(join(ROOT, 'bench/results/run-startup.md'), report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
