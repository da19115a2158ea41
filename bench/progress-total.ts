// When a full copy's progress gets its total (issue #18: a percentage and the time left once the
// tree target's scan is done, a scan that never delays the copy). `stillpoint run --json` of a
// job with the copy provider and one tree target over bench/tree.ts's tree, the target emptied
// and the page cache dropped before each round; per round, when the first progress with the
// totals came, how many files were done then, and when the copy finished. A change to the scan
// is judged by the total coming sooner with the copy no slower.
//
//   node bench/progress-total.ts
//
// Environment as bench/tree.ts: STILLPOINT_BENCH_DIR, STILLPOINT_BENCH_FILES,
// STILLPOINT_BENCH_BYTES, STILLPOINT_BENCH_ROUNDS, STILLPOINT_BENCH_DROP_CACHES.
// Writes bench/results/progress-total.md.

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { benchSettings, makeTree } from './make-tree.ts';
import { dropsCaches, machineNote, median, resultMarkdown } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
/** The environment that changes what this bench measures, named in the command it reports. */
const SETTINGS = ['STILLPOINT_BENCH_DIR', 'STILLPOINT_BENCH_FILES', 'STILLPOINT_BENCH_BYTES', 'STILLPOINT_BENCH_ROUNDS', 'STILLPOINT_BENCH_DROP_CACHES'];

interface Round {
  /** Seconds from the start of the process; undefined if the totals came only with the end. */
  totalS: number | undefined;
  filesAtTotal: number | undefined;
  finishedS: number;
  files: number;
}

async function runOnce(script: string, env: NodeJS.ProcessEnv): Promise<Round> {
  execFileSync('sync');
  if (dropsCaches) writeFileSync('/proc/sys/vm/drop_caches', '3');
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const child = spawn(process.execPath, [join(ROOT, 'bin/stillpoint.js'), 'run', '--json', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = once(child, 'close');
  let total: Pick<Round, 'totalS' | 'filesAtTotal'> = { totalS: undefined, filesAtTotal: undefined };
  let finished: Pick<Round, 'finishedS' | 'files'> | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { type: string; filesDone?: number; totalFiles?: number; files?: number };
    // The last progress of every copy carries its own counts as the totals: not the scan's.
    if (event.type === 'copy.progress' && total.totalS === undefined && event.totalFiles !== undefined && event.filesDone! < event.totalFiles) {
      total = { totalS: seconds(), filesAtTotal: event.filesDone };
    }
    if (event.type === 'copy.finished') finished = { finishedS: seconds(), files: event.files! };
  }
  const [code] = (await closed) as [number | null];
  if (code !== 0 || !finished) throw new Error(`stillpoint run ${script} ended with ${code}`);
  return { ...total, ...finished };
}

async function main(): Promise<void> {
  const { dir, shape, rounds } = benchSettings({ dir: '/var/tmp/stillpoint-bench', files: 50_000, bytes: 2.25 * 1024 ** 3, seed: 1, rounds: 3 });
  const machine = machineNote();
  const source = join(dir, 'source');
  console.error(`generating ${shape.files} files in ${source} (kept for the next run)`);
  makeTree(source, shape);
  const target = join(dir, 'progress-out');
  const script = join(dir, 'progress.still');
  writeFileSync(script, `job progress {\n  volume ${JSON.stringify(source)}\n  provider copy\n  target tree ${JSON.stringify(target)}\n}\n`);
  const env = { ...process.env, STILLPOINT_STATE_DIR: join(dir, 'progress-state') };
  const results: Round[] = [];
  for (let round = 1; round <= rounds; round++) {
    rmSync(target, { recursive: true, force: true });
    const result = await runOnce(script, env);
    console.error(`round ${round}: total after ${result.totalS?.toFixed(2) ?? '(only at the end)'} s, copy finished after ${result.finishedS.toFixed(2)} s`);
    results.push(result);
  }
  rmSync(target, { recursive: true, force: true });

  const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
  const rows = results.map(
    (r, i) =>
      `| ${i + 1} | ${r.totalS === undefined ? 'only at the end' : `${r.totalS.toFixed(2)} s (${percent(r.totalS, r.finishedS)} of the run)`} | ` +
      `${r.filesAtTotal === undefined ? '' : `${r.filesAtTotal} (${percent(r.filesAtTotal, r.files)})`} | ${r.finishedS.toFixed(2)} s |`,
  );
  const early = results.filter((r) => r.totalS !== undefined);
  const summary =
    `Medians: the total after ${early.length ? `${median(early.map((r) => r.totalS!)).toFixed(2)} s` : '-'} ` +
    `(in ${early.length} of ${results.length} rounds before the end), the copy finished after ${median(results.map((r) => r.finishedS)).toFixed(2)} s.`;
  const table = ['| round | the total came after | files done then | the copy finished after |', '|---:|---|---:|---:|', ...rows, '', summary].join('\n');
  const command = `${SETTINGS.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]} `).join('')}node bench/progress-total.ts`;
  const text = resultMarkdown(
    'Tree target: when a full copy knows its total',
    `Command: \`${command}\` (${new Date().toISOString().slice(0, 16)}Z). A full copy of ${shape.files} files, ` +
      `${(shape.bytes / 1024 ** 3).toFixed(2)} GiB (bench/make-tree.ts) through \`stillpoint run --json\` (copy provider, one tree target), ` +
      `${dropsCaches ? 'the page cache dropped before each round' : 'the page cache not dropped (not root, or STILLPOINT_BENCH_DROP_CACHES=0)'}; ` +
      'times from the start of the process. The scan starts after 2 s of copying (src/targets/tree/write.ts).',
    machine(),
    table,
  );
  writeFileSync(join(ROOT, 'bench/results/progress-total.md'), text);
  console.log(text);
}

await main();
