// Where the tree target's time goes per file (issue #18: profile before changing anything).
// Three runs of one tree target write (bench/tree.ts --write) on a generated tree: a full copy,
// an incremental with 1% of the files changed, and one with nothing changed. Each run twice:
// - `node --cpu-prof`: the CPU profile of every thread (main, copy workers, scan); self time
//   is sorted into what it was spent on, per file;
// - `strace -f -c`: syscalls of all threads, per file.
// Page cache warm (the counts, not the disk, are the point); the machine is shared, so CPU
// times are noisy while syscall counts are exact.
//
//   node bench/tree-profile.ts
//
// Environment as bench/tree.ts: STILLPOINT_BENCH_DIR (default /var/tmp/stillpoint-profile),
// STILLPOINT_BENCH_FILES (default 20000), STILLPOINT_BENCH_BYTES (default 220 MiB). Writes
// bench/results/tree-profile.md.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchSettings, changeFiles, makeTree } from './make-tree.ts';
import { LAUNCH, machineNote } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** What self time was spent on, by the function a sample was in (fs binding names for syscalls). */
const CATEGORIES: Array<[string, RegExp]> = [
  ['waiting (idle)', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['loading modules (type stripping, compiling)', /amaro|wasm-function|compileForInternalLoader|compileSourceTextModule|stripTypeScript|^Module$|#translate|require|loadESM|compileFunction/],
  ['reading and writing data (open, read, write, close)', /^(open|read|writeBuffer|writeString|close|copyFile)$/],
  ['SHA-256', /^(update|digest|Hash)$/],
  ['metadata calls (stat, chown, chmod, times, xattrs, mkdir, link)', /^(lstat|fstat|stat|fchown|lchown|chown|fchmod|chmod|mkdir|link|symlink|readlink|readdir|setTimes|readXattrs|writeXattr|list|getStatsFromBinding|lstatSync|fstatSync|readdirSync)$/],
  ['thread hops (postMessage, message delivery)', /^(postMessage|emitMessage|onmessage|receiveMessageOnPort|drainMessagePort)$/],
];
const OTHER = 'JavaScript of the walk, manifest, window and events';

/** Per thread kind: milliseconds of self time per category. */
function readProfiles(dir: string): Map<string, Map<string, number>> {
  const threads = new Map<string, Map<string, number>>();
  for (const file of readdirSync(dir).sort()) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const urls = profile.nodes.map((n) => n.callFrame.url).join(' ');
    const kind = urls.includes('copy-worker.ts') ? 'copy workers' : urls.includes('scan-worker.ts') ? 'scan' : 'main';
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const sums = threads.get(kind) ?? new Map<string, number>();
    threads.set(kind, sums);
    profile.samples.forEach((id, i) => {
      const name = byId.get(id)!.callFrame.functionName;
      const category = CATEGORIES.find(([, pattern]) => pattern.test(name))?.[0] ?? OTHER;
      sums.set(category, (sums.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
  }
  return threads;
}

/** `strace -c` summary: calls per syscall. */
function readStrace(file: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$/.exec(line);
    if (m && m[2] !== 'total') calls.set(m[2]!, Number(m[1]));
  }
  return calls;
}

const write = (target: string, source: string) => [LAUNCH, join(ROOT, 'bench/tree.ts'), '--write', target, source];

function profileRun(name: string, target: string, source: string, work: string): { threads: Map<string, Map<string, number>>; calls: Map<string, number>; files: number } {
  const profiles = join(work, `profile-${name}`);
  rmSync(profiles, { recursive: true, force: true });
  // The same state for both runs: strace's run is removed again, the profiled run is kept.
  const straceOut = join(work, `strace-${name}.txt`);
  const snapshotsBefore = new Set(readdirSafe(target));
  execFileSync('strace', ['-f', '-c', '-o', straceOut, process.execPath, ...write(target, source)], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (const n of readdirSafe(target)) if (!snapshotsBefore.has(n)) rmSync(join(target, n), { recursive: true, force: true });
  const result = JSON.parse(execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, ...write(target, source)], { encoding: 'utf8' })) as { files: number };
  return { threads: readProfiles(profiles), calls: readStrace(straceOut), files: result.files };
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function main(): void {
  const { dir, shape } = benchSettings({ dir: '/var/tmp/stillpoint-profile', files: 20_000, bytes: 220 * 1024 ** 2, seed: 1, rounds: 1 });
  const source = join(dir, 'source');
  const work = join(dir, 'work');
  const target = join(work, 'target');
  const machine = machineNote();
  makeTree(source, shape);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const bytes = Number(execFileSync('du', ['-sb', source], { encoding: 'utf8' }).split('\t')[0]);
  const runs = [{ name: 'full', ...profileRun('full', target, source, work) }];
  changeFiles(source, 0.01, 18);
  runs.push({ name: 'incremental, 1% changed', ...profileRun('incremental', target, source, work) });
  runs.push({ name: 'nothing changed', ...profileRun('unchanged', target, source, work) });

  const lines = [
    '# Where the tree target spends its time, per file',
    '',
    `Command: \`node bench/tree-profile.ts\` (${new Date().toISOString().slice(0, 16)}Z). One tree target write (\`bench/tree.ts --write\`, no CLI) of ${shape.files} files, ${(bytes / 1024 ** 2).toFixed(0)} MiB ` +
      `(bench/make-tree.ts's mix) in ${source}, page cache warm, target on the same filesystem; each run once under \`node --cpu-prof\` (every thread) and once under \`strace -f -c\`.`,
    machine(),
    'CPU profiles sample wall time on each thread: on a loaded machine a thread waiting for a core is charged to the function it was in, so the milliseconds are inflated and noisy; the syscall counts are exact.',
    '',
  ];
  for (const run of runs) {
    lines.push(`## ${run.name}`, '');
    lines.push(`| ${run.name}: µs per file (${run.files} files) | ${[...run.threads.keys()].join(' | ')} |`, `|---|${[...run.threads.keys()].map(() => '---:').join('|')}|`);
    for (const category of [...CATEGORIES.map(([c]) => c), OTHER]) {
      lines.push(`| ${category} | ${[...run.threads.values()].map((sums) => ((1000 * (sums.get(category) ?? 0)) / run.files).toFixed(0)).join(' | ')} |`);
    }
    const total = [...run.calls.values()].reduce((a, b) => a + b, 0);
    const waits = (run.calls.get('futex') ?? 0) + (run.calls.get('epoll_pwait') ?? 0);
    const top = [...run.calls].filter(([n]) => n !== 'futex' && n !== 'epoll_pwait').sort((a, b) => b[1] - a[1]).slice(0, 14);
    lines.push(
      '',
      `Syscalls, all threads: ${(total / run.files).toFixed(1)} per file, of which ${(waits / run.files).toFixed(2)} futex and epoll_pwait (threads waiting and waking each other). Per file:`,
      '',
      '| syscall | per file |',
      '|---|---:|',
      ...top.map(([n, c]) => `| ${n} | ${(c / run.files).toFixed(2)} |`),
      '',
    );
  }
  const text = lines.join('\n');
  process.stdout.write(text);
  writeFileSync(join(ROOT, 'bench/results/tree-profile.md'), text);
}

main();
