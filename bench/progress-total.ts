// When a copy's progress gets its total (issue #18: a percentage and the time left once the tree
// target's scan is done, a scan that never delays the copy), and, in an incremental run, its
// estimate from the previous snapshot. `stillpoint run --json` of a job with the copy provider
// and one tree target over bench/tree.ts's tree, the page cache dropped before each round: full
// copies, each round's on a new filesystem as in bench/tree.ts, then incremental runs after 1%
// of the files changed.
// Per round, when the first progress with the estimate came, when the first with the scan's
// totals came and how many files were done then, and when the copy finished. A change to the
// scan is judged by the total coming sooner with the copy no slower: with
// STILLPOINT_BENCH_COMPARE=<commit>, every round also runs that commit, the order alternating,
// each with its own target and state, and the table gives each round's ratio of the two copies'
// times. Both sides then run from an export (git archive) sharing this checkout's node_modules.
//
//   node bench/progress-total.ts
//
// Environment as bench/tree.ts: STILLPOINT_BENCH_DIR, STILLPOINT_BENCH_FILES,
// STILLPOINT_BENCH_BYTES, STILLPOINT_BENCH_ROUNDS, STILLPOINT_BENCH_DROP_CACHES,
// STILLPOINT_BENCH_FRESH_TARGET; and STILLPOINT_BENCH_COMPARE. Writes
// bench/results/progress-total.md.

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { benchSettings, changeFiles, makeTree } from './make-tree.ts';
import { benchCommand, diskBytes, dropCaches, dropsCaches, freshTarget, machineNote, median, resultMarkdown, roundTarget, TREE_BENCH_SETTINGS } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
/** The environment that changes what this bench measures, named in the command it reports. */
const SETTINGS = [...TREE_BENCH_SETTINGS, 'STILLPOINT_BENCH_COMPARE'];

/** A Stillpoint to run: this checkout, or a commit (or this checkout's changes) exported beside the tree. */
interface Build {
  name: string;
  root: string;
  env: NodeJS.ProcessEnv;
}

interface Round {
  build: string;
  kind: 'full' | 'incremental';
  round: number;
  /** Seconds from the start of the process; undefined if none came. */
  estimateS: number | undefined;
  /** Seconds from the start of the process; undefined if the totals came only with the end. */
  totalS: number | undefined;
  filesAtTotal: number | undefined;
  finishedS: number;
  files: number;
}

