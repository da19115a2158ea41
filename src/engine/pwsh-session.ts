// Runs `pwsh { }` hook blocks in ONE PowerShell session per run (node-powershell), so that a
// variable set in before-snapshot is still there in after-snapshot, as in one DiskShadow
// script. The caller creates the session, passes it to every runHooks() of the run, and
// closes it at the end.
//
// Nothing from the script or the environment is pasted into PowerShell command text
// (node-powershell does not escape): each block is written to a .ps1 file and dot-sourced,
// its environment (§7, and the hook's `env`, secrets revealed) to a file that a fixed
// command reads into $env:, and its outcome comes back through a status file. A block fails
// on a terminating error or a non-zero $LASTEXITCODE, not because it wrote to stderr.
// A block that outlives its timeout or stalls (or a cancel) ends the session's process; the next block
// starts a new one, and the user is told its state was lost.

import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import type { PowerShell as PowerShellType } from 'node-powershell';
import { PACKAGE_ROOT } from '../package-layout.ts';
import type { PlanText } from '../plan/types.ts';
import type { SecretStore } from '../base/secret.ts';
import type { OutputStream, ProcessResult } from '../base/process.ts';
import { watchStall, type StallWatch } from '../base/stall.ts';

export interface PwshRunOptions {
  env: Record<string, PlanText>;
  cwd?: PlanText;
  timeoutMs?: number;
  /** The stall rule; in a session only the block's output counts as progress. */
  stall?: { timeoutMs: number };
  signal?: AbortSignal;
  secrets?: SecretStore;
  onLine?: (stream: OutputStream, line: string) => void;
}

export interface PwshSession {
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

const CHECKOUT_PWSH = join(PACKAGE_ROOT, '.tools', 'pwsh');

/** STILLPOINT_PWSH, then .tools/pwsh of this checkout, then pwsh on PATH. */
export function findPwsh(): string {
  const candidates = [process.env.STILLPOINT_PWSH, CHECKOUT_PWSH].filter((c): c is string => !!c);
  const names = process.platform === 'win32' ? ['pwsh.exe'] : ['pwsh'];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) candidates.push(join(dir, name));
  }
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

/**
 * The fixed command run for each block. Its only inputs are the three file paths, which
 * Stillpoint creates in its own private directory (they hold no quote).
 */
function blockCommand(envFile: string, blockFile: string, statusFile: string): string {
  // pwsh runs each complete statement it reads from stdin at once, so an `else` must stay on
  // the line of its `if`.
  return [
    `& { foreach ($l in [System.IO.File]::ReadAllLines('${envFile}')) { if ($l -eq '') { continue }`,
    `  $i = $l.IndexOf('='); $n = $l.Substring(0, $i); $v = $l.Substring($i + 1)`,
    `  if ($v -eq '-') { $v = $null } else { $v = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($v.Substring(1))) }`,
    `  if ($n -eq '.cwd') { [void]$ExecutionContext.SessionState.Path.SetLocation($v) } else { [System.Environment]::SetEnvironmentVariable($n, $v) } } }`,
    `$global:LASTEXITCODE = 0; $__stillpointError = $null`,
    `try { . '${blockFile}' } catch { $__stillpointError = $_ }`,
    `if ($__stillpointError) { [Console]::Error.WriteLine($__stillpointError.ToString()); [System.IO.File]::WriteAllText('${statusFile}', 'error') } else { [System.IO.File]::WriteAllText('${statusFile}', 'exit ' + $(if ($null -eq $global:LASTEXITCODE) { 0 } else { $global:LASTEXITCODE })) }`,
  ].join('\n');
}

export function createPwshSession(): PwshSession {
  let shell: PowerShellType | undefined;
  let dir: string | undefined;
  let blocks = 0;
  let lostState = false;
  /** Variables this session set last time, to unset those the next block does not have. */
  let previousNames = new Set<string>();
  let listener: ((stream: OutputStream, line: string) => void) | undefined;

  async function start(): Promise<PowerShellType> {
    const executable = findPwsh();
    const { PowerShell } = await import('node-powershell');
    dir ??= await mkdtemp(join(os.tmpdir(), 'stillpoint-pwsh-'));
    const started = new PowerShell({
      executable,
      executableOptions: { '-NoProfile': true, '-NonInteractive': true },
      throwOnInvocationError: false,
      spawnOptions: { env: process.env },
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      started.streams[stream].on('data', (chunk: string | Buffer) => {
        pending += chunk.toString();
        const lines = pending.split(/\r?\n/);
        pending = lines.pop()!;
        for (const line of lines) if (!FRAME_LINE.test(line) && listener) listener(stream, line);
      });
    }
    previousNames = new Set();
    return started;
  }

  async function end(): Promise<void> {
    const current = shell;
    shell = undefined;
    if (current) await current.dispose('SIGKILL').catch(() => {});
  }

  return {
    async run(code, options) {
      const startedAt = Date.now();
      if (!shell) {
        shell = await start();
        if (blocks > 0 && lostState) {
          options.onLine?.('stderr', 'stillpoint: a new PowerShell session was started; variables of earlier pwsh blocks of this run are gone');
        }
      }
      const session = shell;
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
        await Promise.race([session.invoke(blockCommand(envFile, blockFile, statusFile)), stopped]);
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
}
