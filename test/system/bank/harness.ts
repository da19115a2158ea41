// The bank proof's moving parts, shared by test/system/bank.test.ts and bench/: the workload
// process, the script that backs it up, and the CLI as a user runs it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBooks, type Books } from './books.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const WORKLOAD = join(REPO, 'test/system/bank/workload.ts');
const CONTROL = join(REPO, 'test/system/bank/control.ts');
export const ACCOUNTS = 20;
export const OPENING = 1000;

export interface Bank {
  dbPath: string;
  socket: string;
  process: ChildProcess;
  /** Stops the workload; resolves with the number of transfers it made. */
  stop(): Promise<number>;
}

export async function startBank(dbPath: string, socket: string): Promise<Bank> {
  const child = spawn(process.execPath, [WORKLOAD, dbPath, socket, String(ACCOUNTS), String(OPENING)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (text: string) => {
      output += text;
      if (output.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the bank workload exited with ${code} before it was ready`)));
  });
  return {
    dbPath,
    socket,
    process: child,
    stop: () =>
      new Promise<number>((resolve) => {
        if (child.exitCode !== null) return resolve(Number(/transfers (\d+)/.exec(output)?.[1] ?? 0));
        child.once('exit', () => resolve(Number(/transfers (\d+)/.exec(output)?.[1] ?? 0)));
        child.kill('SIGTERM');
      }),
  };
}

export interface BankScriptOptions {
  volume: string;
  socket: string;
  target: string;
  /** Pause/resume the bank through a `command` writer. */
  writer: boolean;
  /** Another command writer whose freeze never returns. */
  hangingWriter?: boolean;
  freezeTimeout?: string;
}

export function writeBankScript(file: string, options: BankScriptOptions): void {
  const control = (request: string) => `"${process.execPath}", "${CONTROL}", "${options.socket}", "${request}"`;
  const lines = [
    'job "bank" {',
    `  volume "${options.volume}"`,
    '  provider btrfs',
    ...(options.freezeTimeout ? [`  freeze-timeout ${options.freezeTimeout}`] : []),
    ...(options.writer ? ['  writer "bank" command {', `    freeze ${control('pause')}`, `    thaw ${control('resume')}`, '  }'] : []),
    ...(options.hangingWriter ? ['  writer "stuck" command {', '    freeze "sleep", "600"', '  }'] : []),
    `  target tree "${options.target}"`,
    '}',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** `node bin/stillpoint.js ...` as a user runs it. */
export function stillpoint(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): CliResult {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(REPO, 'bin/stillpoint.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, durationMs: performance.now() - started };
}

/** The NDJSON events of a `run --json`. */
export function events(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });
}

/** Restores one snapshot of a tree target into `to` and reads the bank's books there. */
export function restoredBooks(target: string, snapshot: string, to: string): Books {
  const restore = stillpoint(['restore', target, '--snapshot', snapshot, '--to', to]);
  if (restore.status !== 0) throw new Error(`restore of ${snapshot} failed (${restore.status}): ${restore.stderr}`);
  const db = findFile(to, 'bank.db');
  if (!db) throw new Error(`the restored snapshot ${snapshot} holds no bank.db`);
  return readBooks(db);
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === name) return path;
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** The ids of a tree target's complete snapshots, oldest first. */
export function snapshotIds(target: string): string[] {
  const list = stillpoint(['list', target, '--json']);
  if (list.status !== 0) throw new Error(`list failed: ${list.stderr}`);
  return (JSON.parse(list.stdout) as { snapshots: Array<{ id: string }> }).snapshots.map((s) => s.id);
}
