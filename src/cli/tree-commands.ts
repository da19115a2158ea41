// The text and exit codes of `stillpoint list`, `restore` and `verify` for a tree target.
// Loaded lazily by the command modules in src/cli/commands/.

import { EXIT } from '../base/exit-codes.ts';
import { formatBytes } from '../report/format.ts';
import { listTree } from '../targets/tree/list.ts';
import { restoreSnapshot } from '../targets/tree/restore.ts';
import { verifySnapshot } from '../targets/tree/verify.ts';

type Out = (line: string) => void;

const stdout: Out = (line) => process.stdout.write(line + '\n');
const stderr: Out = (line) => process.stderr.write(line + '\n');

async function reporting(work: () => Promise<number>, err: Out): Promise<number> {
  try {
    return await work();
  } catch (error) {
    err(`stillpoint: ${(error as Error).message}`);
    return EXIT.failed;
  }
}

export function listCommand(targetDir: string, options: { json?: boolean }, out: Out = stdout, err: Out = stderr): Promise<number> {
  return reporting(async () => {
    const { snapshots, incomplete } = await listTree(targetDir);
    if (options.json) {
      out(JSON.stringify({ target: targetDir, snapshots, incomplete }, null, 2));
      return EXIT.succeeded;
    }
    if (snapshots.length === 0) out(`${targetDir}: no complete snapshot`);
    else {
      const rows = [['SNAPSHOT', 'TIME (UTC)', 'STATUS', 'FILES', 'SIZE', 'LINKED'], ...snapshots.map((s) => [
        s.id, s.time.replace(/\.\d+Z$/, 'Z'), s.status, String(s.files), formatBytes(s.bytes), String(s.linked),
      ])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const row of rows) out(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    }
    for (const name of incomplete) out(`incomplete (not a usable snapshot): ${name}`);
    return EXIT.succeeded;
  }, err);
}

export function restoreCommand(
  targetDir: string,
  paths: string[],
  options: { snapshot?: string; to: string },
  out: Out = stdout,
  err: Out = stderr,
): Promise<number> {
  return reporting(async () => {
    const report = await restoreSnapshot(targetDir, { snapshot: options.snapshot, to: options.to, paths });
    for (const line of [...report.mismatches, ...report.problems]) err(`stillpoint: ${line}`);
    out(`restored ${report.entries} entries (${report.files} files, ${formatBytes(report.bytes)}) from ${report.snapshot} to ${options.to}`);
    if (report.entries === 0 && paths.length > 0) {
      err(`stillpoint: nothing in ${report.snapshot} matches ${paths.join(', ')}`);
      return EXIT.failed;
    }
    if (report.mismatches.length + report.problems.length > 0) {
      err(`stillpoint: ${report.mismatches.length} file(s) failed their hash check, ${report.problems.length} entr(ies) could not be restored`);
      return EXIT.failed;
    }
    return EXIT.succeeded;
  }, err);
}

export function verifyCommand(targetDir: string, options: { snapshot?: string }, out: Out = stdout, err: Out = stderr): Promise<number> {
  return reporting(async () => {
    const report = await verifySnapshot(targetDir, options.snapshot);
    for (const problem of report.problems) err(`stillpoint: ${problem}`);
    if (report.problems.length > 0) {
      err(`stillpoint: snapshot ${report.snapshot} is damaged: ${report.problems.length} problem(s) in ${report.entries} entries`);
      return EXIT.failed;
    }
    out(`snapshot ${report.snapshot} is intact: ${report.entries} entries, ${report.files} files, ${formatBytes(report.bytes)} rehashed`);
    return EXIT.succeeded;
  }, err);
}
