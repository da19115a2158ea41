// The one place Stillpoint starts a process: hooks, the command writer and the exec target
// all come through runProcess(). A child runs in its own process group so that a timeout or
// a cancel ends everything it started (a hook's `sleep` grandchild included), not just the
// shell. Secret arguments and environment values are revealed here, at spawn time, and only
// for the child: what is returned or passed to onLine is redacted.

import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { CommandPlan, PlanText } from '../plan/types.ts';
import { shown, type SecretStore } from './secret.ts';
import { watchStall } from './stall.ts';

export type OutputStream = 'stdout' | 'stderr';

export interface RunProcessOptions {
  /** A program and its arguments (no shell), or a string for the platform shell. */
  command: CommandPlan;
  /** Reveals SecretText in argv, env and cwd; needed when any of them holds a secret. */
  secrets?: SecretStore;
  /** Added to (and overriding) the inherited environment. */
  env?: Record<string, PlanText>;
  cwd?: PlanText;
  /** Kills the whole process group when it elapses. */
  timeoutMs?: number;
  /**
   * The stall rule: kills the whole process group when it shows no progress for `timeoutMs`.
   * Progress is any output or I/O of the group (stall.ts); with `progress`, the output lines
   * it accepts (restic, whose status lines go on while it is stuck) and I/O beyond what the
   * process prints.
   */
  stall?: { timeoutMs: number; progress?: (stream: OutputStream, line: string) => boolean };
  /** Time between SIGTERM and SIGKILL. Default 2 s. */
  killGraceMs?: number;
  signal?: AbortSignal;
  /** Text written to the child's stdin, which is then closed. */
  stdin?: string;
  /** Each complete line (without its newline), redacted. */
  onLine?: (stream: OutputStream, line: string) => void;
}

export interface ProcessResult {
  /** null when the process ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  timedOut: boolean;
  /** Ended by the stall rule. */
  stalled: boolean;
  aborted: boolean;
}

/**
 * With a caller's own progress rule, the group's I/O counts only beyond this many bytes per
 * look (stall.ts): well above what a process prints in a few seconds (restic: a status line
 * twice a second, a retry message now and then), well below one chunk of data it sends.
 */
const OUTPUT_MARGIN_BYTES = 64 * 1024;

/** How long, after the child exits, to wait for output still in the pipes. */
const OUTPUT_DRAIN_MS = 200;

/** The printable form of a command: secrets shown as ***. */
export function describeCommand(command: CommandPlan): string {
  if ('shell' in command) return shown(command.shell);
  return command.argv.map((a) => quoteForDisplay(shown(a))).join(' ');
}

function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The platform shell's argv for a command string: `sh -c`, or `cmd /c` on Windows. */
export function shellArgv(code: string, platform: NodeJS.Platform = process.platform): string[] {
  // As Node does for `shell: true`: cmd /s strips the outer quotes; the child is spawned with
  // windowsVerbatimArguments so the code reaches cmd.exe as written.
  return platform === 'win32' ? [windowsShell(), '/d', '/s', '/c', `"${code}"`] : ['/bin/sh', '-c', code];
}

function windowsShell(): string {
  return process.env.ComSpec ?? 'cmd.exe';
}

/** Thrown when the process cannot be started at all (missing program, bad cwd). */
export class SpawnError extends Error {
  readonly program: string;
  readonly code: string | undefined;

  constructor(program: string, cause: NodeJS.ErrnoException) {
    const what =
      cause.code === 'ENOENT'
        ? `${program} was not found: install it or give its full path`
        : cause.code === 'EACCES'
          ? `${program} is not executable (permission denied)`
          : cause.message;
    super(`cannot start ${program}: ${what}`);
    this.name = 'SpawnError';
    this.program = program;
    this.code = cause.code;
  }
}

