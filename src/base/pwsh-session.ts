// Runs `pwsh { }` hook blocks in ONE PowerShell session per run (node-powershell), so that a
// variable set in before-snapshot is still there in after-snapshot, as in one DiskShadow
// script. The caller creates the session (which starts PowerShell at once), passes it to
// every runHooks() of the run, and closes it at the end.
//
// Nothing from the script or the environment is pasted into PowerShell command text
// (node-powershell does not escape): each block is written to a .ps1 file that pwsh-block.ps1
// dot-sources, its environment (§7, and the hook's `env`, secrets revealed) to a file that
// script reads into $env:, and its outcome comes back through a status file. What fails a
// block, and how its output and errors are written, is said in pwsh-block.ps1.
// A block that outlives its timeout or stalls (or a cancel) ends the session's process; the next block
// starts a new one, and the user is told its state was lost.

import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { PowerShell as PowerShellType } from 'node-powershell';
import { PACKAGE_ROOT, shippedFile } from '../package-layout.ts';
import type { PlanText } from '../plan/types.ts';
import type { SecretStore } from './secret.ts';
import type { OutputStream, ProcessResult } from './process.ts';
import { watchStall, type StallWatch } from './stall.ts';

export interface PwshRunOptions {
  env: Record<string, PlanText>;
  cwd?: PlanText;
  timeoutMs?: number;
  /** The stall rule; in a session only the block's output counts as progress. */
  stall?: { timeoutMs: number };
  signal?: AbortSignal;
  secrets?: SecretStore;
  onLine?: (stream: OutputStream, line: string) => void;
  /** FILE:LINE of the block's first line in the .still file, for its error messages. */
  source?: string;
}

export interface PwshSession {
  /** Resolves once PowerShell has started (or failed to start: run() then says why). */
  ready(): Promise<void>;
  /** Runs one block of PowerShell code in the run's session. */
  run(code: string, options: PwshRunOptions): Promise<ProcessResult>;
  close(): Promise<void>;
}

/** Thrown when no PowerShell can be found: says where it was looked for. */
export class PwshMissing extends Error {
  constructor(looked: string[]) {
    super(
      `pwsh { } needs PowerShell, which was not found (looked at ${looked.join(', ')} and on PATH): ` +
        'run scripts/install-pwsh.sh, install PowerShell 7, or set STILLPOINT_PWSH to its path',
    );
    this.name = 'PwshMissing';
  }
}

// scripts/install-pwsh.sh's .NET tool; on Windows the tool's program is pwsh.exe.
const CHECKOUT_PWSH = join(PACKAGE_ROOT, '.tools', process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');

/** STILLPOINT_PWSH, then .tools/pwsh of this checkout, then pwsh on PATH. */
export function findPwsh(): string {
  const candidates = [process.env.STILLPOINT_PWSH, CHECKOUT_PWSH].filter((c): c is string => !!c);
  // Windows PowerShell 5.1 when there is no PowerShell 7 (docs/language.md).
  const names = process.platform === 'win32' ? ['pwsh.exe', 'powershell.exe'] : ['pwsh'];
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) for (const dir of dirs) candidates.push(join(dir, name));
  const found = candidates.find(isExecutable);
  if (!found) throw new PwshMissing([process.env.STILLPOINT_PWSH, CHECKOUT_PWSH].filter((c): c is string => !!c));
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** child-shell frames each invocation with lines of 16 characters from this alphabet. */
const FRAME_LINE = /^[0-9A-Za-z]{16}$/;

/** Runs one block: see the script for the files it reads and writes. */
const BLOCK_SCRIPT = shippedFile('base/pwsh-block.ps1');

/** A single-quoted PowerShell string (Stillpoint's own paths; a quote is doubled all the same). */
function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The one line sent for each block. pwsh reading commands from stdin runs a statement that
 * spans lines only after an empty line, and node-powershell never sends one: so the block
 * never travels on stdin, only this single statement does.
 */
function blockCommand(dir: string, n: number): string {
  return `. ${quoted(BLOCK_SCRIPT)} ${quoted(dir)} ${n}`;
}

/**
 * The session's environment: no terminal, so that neither PowerShell nor the programs it
 * starts write colours or cursor movements into the hook output.
 */
function sessionEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, TERM: 'dumb', NO_COLOR: '1' };
}

/** Where the session runs its first command; `$PSStyle` exists from PowerShell 7.2. */
const SESSION_SETUP = "if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }; $ProgressPreference = 'SilentlyContinue'";

/**
 * Starts PowerShell at once, so that its start-up (seconds) overlaps the stages before the
 * snapshot: the lifecycle awaits ready() before the freeze, and no block waits for it there.
 */
