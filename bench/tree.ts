// The tree target against its peers, same data, same run (DESIGN.md "Performance"):
// - full backup of a generated tree: tree target vs `rsync -a` vs `cp -a`
// - incremental with 1% of the files changed: tree target vs `rsync -a --link-dest`
//   (each peer followed by `sync --file-system`: the tree target's snapshot is on the disk
//   when it is published, so every side is timed until its copy is)
// - peak RSS of the tree target for that tree (against the number of files: bench/tree-memory.ts)
//
//   node bench/tree.ts
//
// The tree target runs in a child started by bench/launch.mjs, as the installed CLI starts.
//
// Environment: STILLPOINT_BENCH_DIR (default /var/tmp/stillpoint-bench; never the repo),
// STILLPOINT_BENCH_FILES (default 50000), STILLPOINT_BENCH_BYTES (default 2.25 GiB),
// STILLPOINT_BENCH_ROUNDS (default 3), STILLPOINT_BENCH_DROP_CACHES (default 1 as root:
// `sync; echo 3 > /proc/sys/vm/drop_caches` before every measured command, so each tool
// reads the source from disk), STILLPOINT_BENCH_FRESH_TARGET (default 1 as root: each round's
// copies go on a new ext4 image, loop-mounted; 0: a folder next to the source, emptied each round).
// A quick run: STILLPOINT_BENCH_FILES=5000 STILLPOINT_BENCH_BYTES=200000000.
//
// Why a new filesystem each round: emptying the folder deletes the last round's copies just
// before the next ones are timed. An ext4 without a journal (as this machine's root) then
// skips each inode deleted in the last minutes when it allocates one, looking each up again
// for every file created, and the tree target's two copy threads, creating files at once, paid
// for that far more than rsync or cp did (bench/results/tree-profile.md, seventh round).
// Every command is timed by GNU time (wall, user+system CPU, max RSS); medians are printed
// as a markdown table and written to bench/results/tree.md.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchSettings, changeFiles, makeTree } from './make-tree.ts';
import { benchChild, benchCommand, diskBytes, dropsCaches, freshTarget, machineNote, measureCold, median, roundTarget, TREE_BENCH_SETTINGS, type Measure } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');


/** Child mode (started through bench/launch.mjs, as bin/stillpoint.js starts): one tree-target write, as the engine would call it. */
async function writeOnce(target: string, source: string): Promise<void> {
  const peaks = peakByFiles();
  // As `stillpoint run` does: the young generation limited (src/cli/main.ts).
  (await import('../src/base/young-generation.ts')).limitYoungGeneration();
  const { TreeTarget } = await import('../src/targets/tree/index.ts');
  const result = await new TreeTarget(target).write(
    [{ volume: source, root: source, readPath: source, include: [], exclude: [], excludeSystemFiles: true, oneFileSystem: true }],
    {
      runId: 'bench',
      job: 'bench',
      hostname: 'bench',
      started: new Date(),
      signal: new AbortController().signal,
      ignoreReadErrors: false,
      snapshots: [],
      env: {},
      progress: ({ filesDone }) => peaks.progress(filesDone),
      skipped: () => {},
      warn: (message) => process.stderr.write(`warning: ${message}\n`),
      output: () => {},
    },
  );
  peaks.progress(result.files, true);
  // bench/tree-memory.ts reads peakRssMiBByFiles.
  process.stdout.write(JSON.stringify({ ...result, peakRssMiBByFiles: peaks.marks }) + '\n');
}

/**
 * The process's peak RSS so far (VmHWM, MiB) each time the files done have doubled since the
 * last mark, from 1,000 on, and at the end: whether memory keeps growing with the files.
 */
function peakByFiles(): { progress(filesDone: number, last?: boolean): void; marks: Array<[files: number, peakMiB: number]> } {
  const marks: Array<[number, number]> = [];
  let next = 1000;
  const peak = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
  return {
    marks,
    progress(filesDone, last = false) {
      if (filesDone < next && !last) return;
      if (marks.at(-1)?.[0] === filesDone) marks.pop();
      marks.push([filesDone, Math.round(peak())]);
      next = 2 * filesDone;
    },
  };
}