export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const reveal = (text: PlanText): string => {
    if (typeof text === 'string') return text;
    if (!options.secrets) throw new Error('a secret value needs the SecretStore of its evaluation');
    return options.secrets.reveal(text);
  };
  const redact = (text: string): string => (options.secrets ? options.secrets.redact(text) : text);

  const argv = 'shell' in options.command ? shellArgv(reveal(options.command.shell)) : options.command.argv.map(reveal);
  if (argv.length === 0) throw new Error('empty command: give a program to run');
  const [program, ...args] = argv as [string, ...string[]];
  const cwd = options.cwd === undefined ? undefined : reveal(options.cwd);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(options.env ?? {})) env[name] = reveal(value);

  if (cwd !== undefined && !(await isDirectory(cwd))) {
    throw new Error(`cannot start ${shownProgram(options.command)}: the working directory ${redact(cwd)} does not exist`);
  }
  options.signal?.throwIfAborted();
  const started = performance.now();
  const child = spawn(program, args, {
    cwd,
    env,
    detached: process.platform !== 'win32',
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
    windowsVerbatimArguments: process.platform === 'win32' && program === windowsShell(),
  });

  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new SpawnError(shownProgram(options.command), error)));
  });
  try {
    await spawned;
  } catch (error) {
    // A failed spawn may still have created pipes: close them so nothing leaks.
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
    throw error;
  }

  if (options.stdin !== undefined && child.stdin) {
    child.stdin.on('error', () => {}); // the child may exit without reading it
    child.stdin.end(options.stdin);
  }

  let timedOut = false;
  let stalled = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    if (killTimer) return;
    killGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), options.killGraceMs ?? 2000);
  };
  const stall = options.stall;
  const watch =
    stall &&
    watchStall({
      timeoutMs: stall.timeoutMs,
      processGroup: process.platform === 'win32' || child.pid === undefined ? undefined : { pgid: child.pid, minBytes: stall.progress ? OUTPUT_MARGIN_BYTES : 0 },
      onStall: () => {
        stalled = true;
        terminate();
      },
    });
  const onChunk = watch && !stall.progress ? watch.progress : undefined;
  const onLine =
    watch && stall.progress
      ? (stream: OutputStream, line: string) => {
          if (stall.progress!(stream, line)) watch.progress();
          options.onLine?.(stream, line);
        }
      : options.onLine;

  const drained = Promise.all([
    pumpLines(child.stdout!, 'stdout', onLine, redact, onChunk),
    pumpLines(child.stderr!, 'stderr', onLine, redact, onChunk),
  ]);
  const timeout =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          terminate();
        }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    terminate();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (code, sig) => resolve([code, sig]));
  });
  clearTimeout(timeout);
  watch?.stop();
  options.signal?.removeEventListener('abort', onAbort);
  if (killTimer) {
    // The leader is gone; make sure the rest of its group follows before we return.
    clearTimeout(killTimer);
    killGroup(child, 'SIGKILL');
  }

  // A background grandchild may keep the pipes open: take what is there, then stop reading.
  await Promise.race([drained, new Promise((r) => setTimeout(r, OUTPUT_DRAIN_MS))]);
  child.stdout?.destroy();
  child.stderr?.destroy();
  await drained;

  return { exitCode, signal, durationMs: performance.now() - started, timedOut, stalled, aborted };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

function shownProgram(command: CommandPlan): string {
  if ('shell' in command) return shellArgv('')[0]!;
  const first = command.argv[0];
  return first === undefined ? '(nothing)' : shown(first);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      // No process groups: taskkill /T ends the tree.
      spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    } else {
      process.kill(-child.pid, signal);
    }
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function pumpLines(
  stream: NodeJS.ReadableStream,
  name: OutputStream,
  onLine: RunProcessOptions['onLine'],
  redact: (text: string) => string,
  onChunk?: () => void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const flush = (text: string) => {
    if (!onLine) return;
    onLine(name, redact(text.endsWith('\r') ? text.slice(0, -1) : text));
  };
  try {
    for await (const chunk of stream) {
      onChunk?.();
      pending += decoder.write(chunk as Buffer);
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        flush(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    }
  } catch {
    // Destroyed after the drain window: what was read is reported below.
  }
  pending += decoder.end();
  if (pending.length > 0) flush(pending);
}

/** Whether a process exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
