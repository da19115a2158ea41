// The freeze window (writers frozen -> thawed) with the btrfs provider and an SQLite writer,
// while the bank workload writes continuously: `stillpoint run` as a user runs it, the window
// read from its freeze.ended events. Next to it, in the same run, the same window glued by
// hand: the sqlite3 shell holding `BEGIN IMMEDIATE` while it runs `btrfs subvolume snapshot
// -r` (what a cron script without Stillpoint does), and the snapshot command alone (the floor
// of that script). Goal: Stillpoint's p99 under 100 ms.
//
//   node bench/freeze-window.ts [runs=50]
//
// Needs root, btrfs-progs, sqlite3. Prints a markdown table and writes bench/results/freeze-window.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineNote } from './measure.ts';
import { createLoopFilesystem } from '../test/providers/support/loop-filesystem.ts';
import { events, startBank, stillpoint } from '../test/system/bank/harness.ts';

const RUNS = Number(process.argv[2] ?? 50);
const machine = machineNote();

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fs = createLoopFilesystem('btrfs', 512);
const work = mkdtempSync(join(tmpdir(), 'sp-bench-freeze-'));
const volume = join(fs.mountPoint, 'bank');
execFileSync('btrfs', ['subvolume', 'create', volume], { stdio: 'ignore' });
const bank = await startBank(join(volume, 'bank.db'), join(work, 'control.sock'));
try {
  const script = join(work, 'freeze.still');
  writeFileSync(
    script,
    `job "freeze-bench" {
  volume "${volume}"
  provider btrfs
  writer "bank" sqlite "${join(volume, 'bank.db')}"
  target tree "${join(work, 'backups')}" { keep last 2 }
}
`,
  );
  const stillpointMs: number[] = [];
  /** The window after the writer's freeze step: the btrfs snapshot ioctl and the thaw. */
  const afterFreezeMs: number[] = [];
  const freezeStepMs: number[] = [];
  const glueMs: number[] = [];
  const snapshotMs: number[] = [];
  const snapshotsDir = join(fs.mountPoint, 'manual');
  execFileSync('mkdir', ['-p', snapshotsDir]);
  for (let i = 0; i < RUNS; i++) {
    const run = stillpoint(['run', script, '--json'], { STILLPOINT_STATE_DIR: join(work, 'state') });
    if (run.status !== 0) throw new Error(`run ${i + 1} failed (${run.status}): ${run.stderr}\n${run.stdout.slice(-2000)}`);
    const all = events(run.stdout);
    const ended = all.find((e) => e.type === 'freeze.ended') as { windowMs: number; time: string } | undefined;
    const frozen = all.find((e) => e.type === 'writer.state' && e.state === 'frozen');
    if (!ended || !frozen) throw new Error(`run ${i + 1} reported no freeze window`);
    stillpointMs.push(ended.windowMs);
    const opened = all.find((e) => e.type === 'freeze.started');
    // The writer's freeze step: mostly waiting for the application's commit in flight.
    freezeStepMs.push(Date.parse(String(frozen.time)) - Date.parse(String(opened!.time)));
    // From the writer's freeze done to the window's end: the snapshot and the thaw.
    afterFreezeMs.push(Date.parse(String(ended.time)) - Date.parse(String(frozen.time)));

    // By hand: the lock is held from BEGIN IMMEDIATE until ROLLBACK, around the snapshot command.
    const glued = join(snapshotsDir, `glue-${i}`);
    let started = performance.now();
    const glue = spawnSync('sqlite3', [join(volume, 'bank.db'), '.timeout 30000', 'BEGIN IMMEDIATE;', `.system btrfs subvolume snapshot -r ${volume} ${glued} >/dev/null`, 'ROLLBACK;'], { encoding: 'utf8' });
    glueMs.push(performance.now() - started);
    if (glue.status !== 0) throw new Error(`the hand-glued freeze failed: ${glue.stderr}`);
    execFileSync('btrfs', ['subvolume', 'delete', glued], { stdio: 'ignore' });

    const bare = join(snapshotsDir, `bare-${i}`);
    started = performance.now();
    execFileSync('btrfs', ['subvolume', 'snapshot', '-r', volume, bare], { stdio: 'ignore' });
    snapshotMs.push(performance.now() - started);
    execFileSync('btrfs', ['subvolume', 'delete', bare], { stdio: 'ignore' });
  }
  const transfers = await bank.stop();
  const p50 = percentile(stillpointMs, 50);
  const row = (name: string, values: number[]) =>
    `| ${name} | ${percentile(values, 50).toFixed(1)} | ${percentile(values, 99).toFixed(1)} | ${(percentile(values, 50) / p50).toFixed(2)} |`;
  const table = [
    `Freeze window under continuous writes (bank workload, ${transfers} transfers during the bench), btrfs on a loop device, ${RUNS} runs each, milliseconds.`,
    '',
    '| freeze window | p50 ms | p99 ms | p50 ratio to Stillpoint |',
    '|---|---|---|---|',
    row('`stillpoint run`: sqlite writer frozen -> thawed (freeze.ended windowMs)', stillpointMs),
    row('of which the sqlite freeze step: BEGIN IMMEDIATE, waiting out the commit in flight (event times)', freezeStepMs),
    row('of which after the writer froze: snapshot ioctl + thaw (event times, 1 ms resolution)', afterFreezeMs),
    row('by hand: one `sqlite3` call: BEGIN IMMEDIATE; `.system btrfs subvolume snapshot -r`; ROLLBACK (whole call, includes waiting for the lock)', glueMs),
    row('floor of the hand-made script: `btrfs subvolume snapshot -r` alone', snapshotMs),
    '',
    `Goal: Stillpoint p99 < 100 ms: ${percentile(stillpointMs, 99) < 100 ? 'met' : 'NOT met'}. The five longest windows: ${[...stillpointMs].sort((a, b) => b - a).slice(0, 5).join(', ')} ms.`,
    '',
    'Reproduce: `node bench/freeze-window.ts` (root). The table is one run.',
    '',
    machine(),
  ].join('\n');
  console.log(table);
  writeFileSync(join(import.meta.dirname, 'results', 'freeze-window.md'), `# bench/freeze-window.ts\n\n${table}\n`);
} finally {
  await bank.stop();
  fs.destroy();
  rmSync(work, { recursive: true, force: true });
}