export function createPwshSession(): PwshSession {
  let shell: Promise<PowerShellType | Error> | undefined;
  let dir: string | undefined;
  let blocks = 0;
  let lostState = false;
  /** Variables this session set last time, to unset those the next block does not have. */
  let previousNames = new Set<string>();
  let listener: ((stream: OutputStream, line: string) => void) | undefined;

  async function start(): Promise<PowerShellType | Error> {
    try {
      const executable = findPwsh();
      const { PowerShell } = await import('node-powershell');
      dir ??= await mkdtemp(join(os.tmpdir(), 'stillpoint-pwsh-'));
      const started = new PowerShell({
        executable,
        // Bypass: Windows may forbid the .ps1 files the session dot-sources (its own and the blocks).
        executableOptions: { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' },
        throwOnInvocationError: false,
        spawnOptions: { env: sessionEnvironment() },
      });
      for (const stream of ['stdout', 'stderr'] as const) {
        let pending = '';
        started.streams[stream].on('data', (chunk: string | Buffer) => {
          pending += chunk.toString();
          const lines = pending.split(/\r?\n/);
          pending = lines.pop()!;
          for (const raw of lines) {
            const line = stripVTControlCharacters(raw);
            if (!FRAME_LINE.test(line) && listener) listener(stream, line);
          }
        });
      }
      previousNames = new Set();
      await started.invoke(SESSION_SETUP);
      // An empty block, so that the first real one does not pay for compiling pwsh-block.ps1
      // and loading what it uses (about a second): that one may run inside the freeze.
      await writeFile(join(dir, 'env-0'), '', { mode: 0o600 });
      await writeFile(join(dir, 'block-0.ps1'), '', { mode: 0o600 });
      await started.invoke(blockCommand(dir, 0));
      return started;
    } catch (error) {
      return error as Error;
    }
  }

  async function end(): Promise<void> {
    const current = await shell;
    shell = undefined;
    if (current && !(current instanceof Error)) await current.dispose('SIGKILL').catch(() => {});
  }

  const session: PwshSession = {
    async ready() {
      shell ??= start();
      await shell;
    },

    async run(code, options) {
      const startedAt = Date.now();
      if (!shell) {
        shell = start();
        if (blocks > 0 && lostState) {
          options.onLine?.('stderr', 'stillpoint: a new PowerShell session was started; variables of earlier pwsh blocks of this run are gone');
        }
      }
      const current = await shell;
      if (current instanceof Error) {
        shell = undefined;
        throw current;
      }
      const n = ++blocks;
      const envFile = join(dir!, `env-${n}`);
      const blockFile = join(dir!, `block-${n}.ps1`);
      const statusFile = join(dir!, `status-${n}`);
      const names = new Set(Object.keys(options.env));
      const encode = (value: string) => `:${Buffer.from(value, 'utf8').toString('base64')}`;
      const reveal = (text: PlanText) => (options.secrets ? options.secrets.reveal(text) : typeof text === 'string' ? text : text.shown);
      const lines = [
        ...[...names].map((name) => `${name}=${encode(reveal(options.env[name]!))}`),
        ...[...previousNames].filter((name) => !names.has(name)).map((name) => `${name}=-`),
      ];
      if (options.cwd !== undefined) lines.push(`.cwd=${encode(reveal(options.cwd))}`);
      if (options.source !== undefined) lines.push(`.source=${encode(options.source)}`);
      previousNames = names;
      await writeFile(envFile, lines.join('\n') + '\n', { mode: 0o600 });
      await writeFile(blockFile, code + '\n', { mode: 0o600 });

      const redact = (line: string) => (options.secrets ? options.secrets.redact(line) : line);
      let timer: NodeJS.Timeout | undefined;
      let watch: StallWatch | undefined;
      let outcome: 'done' | 'timeout' | 'stalled' | 'aborted' = 'done';
      listener = (stream, line) => {
        watch?.progress();
        options.onLine?.(stream, redact(line));
      };
      const stopped = new Promise<void>((resolve) => {
        if (options.stall) {
          watch = watchStall({
            timeoutMs: options.stall.timeoutMs,
            onStall: () => {
              outcome = 'stalled';
              resolve();
            },
          });
        }
        if (options.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            outcome = 'timeout';
            resolve();
          }, options.timeoutMs);
        }
        options.signal?.addEventListener('abort', () => {
          outcome = 'aborted';
          resolve();
        }, { once: true });
        if (options.signal?.aborted) {
          outcome = 'aborted';
          resolve();
        }
      });
      try {
        await Promise.race([current.invoke(blockCommand(dir!, n)), stopped]);
      } finally {
        clearTimeout(timer);
        watch?.stop();
        listener = undefined;
        await rm(envFile, { force: true });
        await rm(blockFile, { force: true });
      }
      const durationMs = Date.now() - startedAt;
      if (outcome !== 'done') {
        lostState = true;
        await end();
        return { exitCode: null, signal: 'SIGKILL', durationMs, timedOut: outcome === 'timeout', stalled: outcome === 'stalled', aborted: outcome === 'aborted' };
      }
      const status = await readFile(statusFile, 'utf8').catch(() => undefined);
      await rm(statusFile, { force: true });
      if (status === undefined) {
        // The block ended the PowerShell process itself (`[Environment]::Exit`, a crash).
        lostState = true;
        await end();
        return { exitCode: 1, signal: null, durationMs, timedOut: false, stalled: false, aborted: false };
      }
      const exitCode = status === 'error' ? 1 : Number(status.slice('exit '.length)) || 0;
      return { exitCode, signal: null, durationMs, timedOut: false, stalled: false, aborted: false };
    },

    async close() {
      await end();
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
  void session.ready();
  return session;
}
