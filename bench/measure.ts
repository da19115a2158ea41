// What the benchmarks share: medians, timing a whole command from a cold page cache, and
// the sentence that says what machine a result came from and how busy it was.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createLoopFilesystem } from '../test/providers/support/loop-filesystem.ts';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Measure {
  wallS: number;
  /** user + system, the command and its children. */
  cpuS: number;
  maxRssMiB: number;
  /** What the command printed. */
  stdout: string;
}

/** Dropping the page cache needs root (STILLPOINT_BENCH_DROP_CACHES=0 turns it off); without it data may be read warm. */
/** Starts a bench's TypeScript child as the installed CLI starts: compile cache first (bench/launch.mjs). */
export const LAUNCH = join(import.meta.dirname, 'launch.mjs');

/** The command that runs a bench's TypeScript `file` as a child, through LAUNCH. */
export function benchChild(file: string, ...args: string[]): string[] {
  return [process.execPath, LAUNCH, file, ...args];
}

export const dropsCaches = (process.env.STILLPOINT_BENCH_DROP_CACHES ?? (process.getuid?.() === 0 ? '1' : '0')) === '1';

/** Writes back what is dirty, then drops the page cache (when dropsCaches). */
export function dropCaches(): void {
  execFileSync('sync');
  if (dropsCaches) writeFileSync('/proc/sys/vm/drop_caches', '3');
}

/** Whether each round's copies go on a new filesystem (STILLPOINT_BENCH_FRESH_TARGET, default 1 as root); why: bench/tree.ts. */
export const freshTarget = (process.env.STILLPOINT_BENCH_FRESH_TARGET ?? (process.getuid?.() === 0 ? '1' : '0')) === '1';

/** What `path` takes on its disk, in bytes. */
export function diskBytes(path: string): number {
  return Number(execFileSync('du', ['-s', '--block-size=1', path], { encoding: 'utf8' }).split('\t')[0]);
}

/**
 * Where one round's copies go: with freshTarget a new ext4 image, loop-mounted, big enough for
 * three copies of a source of `sourceDiskBytes` and two incrementals; or `folder`, emptied.
 * Removed with the round.
 */
export function roundTarget(folder: string, sourceDiskBytes: number): { dir: string } & Disposable {
  if (freshTarget) {
    const sizeMiB = Math.ceil((3.5 * sourceDiskBytes) / 1024 ** 2) + 512;
    const loop = createLoopFilesystem('ext4', sizeMiB, { under: dirname(folder), forTiming: true });
    return { dir: loop.mountPoint, [Symbol.dispose]: () => loop.destroy() };
  }
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder);
  return { dir: folder, [Symbol.dispose]: () => rmSync(folder, { recursive: true, force: true }) };
}

/** The environment that changes what a bench over bench/make-tree.ts's tree measures (make-tree.ts, and above). */
export const TREE_BENCH_SETTINGS = ['STILLPOINT_BENCH_DIR', 'STILLPOINT_BENCH_FILES', 'STILLPOINT_BENCH_BYTES', 'STILLPOINT_BENCH_ROUNDS', 'STILLPOINT_BENCH_DROP_CACHES', 'STILLPOINT_BENCH_FRESH_TARGET'];

/** The command that reproduces a bench: `node <file>` after the settings of the environment it ran with. */
export function benchCommand(file: string, settings: string[]): string {
  return `${settings.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]} `).join('')}node ${file}`;
}

/**
 * Times one command with GNU time. The page cache is dropped first, then `warm` runs untimed
 * to load the command's own programs, so that what is read cold is the data alone.
 */
export function measureCold(argv: string[], warm: string[], env: NodeJS.ProcessEnv = process.env): Measure {
  dropCaches();
  execFileSync(warm[0]!, warm.slice(1), { stdio: 'ignore' });
  const timed = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %U %S %M', ...argv], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const line = timed.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (timed.status !== 0 || !line) throw new Error(`${argv.join(' ')} failed (${timed.status}):\n${timed.stderr}`);
  const [wall, user, sys, rssKiB] = line.split(' ').slice(1).map(Number) as [number, number, number, number];
  return { wallS: wall, cpuS: user + sys, maxRssMiB: rssKiB / 1024, stdout: timed.stdout };
}

/**
 * Call when a benchmark starts; the function it returns gives, at the end, the machine and its
 * one-minute load average at both ends. The figures are printed, not judged: the start value
 * still carries whatever ran in the minute before, and the benchmark's own work raises the
 * end value, so only a load well above the number of CPUs says that other work shared them.
 */
export function machineNote(): () => string {
  const before = loadavg()[0]!;
  return () =>
    `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ` +
    `Node ${process.versions.node}; load average ${before.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`;
}

/** CPU time (user + system, ms) of this process's waited-for children so far: Linux's /proc, in clock ticks of 10 ms. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall and CPU time (ms) of one whole process, start to exit; it must exit 0. */
export function timeOnce(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { wall: number; cpu: number } {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(argv[0]!, argv.slice(1), options);
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: childrenCpuMs() - cpuBefore };
}

/**
 * Whole processes side by side: each command once untimed (a user's first run: it fills the
 * file cache and Node's compile cache), then `rounds` rounds in which the commands take turns,
 * so that a change in the machine's load touches all of them alike. The median wall and CPU
 * time (ms) of each, by name.
 */
export function interleavedMedians(commands: Record<string, string[]>, rounds: number, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Record<string, { wall: number; cpu: number }> {
  const times: Record<string, { wall: number; cpu: number }[]> = {};
  for (const [name, argv] of Object.entries(commands)) {
    timeOnce(argv, options);
    times[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, argv] of Object.entries(commands)) times[name]!.push(timeOnce(argv, options));
  }
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, { wall: median(t.map((x) => x.wall)), cpu: median(t.map((x) => x.cpu)) }]));
}

/** A result file: title, how it was measured, the machine, the table. */
export function resultMarkdown(title: string, how: string, machine: string, table: string): string {
  return [`# ${title}`, '', how, machine, '', table, ''].join('\n');
}
