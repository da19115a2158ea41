// Peak memory of the tree target against the number of files (issue #18: flat, at most
// 250 MiB at 1,000,000 files). For N/10 and N files of 16 B - 4 KiB (bench/make-tree.ts), times
// three writes, each a whole process under GNU time (peak RSS): the first (full) backup, an
// incremental one after 1% of the files changed, and one with nothing changed; and the floor,
// Node with the tree target's modules loaded. The write is bench/tree.ts --write, which
// limits its young generation as `stillpoint run` does and reports its peak so far each time the
// files done doubled: flat means the peak stops rising early in a run, whatever its size.
//
//   node bench/tree-memory.ts
//
// As root, the trees go on a fresh XFS image, loop-mounted under /var/tmp and removed at the end
// (a million files would take as many inodes of the root filesystem). Environment:
// STILLPOINT_BENCH_DIR: a folder to use instead (never the repo; the tree is kept there for the
// next run), STILLPOINT_BENCH_FILES (default 1000000), STILLPOINT_BENCH_DROP_CACHES as bench/tree.ts.
// Writes bench/results/tree-memory.md.

import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLoopFilesystem } from '../test/providers/support/loop-filesystem.ts';
import { benchSettings, changeFiles, makeTree } from './make-tree.ts';
import { benchChild, benchCommand, dropsCaches, machineNote, measureCold, type Measure } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const TREE_BENCH = join(ROOT, 'bench/tree.ts');
const GOAL_MIB = 250;
/** The environment that changes what this bench measures, named in the command it reports. */
const SETTINGS = ['STILLPOINT_BENCH_DIR', 'STILLPOINT_BENCH_FILES', 'STILLPOINT_BENCH_DROP_CACHES'];
/** Inodes per source file the runs take: the sources (N and N/10), their first copy, and the folders of three snapshots. */
const INODES_PER_FILE = 2.5;
/** Bytes of disk per source file: XFS gives a small file a 4 KiB block and an inode; a copy takes as much again. */
const DISK_BYTES_PER_FILE = 12 * 1024;

/** One write: GNU time's figures, and the peak RSS so far as the files done doubled (bench/tree.ts --write). */
interface Write extends Measure {
  peakByFiles: Array<[files: number, peakMiB: number]>;
}

interface Sized {
  files: number;
  full: Write;
  incremental: Write;
  unchanged: Write;
}

/**
 * How much the peak rose over the last 90% of a write's files, in percent: memory that grows
 * with the number of files keeps rising; memory that is flat has levelled off by then.
 */
function lateGrowth(write: Write, files: number): number {
  const early = write.peakByFiles.find(([done]) => done >= files / 10);
  const end = write.peakByFiles.at(-1);
  return early && end ? 100 * (end[1] / early[1] - 1) : NaN;
}

/** Where the trees go: a folder the caller named, or a loop-mounted image (root). */
function benchFolder(dir: string, files: number): { dir: string; where: string } & Disposable {
  const total = Math.ceil(files * 1.1);
  if (process.env.STILLPOINT_BENCH_DIR !== undefined) {
    mkdirSync(dir, { recursive: true });
    const free = statfsSync(dir).ffree;
    if (free < total * INODES_PER_FILE) {
      throw new Error(
        `${dir} has ${free} free inodes; ${total} files need about ${Math.ceil(total * INODES_PER_FILE)}: ` +
          'set STILLPOINT_BENCH_DIR to a filesystem with more, fewer STILLPOINT_BENCH_FILES, or run as root without it for a loop-mounted image',
      );
    }
    return { dir, where: dir, [Symbol.dispose]: () => {} };
  }
  if (process.getuid?.() !== 0) throw new Error('a loop-mounted image needs root: run as root, or set STILLPOINT_BENCH_DIR to a folder with enough free inodes');
  const { bavail, bsize } = statfsSync('/var/tmp');
  const needed = total * DISK_BYTES_PER_FILE;
  if (bavail * bsize < needed) throw new Error(`/var/tmp has ${(bavail * bsize / 1024 ** 3).toFixed(1)} GiB free; ${total} files need about ${(needed / 1024 ** 3).toFixed(1)} GiB`);
  // Sparse: the image takes only what is written into it.
  const loop = createLoopFilesystem('xfs', Math.max(2048, Math.ceil((2 * needed) / 1024 ** 2)), { under: '/var/tmp' });
  return { dir: loop.mountPoint, where: 'a fresh XFS image, loop-mounted under /var/tmp', [Symbol.dispose]: () => loop.destroy() };
}