/**
 * Times one command. `warm` runs first, untimed, after the caches were dropped: it loads the
 * tool's own program (Node and the TypeScript modules are far larger than cp or rsync), so
 * the cold part of the measurement is the data alone.
 */
const treeWrite = (target: string, source: string) => benchChild(join(ROOT, 'bench/tree.ts'), '--write', target, source);
const treeWarm = benchChild(join(ROOT, 'bench/tree.ts'), '--warm');
/**
 * A peer's command followed by syncfs on its destination: the tree target flushes its
 * snapshot to the disk before it publishes it, so every side is timed until its copy is on
 * the disk, not only in the page cache (rsync's own --fsync would fsync file by file).
 */
const durable = (dest: string, argv: string[]) => ['sh', '-c', 'dest=$1; shift; "$@" && exec sync --file-system "$dest"', 'sh', dest, ...argv];
const WARM: Record<string, string[]> = { sh: ['sh', '-c', 'rsync --version; cp --version; sync --version'], [process.execPath]: treeWarm };
const measureTool = (argv: string[]) => measureCold(argv, WARM[argv[0]!]!);
async function main(): Promise<void> {
  const { dir: benchDir, shape, rounds } = benchSettings({ dir: '/var/tmp/stillpoint-bench', files: 50_000, bytes: 2.25 * 1024 ** 3, seed: 1, rounds: 3 });
  const source = join(benchDir, 'source');
  mkdirSync(benchDir, { recursive: true });
  const machine = machineNote();
  console.error(`generating ${shape.files} files, ${(shape.bytes / 1024 ** 3).toFixed(2)} GiB in ${source} (kept for the next run)`);
  makeTree(source, shape);
  const actualBytes = Number(execFileSync('du', ['-sb', source], { encoding: 'utf8' }).split('\t')[0]);
  const sourceBytes = diskBytes(source);

  const results: Record<string, Measure[]> = {};
  const record = (name: string, m: Measure) => {
    (results[name] ??= []).push(m);
    console.error(`${name}: ${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s CPU, ${m.maxRssMiB.toFixed(0)} MiB RSS`);
  };
  for (let round = 0; round < rounds; round++) {
    using target = roundTarget(join(benchDir, 'out'), sourceBytes);
    const out = target.dir;
    const full: Array<[string, string[]]> = [
      ['tree full', treeWrite(join(out, 'tree'), source)],
      ['rsync -a', durable(out, ['rsync', '-a', `${source}/`, join(out, 'rsync-full')])],
      ['cp -a', durable(out, ['cp', '-a', source, join(out, 'cp')])],
    ];
    // Rotated each round so no tool always runs first (or last) on a shared machine.
    for (let i = 0; i < full.length; i++) {
      const [name, argv] = full[(i + round) % full.length]!;
      record(name, measureTool(argv));
    }
    changeFiles(source, 0.01, 100 + round);
    const incremental: Array<[string, string[]]> = [
      ['tree incremental', treeWrite(join(out, 'tree'), source)],
      ['rsync --link-dest', durable(out, ['rsync', '-a', `--link-dest=${join(out, 'rsync-full')}`, `${source}/`, join(out, 'rsync-inc')])],
    ];
    for (let i = 0; i < incremental.length; i++) {
      const [name, argv] = incremental[(i + round) % incremental.length]!;
      record(name, measureTool(argv));
    }
  }
  const baseline = measureCold(treeWarm, ['true']);
  const wall = (name: string) => median(results[name]!.map((m) => m.wallS));
  const cpu = (name: string) => median(results[name]!.map((m) => m.cpuS));
  const rss = (name: string) => median(results[name]!.map((m) => m.maxRssMiB));
  const gib = actualBytes / 1024 ** 3;
  const rate = (name: string) => `${(actualBytes / 1024 ** 2 / wall(name)).toFixed(0)} MiB/s`;
  // The same ratio in each round, where both sides ran on the same target minutes apart: this
  // machine's speed drifts by 10-15% between rounds, and a median of times mixes rounds that a
  // median of the rounds' own ratios does not.
  const roundRatios = (name: string, peer: string) => {
    const ratios = results[name]!.map((m, round) => m.wallS / results[peer]![round]!.wallS);
    return `the rounds' own ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}, median ${median(ratios).toFixed(2)}`;
  };
  const row = (name: string, peer: string) =>
    `| ${name} | ${wall(name).toFixed(2)} | ${cpu(name).toFixed(2)} | ${rate(name)} | ${(wall(name) / wall(peer)).toFixed(2)} |`;
  const lines = [
    '# Tree target benchmark',
    '',
    `Command: \`${benchCommand('bench/tree.ts', TREE_BENCH_SETTINGS)}\` (${new Date().toISOString().slice(0, 16)}Z). Source: ${shape.files} files, ${gib.toFixed(2)} GiB ` +
      `(70% up to 8 KiB, 25% up to 128 KiB, 4.5% up to 1 MiB, 0.5% large), generated by bench/make-tree.ts under ${benchDir}; ` +
      (freshTarget
        ? "each round's copies on a new ext4 image (mkfs.ext4's defaults, so with a journal; a loop device with direct I/O) on the same disk."
        : 'copies on the same filesystem, in a folder emptied each round.'),
    `Medians of ${rounds} rounds, tool order rotated each round. Page cache ${dropsCaches ? 'dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) before every measured command: every tool reads from disk' : 'not dropped (not root, or STILLPOINT_BENCH_DROP_CACHES=0): sources are read warm'}.`,
    machine(),
    'Every side is timed until its copy is on the disk: the tree target flushes its snapshot (syncfs) before it publishes it, and `rsync` and `cp` are followed by `sync --file-system` on their destination.',
    'The tree target does more than its peers: it hashes every copied byte with SHA-256 and writes a manifest.',
    `Its times include starting Node and loading its modules: ${baseline.wallS.toFixed(2)} s with a warm cache.`,
    '',
    '| full backup | wall s | CPU s | throughput | time vs cp -a |',
    '|---|---:|---:|---:|---:|',
    row('tree full', 'cp -a'),
    row('rsync -a', 'cp -a'),
    row('cp -a', 'cp -a'),
    '',
    `Full copy: the tree target takes ${(wall('tree full') / wall('rsync -a')).toFixed(2)}x the time of rsync -a (goal ≤ 0.8) and reaches ${((100 * wall('cp -a')) / wall('tree full')).toFixed(0)}% of cp -a's throughput (goal ≥ 100%).`,
    `Against rsync -a, ${roundRatios('tree full', 'rsync -a')}; against cp -a, ${roundRatios('tree full', 'cp -a')}.`,
    '',
    '| incremental (1% of files changed) | wall s | CPU s | time vs rsync --link-dest |',
    '|---|---:|---:|---:|',
    `| tree incremental | ${wall('tree incremental').toFixed(2)} | ${cpu('tree incremental').toFixed(2)} | ${(wall('tree incremental') / wall('rsync --link-dest')).toFixed(2)} |`,
    `| rsync --link-dest | ${wall('rsync --link-dest').toFixed(2)} | ${cpu('rsync --link-dest').toFixed(2)} | 1.00 |`,
    '',
    `Incremental: the tree target takes ${(wall('tree incremental') / wall('rsync --link-dest')).toFixed(2)}x the time of rsync --link-dest (goal ≤ 0.5); ${roundRatios('tree incremental', 'rsync --link-dest')}.`,
    '',
    '| peak RSS of the tree target (whole process) | MiB |',
    '|---|---:|',
    `| Node with the tree target's modules loaded, doing nothing (the floor) | ${baseline.maxRssMiB.toFixed(0)} |`,
    `| full, ${shape.files} files, ${gib.toFixed(2)} GiB | ${rss('tree full').toFixed(0)} |`,
    `| incremental, same tree | ${rss('tree incremental').toFixed(0)} |`,
    '',
    'Peak memory against the number of files, up to 1,000,000: `node bench/tree-memory.ts` (bench/results/tree-memory.md).',
    '',
  ];
  const table = lines.join('\n');
  process.stdout.write(table);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/tree.md'), table);
}

if (process.argv[2] === '--write') await writeOnce(process.argv[3]!, process.argv[4]!);
else if (process.argv[2] === '--warm') await import('../src/targets/tree/index.ts').then(() => import('../src/targets/tree/libc.ts'));
else await main();

