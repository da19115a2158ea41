// Why writers exist: the bank workload (each transfer two transactions, withdraw then deposit)
// backed up with the btrfs provider, once with no writer (crash-consistent only: an atomic
// snapshot, but maybe between the two transactions) and once with the `command` writer that
// pauses the bank between transfers. Every backup is restored through the CLI and its books
// checked. Reports the fraction of backups whose books do not balance, side by side.
//
//   node bench/bank-consistency.ts [backups-per-mode=20]
//
// Needs root and btrfs-progs. Prints a markdown table and writes bench/results/bank-consistency.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineNote } from './measure.ts';
import { createLoopFilesystem } from '../test/providers/support/loop-filesystem.ts';
import { ACCOUNTS, OPENING, restoredBooks, snapshotIds, startBank, stillpoint, writeBankScript } from '../test/system/bank/harness.ts';

const BACKUPS = Number(process.argv[2] ?? 20);
const machine = machineNote();

const fs = createLoopFilesystem('btrfs', 768);
const work = mkdtempSync(join(tmpdir(), 'sp-bench-bank-'));
const volume = join(fs.mountPoint, 'bank');
execFileSync('btrfs', ['subvolume', 'create', volume], { stdio: 'ignore' });
const bank = await startBank(join(volume, 'bank.db'), join(work, 'control.sock'));
try {
  const results: Array<{ mode: string; unbalanced: number; medianRunMs: number; worstGap: number }> = [];
  for (const writer of [false, true]) {
    const mode = writer ? 'with the `command` writer (pause between transfers)' : 'no writer (crash-consistent btrfs snapshot only)';
    const target = join(work, writer ? 'with-writer' : 'no-writer');
    const script = join(work, `${writer}.still`);
    writeBankScript(script, { volume, socket: bank.socket, target, writer });
    const runMs: number[] = [];
    for (let i = 0; i < BACKUPS; i++) {
      const run = stillpoint(['run', script, '--json'], { STILLPOINT_STATE_DIR: join(work, 'state') });
      if (run.status !== 0) throw new Error(`run failed (${run.status}): ${run.stderr}`);
      runMs.push(run.durationMs);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 100));
    }
    let unbalanced = 0;
    let worstGap = 0;
    for (const [i, id] of snapshotIds(target).entries()) {
      const to = join(work, `restored-${writer}-${i}`);
      mkdirSync(to);
      const books = restoredBooks(target, id, to);
      const gap = Math.abs(books.total - ACCOUNTS * OPENING);
      if (gap !== 0) unbalanced++;
      worstGap = Math.max(worstGap, gap);
    }
    runMs.sort((a, b) => a - b);
    results.push({ mode, unbalanced, medianRunMs: runMs[Math.floor(runMs.length / 2)]!, worstGap });
  }
  const transfers = await bank.stop();
  const table = [
    `Bank workload (${ACCOUNTS} accounts, ${transfers} transfers during the bench), ${BACKUPS} backups per mode with \`stillpoint run\`, btrfs provider on a loop device, each restored with \`stillpoint restore\`.`,
    '',
    '| backups | unbalanced restored backups | fraction | largest imbalance | median `stillpoint run` ms |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.mode} | ${r.unbalanced} / ${BACKUPS} | ${(r.unbalanced / BACKUPS).toFixed(2)} | ${r.worstGap} | ${r.medianRunMs.toFixed(0)} |`),
    '',
    'Reproduce: `node bench/bank-consistency.ts` (root). The workload waits 0-2 ms between a',
    "transfer's withdrawal and its deposit (the application's own work); the fraction without a",
    'writer depends on that share of time.',
    '',
    machine(),
  ].join('\n');
  console.log(table);
  writeFileSync(join(import.meta.dirname, 'results', 'bank-consistency.md'), `# bench/bank-consistency.ts\n\n${table}\n`);
} finally {
  await bank.stop();
  fs.destroy();
  rmSync(work, { recursive: true, force: true });
}
