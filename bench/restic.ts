// The restic target against bare `restic backup` of the same data, in the same run (issue 9:
// the target's overhead must stay under 10%).
//
//   node bench/restic.ts
//
// Each round, each side backs up the same generated tree into its own FRESH repository
// (initialized untimed just before), so both sides do the same work: a first backup with no
// parent, every byte chunked, compressed, encrypted and written. The side that goes first
// alternates between rounds. The target runs as the engine runs it: a Node process that loads
// the target, reads restic's JSON status lines into progress events and its summary into the
// result, and (as root) bind-mounts the "snapshot" over the volume's root in a private mount
// namespace so that restic stores the original paths; so its time includes starting Node and
// that namespace. Bare restic reads the same folder directly with the same --json output.
// Page cache dropped before every measured command (as root), so both read from disk.
//
// Environment: STILLPOINT_BENCH_DIR (default /var/tmp/stillpoint-bench-restic; never the repo),
// STILLPOINT_BENCH_FILES (default 20000), STILLPOINT_BENCH_BYTES (default 1.25 GiB),
// STILLPOINT_BENCH_ROUNDS (default 3).

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchSettings, makeTree } from './make-tree.ts';
import { benchChild, dropsCaches, machineNote, measureCold, median, type Measure } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const PASSWORD = 'bench-password';

/** Child mode: one restic-target write, as the engine calls it. */
async function writeOnce(repository: string, readPath: string, volumeRoot: string): Promise<void> {
  const { createResticTarget } = await import('../src/targets/restic/restic.ts');
  const { SecretStore } = await import('../src/base/secret.ts');
  const secrets = new SecretStore();
  const target = createResticTarget({ kind: 'restic', repository, password: secrets.add(PASSWORD), tags: [], args: [], stallTimeoutMs: 600_000, origin: 'bench' }, secrets);
  let progress = 0;
  const result = await target.write(
    [{ volume: volumeRoot, root: volumeRoot, readPath, include: [], exclude: [], excludeSystemFiles: false, oneFileSystem: false }],
    {
      runId: 'bench',
      job: 'bench',
      hostname: 'bench',
      started: new Date(),
      signal: new AbortController().signal,
      ignoreReadErrors: false,
      snapshots: [],
      env: {},
      progress: () => progress++,
      skipped: () => {},
      warn: (message) => process.stderr.write(`warning: ${message}\n`),
      output: () => {},
    },
  );
  process.stdout.write(JSON.stringify({ ...result, progress }) + '\n');
}

const resticEnv = (repository: string) => ({ ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD });

async function main(): Promise<void> {
  const { dir: base, shape, rounds } = benchSettings({ dir: '/var/tmp/stillpoint-bench-restic', files: 20_000, bytes: 1.25 * 1024 ** 3, seed: 9, rounds: 3 });
  const source = join(base, 'source');
  // The volume's root the target maps the "snapshot" (source) onto, as it does for a real one.
  const volumeRoot = join(base, 'volume');
  mkdirSync(volumeRoot, { recursive: true });
  process.stderr.write(`generating ${shape.files} files, ${(shape.bytes / 1024 ** 3).toFixed(2)} GiB under ${source}\n`);
  makeTree(source, shape);
  const version = execFileSync('restic', ['version'], { encoding: 'utf8' }).trim();
  const machine = machineNote();
  const started = new Date().toISOString().slice(0, 16) + 'Z';

  const results: Record<'target' | 'bare', Measure[]> = { target: [], bare: [] };
  for (let round = 0; round < rounds; round++) {
    const order: Array<'target' | 'bare'> = round % 2 === 0 ? ['target', 'bare'] : ['bare', 'target'];
    for (const side of order) {
      const repository = join(base, `repo-${side}`);
      rmSync(repository, { recursive: true, force: true });
      execFileSync('restic', ['init', '--quiet'], { env: resticEnv(repository), stdio: 'ignore' });
      const argv =
        side === 'target'
          ? benchChild(join(ROOT, 'bench/restic.ts'), '--write', repository, source, volumeRoot)
          : ['restic', 'backup', '--json', '--host', 'bench', source];
      const warm = benchChild(join(ROOT, 'bench/restic.ts'), '--warm');
      const measured = measureCold(argv, warm, resticEnv(repository));
      results[side].push(measured);
      process.stderr.write(`round ${round + 1} ${side}: ${measured.wallS.toFixed(2)} s wall, ${measured.cpuS.toFixed(2)} s CPU\n`);
    }
  }
  for (const side of ['target', 'bare'] as const) rmSync(join(base, `repo-${side}`), { recursive: true, force: true });

  const wall = { target: median(results.target.map((m) => m.wallS)), bare: median(results.bare.map((m) => m.wallS)) };
  const cpu = { target: median(results.target.map((m) => m.cpuS)), bare: median(results.bare.map((m) => m.cpuS)) };
  const gib = shape.bytes / 1024 ** 3;
  const overhead = (wall.target / wall.bare - 1) * 100;
  // Both sides of a round ran back to back under about the same load: their ratio is steadier.
  const pairedWall = median(results.target.map((m, i) => m.wallS / results.bare[i]!.wallS));
  const pairedCpu = median(results.target.map((m, i) => m.cpuS / results.bare[i]!.cpuS));
  const report = `# restic target benchmark

Command: \`node bench/restic.ts\` (${started}). ${version}.
Source: ${shape.files} files, ${gib.toFixed(2)} GiB, incompressible (70% up to 8 KiB, 25% up to 128 KiB, 4.5% up to 1 MiB, 0.5% large), generated by bench/make-tree.ts under ${source}; repositories on the same filesystem.
Fairness: every round, each side backs up into its own fresh repository (initialized untimed), so both do a full first backup with no parent; the side that goes first alternates. Page cache ${dropsCaches ? 'dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) before every measured command, then both programs (Node with the target\'s modules, restic) loaded untimed, so the data is read from disk and the programs are not' : 'NOT dropped (not root)'}.
The target side is a Node process that loads the target and runs \`restic backup --json\` under a private mount namespace with the source bind-mounted over the volume's root (as for a real snapshot, so restic stores the original path), reading every JSON line; its times include starting Node and loading the target (warm cache) and the namespace. Bare restic: \`restic backup --json --host bench SOURCE\`.
Medians of ${rounds} rounds. ${machine()}

| ${gib.toFixed(2)} GiB, first backup | wall s | CPU s | throughput | wall vs bare restic | CPU vs bare restic |
|---|---:|---:|---:|---:|---:|
| restic target | ${wall.target.toFixed(2)} | ${cpu.target.toFixed(2)} | ${((gib * 1024) / wall.target).toFixed(0)} MiB/s | ${(wall.target / wall.bare).toFixed(3)} | ${(cpu.target / cpu.bare).toFixed(3)} |
| bare restic backup | ${wall.bare.toFixed(2)} | ${cpu.bare.toFixed(2)} | ${((gib * 1024) / wall.bare).toFixed(0)} MiB/s | 1.000 | 1.000 |

Overhead of the target (median wall time): ${overhead.toFixed(1)}% (goal < 10%: ${overhead < 10 ? 'met' : 'NOT met'}).
Median of the per-round ratios (target / bare, same round): wall ${pairedWall.toFixed(3)}, CPU ${pairedCpu.toFixed(3)}.
Every round (wall s, target / bare): ${results.target.map((m, i) => `${m.wallS.toFixed(2)} / ${results.bare[i]!.wallS.toFixed(2)}`).join('; ')}.
Every round (CPU s, target / bare): ${results.target.map((m, i) => `${m.cpuS.toFixed(2)} / ${results.bare[i]!.cpuS.toFixed(2)}`).join('; ')}.
`;
  process.stdout.write(report);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/restic.md'), report);
}

if (process.argv[2] === '--write') await writeOnce(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else if (process.argv[2] === '--warm') {
  await import('../src/targets/restic/restic.ts');
  execFileSync('restic', ['version'], { stdio: 'ignore' });
} else await main();