async function runOnce(kind: Round['kind'], round: number, { name, root, env }: Build, script: string): Promise<Round> {
  dropCaches();
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const child = spawn(process.execPath, [join(root, 'bin/stillpoint.js'), 'run', '--json', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = once(child, 'close');
  let estimateS: number | undefined;
  let total: Pick<Round, 'totalS' | 'filesAtTotal'> = { totalS: undefined, filesAtTotal: undefined };
  let finished: Pick<Round, 'finishedS' | 'files'> | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { type: string; filesDone?: number; totalFiles?: number; estimatedFiles?: number; files?: number };
    if (event.type === 'copy.progress' && estimateS === undefined && event.estimatedFiles !== undefined) estimateS = seconds();
    // The last progress of every copy carries its own counts as the totals: not the scan's.
    if (event.type === 'copy.progress' && total.totalS === undefined && event.totalFiles !== undefined && event.filesDone! < event.totalFiles) {
      total = { totalS: seconds(), filesAtTotal: event.filesDone };
    }
    if (event.type === 'copy.finished') finished = { finishedS: seconds(), files: event.files! };
  }
  const [code] = (await closed) as [number | null];
  if (code !== 0 || !finished) throw new Error(`stillpoint run ${script} ended with ${code}`);
  return { build: name, kind, round, estimateS, ...total, ...finished };
}

const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();

/** The Stillpoint in `root`, with a state folder of its own under `dir`. */
function build(name: string, root: string, dir: string): Build {
  return { name, root, env: { ...process.env, STILLPOINT_STATE_DIR: join(dir, `progress-state-${name}`) } };
}

/** A job that backs `source` up with the copy provider into a tree target at `target`; its file's path. */
function jobScript(dir: string, name: string, source: string, target: string): string {
  const script = join(dir, `progress-${name}.still`);
  writeFileSync(script, `job progress {\n  volume ${JSON.stringify(source)}\n  provider copy\n  target tree ${JSON.stringify(target)}\n}\n`);
  return script;
}

/** `commit` of this repository as a tree of its own under `dir`, using this checkout's node_modules. */
function exportCommit(commit: string, dir: string): string {
  const root = join(dir, `build-${commit}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'export', ROOT, commit, root]);
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  return root;
}

async function main(): Promise<void> {
  const { dir, shape, rounds } = benchSettings({ dir: '/var/tmp/stillpoint-bench', files: 50_000, bytes: 2.25 * 1024 ** 3, seed: 1, rounds: 3 });
  const machine = machineNote();
  const source = join(dir, 'source');
  console.error(`generating ${shape.files} files in ${source} (kept for the next run)`);
  makeTree(source, shape);
  const sourceBytes = diskBytes(source);
  const compare = process.env.STILLPOINT_BENCH_COMPARE;
  // Compared, this checkout is exported too (its changes with it, through `git stash create`):
  // run from here, its incremental runs, whose code did not differ, were 1.053x the export's
  // (slower in 7 of 8 rounds); both exported, 0.994x (bench/results/tree-profile.md, tenth round).
  const thisCommit = compare && (git('stash', 'create') || git('rev-parse', 'HEAD'));
  const builds = [build('this', thisCommit ? exportCommit(thisCommit, dir) : ROOT, dir), ...(compare ? [build(compare, exportCommit(compare, dir), dir)] : [])];
  const script = (b: Build, out: string) => jobScript(dir, b.name, source, join(out, b.name));
  const results: Round[] = [];
  const measure = async (kind: Round['kind'], round: number, out: string) => {
    // The order alternates, so that neither build always runs on what the other left warm or busy.
    for (const b of round % 2 ? builds : [...builds].reverse()) {
      const result = await runOnce(kind, round, b, script(b, out));
      console.error(`${b.name}, ${kind}: estimate after ${result.estimateS?.toFixed(2) ?? '-'} s, total after ${result.totalS?.toFixed(2) ?? '(only at the end)'} s, copy finished after ${result.finishedS.toFixed(2)} s`);
      results.push(result);
    }
  };
  for (let round = 1; round <= rounds; round++) {
    using target = roundTarget(join(dir, 'progress-out'), sourceBytes);
    await measure('full', round, target.dir);
  }
  {
    using target = roundTarget(join(dir, 'progress-out'), sourceBytes);
    // Each build's first backup, untimed: what the incremental runs link to.
    for (const b of builds) await runOnce('full', 0, b, script(b, target.dir));
    for (let round = 1; round <= rounds; round++) {
      changeFiles(source, 0.01, 300 + round);
      await measure('incremental', round, target.dir);
    }
  }

  const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
  const seconds = (s: number | undefined, r: Round) => (s === undefined ? '' : `${s.toFixed(2)} s (${percent(s, r.finishedS)} of the run)`);
  const rows = results.map(
    (r) =>
      `| ${r.round} | ${r.build} | ${r.kind === 'full' ? 'full' : 'incremental, 1% changed'} | ${seconds(r.estimateS, r) || 'none'} | ${seconds(r.totalS, r) || 'only at the end'} | ` +
      `${r.filesAtTotal === undefined ? '' : `${r.filesAtTotal} (${percent(r.filesAtTotal, r.files)})`} | ${r.finishedS.toFixed(2)} s |`,
  );
  const summary = builds.flatMap(({ name }) =>
    (['full', 'incremental'] as const).map((kind) => {
      const of = results.filter((r) => r.kind === kind && r.build === name);
      const estimated = of.filter((r) => r.estimateS !== undefined);
      const early = of.filter((r) => r.totalS !== undefined);
      return (
        `Medians, ${name}, ${kind}: ${estimated.length ? `the estimate after ${median(estimated.map((r) => r.estimateS!)).toFixed(2)} s (${estimated.length} of ${of.length} rounds), ` : 'no estimate, '}` +
        `the total after ${early.length ? `${median(early.map((r) => r.totalS!)).toFixed(2)} s` : '-'} (in ${early.length} of ${of.length} rounds before the end), ` +
        `the copy finished after ${median(of.map((r) => r.finishedS)).toFixed(2)} s.`
      );
    }),
  );
  const ratios = compare
    ? (['full', 'incremental'] as const).map((kind) => {
        const finished = (name: string, round: number) => results.find((r) => r.kind === kind && r.build === name && r.round === round)!.finishedS;
        const each = Array.from({ length: rounds }, (_, i) => finished('this', i + 1) / finished(compare, i + 1));
        return (
          `${kind}: this checkout's copy time (exported as ${thisCommit}) over ${compare}'s, round by round: ${each.map((x) => x.toFixed(3)).join(', ')}; ` +
          `median ${median(each).toFixed(3)}x, faster in ${each.filter((x) => x < 1).length} of ${rounds}.`
        );
      })
    : [];
  const table = [
    '| round | build | run | the estimate came after | the total came after | files done then | the copy finished after |',
    '|---:|---|---|---|---|---:|---:|',
    ...rows,
    '',
    ...summary,
    ...(ratios.length ? ['', ...ratios] : []),
  ].join('\n');
  const text = resultMarkdown(
    'Tree target: when a copy knows its total',
    `Command: \`${benchCommand('bench/progress-total.ts', SETTINGS)}\` (${new Date().toISOString().slice(0, 16)}Z). Full copies of ${shape.files} files, ` +
      `${(shape.bytes / 1024 ** 3).toFixed(2)} GiB (bench/make-tree.ts), then incremental runs after 1% of them changed, through \`stillpoint run --json\` (copy provider, one tree target), ` +
      `${dropsCaches ? 'the page cache dropped before each round' : 'the page cache not dropped (not root, or STILLPOINT_BENCH_DROP_CACHES=0)'}, ` +
      `${freshTarget ? "each round's full copies on a new ext4 image (loop device, direct I/O), the incremental runs on one of their own after an untimed first backup" : 'the copies in a folder next to the source, emptied each round'}; ` +
      'times from the start of the process. When the scan starts: src/targets/tree/write.ts.',
    machine(),
    table,
  );
  writeFileSync(join(ROOT, 'bench/results/progress-total.md'), text);
  console.log(text);
}

await main();
