// Peak memory of the tree target against the number of files (issue #18: flat, at most
// 250 MiB at 1,000,000 files). Generates a tree of small files (16 B - 4 KiB, bench/make-tree.ts),
// then times three writes of it, each a whole process under GNU time: the first (full) backup,
// an incremental one after 1% of the files changed, and one with nothing changed.
//
//   node bench/tree-memory.ts
//
// Environment: STILLPOINT_BENCH_DIR (default /var/tmp/stillpoint-bench; never the repo),
// STILLPOINT_BENCH_FILES (default 1000000), STILLPOINT_BENCH_DROP_CACHES as bench/tree.ts.
// Writes bench/results/tree-memory.md.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchSettings, changeFiles, makeTree } from './make-tree.ts';
import { machineNote, measureCold, type Measure } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const TREE_BENCH = join(ROOT, 'bench/tree.ts');

function main(): void {
  const { dir, shape } = benchSettings({ dir: '/var/tmp/stillpoint-bench', files: 1_000_000, bytes: 0, seed: 3, rounds: 1 });
  const machine = machineNote();
  const source = join(dir, `small-${shape.files}`);
  const target = join(dir, `memory-out-${shape.files}`);
  console.error(`generating ${shape.files} small files in ${source} (kept for the next run)`);
  makeTree(source, { ...shape, mix: 'small' });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const warm = [process.execPath, TREE_BENCH, '--warm'];
  const write = (): Measure => measureCold([process.execPath, TREE_BENCH, '--write', target, source], warm);
  const floor = measureCold(warm, ['true']);
  const full = write();
  changeFiles(source, 0.01, 11);
  const incremental = write();
  const unchanged = write();
  rmSync(target, { recursive: true, force: true });

  const row = (name: string, m: Measure) => `| ${name} | ${m.maxRssMiB.toFixed(0)} | ${m.wallS.toFixed(1)} | ${m.cpuS.toFixed(1)} |`;
  const text = [
    '# Tree target: peak memory against the number of files',
    '',
    `Command: \`${shape.files === 1_000_000 ? '' : `STILLPOINT_BENCH_FILES=${shape.files} `}node bench/tree-memory.ts\` (${new Date().toISOString().slice(0, 16)}Z). ` +
      `${shape.files} files of 16 B - 4 KiB (bench/make-tree.ts) in ${source}; each write a whole process (\`bench/tree.ts --write\`, Node's default heap settings) under GNU time.`,
    machine(),
    '',
    '| run | peak RSS MiB | wall s | CPU s |',
    '|---|---:|---:|---:|',
    row("Node with the tree target's modules loaded, doing nothing (the floor)", floor),
    row('full', full),
    row('incremental, 1% changed', incremental),
    row('nothing changed', unchanged),
    '',
    `Goal: at most 250 MiB at 1,000,000 files; the largest here is ${Math.max(full.maxRssMiB, incremental.maxRssMiB, unchanged.maxRssMiB).toFixed(0)} MiB at ${shape.files} files.`,
    '',
  ].join('\n');
  process.stdout.write(text);
  writeFileSync(join(ROOT, 'bench/results/tree-memory.md'), text);
}

main();