function measureSize(dir: string, files: number): Sized {
  const source = join(dir, `small-${files}`);
  const target = join(dir, `memory-out-${files}`);
  console.error(`generating ${files} small files in ${source}`);
  makeTree(source, { files, bytes: 0, seed: 3, mix: 'small' });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const write = (name: string): Write => {
    const m = measureCold(benchChild(TREE_BENCH, '--write', target, source), benchChild(TREE_BENCH, '--warm'));
    const { peakRssMiBByFiles } = JSON.parse(m.stdout.trim().split('\n').at(-1)!) as { peakRssMiBByFiles: Write['peakByFiles'] };
    console.error(`${files} files, ${name}: ${m.maxRssMiB.toFixed(0)} MiB peak RSS, ${m.wallS.toFixed(1)} s wall, ${m.cpuS.toFixed(1)} s CPU`);
    return { ...m, peakByFiles: peakRssMiBByFiles };
  };
  const full = write('full');
  changeFiles(source, 0.01, 11);
  const incremental = write('incremental');
  const unchanged = write('nothing changed');
  rmSync(target, { recursive: true, force: true });
  return { files, full, incremental, unchanged };
}

function main(): void {
  const { dir, shape } = benchSettings({ dir: '/var/tmp/stillpoint-bench', files: 1_000_000, bytes: 0, seed: 3, rounds: 1 });
  const machine = machineNote();
  const sizes = [Math.round(shape.files / 10), shape.files];
  let where: string;
  let floor: Measure;
  const results: Sized[] = [];
  {
    using folder = benchFolder(dir, shape.files);
    where = folder.where;
    floor = measureCold(benchChild(TREE_BENCH, '--warm'), ['true']);
    for (const files of sizes) results.push(measureSize(folder.dir, files));
  }

  const peak = (s: Sized) => Math.max(s.full.maxRssMiB, s.incremental.maxRssMiB, s.unchanged.maxRssMiB);
  const [small, large] = results as [Sized, Sized];
  const growth = Math.max(...[large.full, large.incremental, large.unchanged].map((w) => lateGrowth(w, large.files)));
  const row = (files: number, name: string, w: Write) =>
    `| ${files} | ${name} | ${w.maxRssMiB.toFixed(0)} | ${w.wallS.toFixed(1)} | ${w.cpuS.toFixed(1)} | ${w.peakByFiles.map(([done, mib]) => `${done}: ${mib}`).join(', ')} | ${lateGrowth(w, files).toFixed(0)}% |`;
  const text = [
    '# Tree target: peak memory against the number of files',
    '',
    `Command: \`${benchCommand('bench/tree-memory.ts', SETTINGS)}\` (${new Date().toISOString().slice(0, 16)}Z). ` +
      `${sizes.join(' and ')} files of 16 B - 4 KiB (bench/make-tree.ts) on ${where}; each write a whole process ` +
      '(`bench/tree.ts --write`, young generation limited as `stillpoint run` limits it) under GNU time, ' +
      `${dropsCaches ? 'the page cache dropped before each' : 'the page cache not dropped (not root, or STILLPOINT_BENCH_DROP_CACHES=0)'}.`,
    machine(),
    '',
    '| files | run | peak RSS MiB | wall s | CPU s | peak RSS so far (MiB) by files done | rise over the last 90% of the files |',
    '|---:|---|---:|---:|---:|---|---:|',
    `| | Node with the tree target's modules loaded, doing nothing (the floor) | ${floor.maxRssMiB.toFixed(0)} | ${floor.wallS.toFixed(1)} | ${floor.cpuS.toFixed(1)} | | |`,
    ...results.flatMap((s) => [row(s.files, 'full', s.full), row(s.files, 'incremental, 1% changed', s.incremental), row(s.files, 'nothing changed', s.unchanged)]),
    '',
    `Goal: at most ${GOAL_MIB} MiB at 1,000,000 files, flat in the number of files. Largest peak: ${peak(small).toFixed(0)} MiB at ${small.files} files, ` +
      `${peak(large).toFixed(0)} MiB at ${large.files} files: ${peak(large) <= GOAL_MIB ? 'at most' : '**over**'} ${GOAL_MIB} MiB` +
      `${large.files === 1_000_000 ? '' : ` (at ${large.files} files, not the goal's 1,000,000)`}. ` +
      `Over the last 90% of the ${large.files} files the peak rose by at most ${growth.toFixed(0)}%: ${growth <= 5 ? 'flat (within 5%)' : '**not flat** (more than 5%)'}.`,
    '',
  ].join('\n');
  process.stdout.write(text);
  writeFileSync(join(ROOT, 'bench/results/tree-memory.md'), text);
}

main();
