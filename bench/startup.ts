// Start-up of the installed CLI, whole process: `npm pack` of this checkout, `npm install
// --global` into a temp prefix, then `stillpoint --version` (goal < 100 ms) and `stillpoint
// check` of a small script (goal < 200 ms), side by side with `node -e 0`, the floor any Node
// CLI pays, on Node 24 and on Node 22.18 (the oldest `engines` allows). Medians of the runs,
// the commands taking turns (interleavedMedians in measure.ts).
//
//   node bench/startup.ts [runs, default 15]
//
// Prints a markdown table and writes it to bench/results/startup.md, above the file's section
// "## Where the time goes" (a profile's breakdown, written by hand), which it keeps.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPackage, NODES, packPackage } from '../test/support/installed-package.ts';
import { interleavedMedians, machineNote, resultMarkdown } from './measure.ts';

const runs = Number(process.argv[2] ?? 15);
if (!(runs >= 7)) throw new Error('at least 7 runs: node bench/startup.ts [runs]');
const machine = machineNote();
const ROOT = join(import.meta.dirname, '..');
const small = 'scripts-examples/quickstart.still';
const GOALS: Record<string, number> = { version: 100, check: 200 };

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-bench-startup-'));
try {
  const tarball = packPackage(dir);
  const rows: string[] = [];
  for (const [index, node] of NODES.entries()) {
    const installed = installPackage(tarball, join(dir, `prefix-${index}`), node.bin);
    const options = { cwd: ROOT, env: { ...installed.env, NO_COLOR: '1' } };
    const commands: Record<string, string[]> = {
      floor: [join(node.bin, 'node'), '-e', '0'],
      version: [installed.stillpoint, '--version'],
      check: [installed.stillpoint, 'check', small],
    };
    const medians = interleavedMedians(commands, runs, options);
    const wall = (name: string) => medians[name]!.wall;
    const cpu = (name: string) => medians[name]!.cpu;
    const row = (label: string, name: string) => {
      const goal = GOALS[name];
      const verdict = goal === undefined ? '' : `< ${goal} ms: ${wall(name) < goal ? 'met' : '**not met**'}`;
      return `| ${node.name} | ${label} | ${wall(name).toFixed(1)} ms | ${cpu(name).toFixed(0)} ms | ${(wall(name) / wall('floor')).toFixed(2)} | ${verdict} |`;
    };
    rows.push(row('`node -e 0` (the floor)', 'floor'), row('`stillpoint --version`', 'version'), row(`\`stillpoint check ${small}\``, 'check'));
  }
  const table = ['| Node | command | wall, median | CPU, median | × the floor | goal |', '|---|---|---:|---:|---:|---|', ...rows].join('\n');
  const report = resultMarkdown(
    'Start-up of the installed CLI',
    `Command: \`node bench/startup.ts ${runs}\` (${runs} rounds, the commands taking turns; the package packed and installed with \`npm install --global\` into a temp prefix; CPU time in 10 ms ticks).`,
    machine(),
    table,
  );
  process.stdout.write(`${table}\n`);
  const results = join(ROOT, 'bench/results/startup.md');
  const previous = existsSync(results) ? readFileSync(results, 'utf8') : '';
  const breakdown = previous.indexOf('\n## Where the time goes');
  writeFileSync(results, breakdown < 0 ? report : report + previous.slice(breakdown));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
