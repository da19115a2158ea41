// `stillpoint run`: evaluate the script (a script error prints diagnostics and exits 2 with
// nothing run), then run the lifecycle with SIGINT/SIGTERM wired to cancel it, render the
// event stream (TUI, plain lines or NDJSON) and, when asked, write the run report.

import { extname } from 'node:path';
import { cancelOnSignals } from '../engine/cancel.ts';
import { messageOf } from '../base/errors.ts';
import { runPlan } from '../engine/lifecycle.ts';
import { realParts, type EngineParts } from '../engine/parts.ts';
import type { StillpointEvent } from '../events/types.ts';
import type { SecretStore } from '../base/secret.ts';
import type { Plan } from '../plan/types.ts';
import { EXIT } from '../base/exit-codes.ts';
import { loadPlanOrReport } from './load-plan.ts';
import { createRenderer, type RenderMode } from './render/select.ts';

export interface RunCommandOptions {
  job?: string;
  dryRun?: boolean;
  json?: boolean;
  tui?: boolean;
  plain?: boolean;
  report?: string;
  /** `--import-root`: the folders imports may come from. */
  importRoot?: string[];
}

export interface RunIo {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WritableStream;
}

const processIo = (): RunIo => ({ stdout: process.stdout, stdin: process.stdin, stderr: process.stderr });

export async function runCommand(file: string, options: RunCommandOptions, io: RunIo = processIo()): Promise<number> {
  const modes = (['json', 'tui', 'plain'] as const).filter((mode) => options[mode]);
  if (modes.length > 1) {
    io.stderr.write(`stillpoint run: --${modes.join(' and --')} exclude each other; choose one\n`);
    return EXIT.usage;
  }
  if (options.report !== undefined) {
    const { REPORT_EXTENSIONS } = await import('../report/write.ts');
    if (!REPORT_EXTENSIONS.includes(extname(options.report).toLowerCase())) {
      io.stderr.write(`stillpoint run: --report ${options.report}: name the report file with ${REPORT_EXTENSIONS.join(', ')} (its extension chooses the format)\n`);
      return EXIT.usage;
    }
  }
  const started = performance.now();
  const loaded = await loadPlanOrReport(file, { job: options.job, importRoots: options.importRoot, runTime: true }, io.stderr);
  if (typeof loaded === 'number') return loaded;
  const jobs = options.job === undefined ? undefined : [options.job];
  if (jobs && !loaded.plan.jobs.some((j) => j.name === options.job)) {
    const names = loaded.plan.jobs.map((j) => `"${j.name}"`).join(', ') || 'none';
    io.stderr.write(`stillpoint run: ${file} has no job named "${options.job}" (its jobs: ${names})\n`);
    return EXIT.usage;
  }
  return executeRun({
    plan: loaded.plan,
    secrets: loaded.secrets,
    mode: modes[0] ?? 'auto',
    dryRun: options.dryRun ?? false,
    ...(jobs ? { jobs } : {}),
    ...(options.report === undefined ? {} : { reportPath: options.report }),
    planDurationMs: performance.now() - started,
    io,
  });
}

export interface ExecuteOptions {
  plan: Plan;
  secrets: SecretStore;
  mode: RenderMode;
  dryRun: boolean;
  jobs?: string[];
  reportPath?: string;
  planDurationMs?: number;
  parts?: EngineParts;
  io?: RunIo;
}

/** Runs an evaluated plan as `stillpoint run` does; returns the exit code. */
export async function executeRun(options: ExecuteOptions): Promise<number> {
  const io = options.io ?? processIo();
  using cancellation = cancelOnSignals((name, count) => {
    if (count === 2) {
      io.stderr.write(`stillpoint: ${name} again; still cleaning up (thaw, release, after-backup hooks); a third ${name} stops without finishing it\n`);
    } else if (count > 2) {
      // The way out of a cleanup that hangs (a stuck hook, a stuck device). The watchdog still
      // thaws what is frozen; the state directory still records what is not released.
      io.stderr.write(`stillpoint: ${name} a third time; stopping before the cleanup finished: run \`stillpoint cleanup\` on the script to release what is left\n`);
      process.exit(EXIT.failed);
    }
  });
  const renderer = await createRenderer({
    mode: options.mode,
    stdout: io.stdout,
    stdin: io.stdin,
    onCancel: () => cancellation.cancel('the user'),
  });
  const events: StillpointEvent[] = [];
  const sinks = options.reportPath === undefined ? [renderer] : [renderer, { emit: (event: StillpointEvent) => void events.push(event) }];
  let exitCode: number;
  try {
    const result = await runPlan({
      plan: options.plan,
      secrets: options.secrets,
      sinks,
      parts: options.parts ?? realParts,
      signal: cancellation.signal,
      dryRun: options.dryRun,
      ...(options.jobs ? { jobs: options.jobs } : {}),
      ...(options.planDurationMs === undefined ? {} : { planDurationMs: options.planDurationMs }),
      ...(options.reportPath === undefined ? {} : { reportPath: options.reportPath }),
    });
    exitCode = result.exitCode;
  } finally {
    await renderer.close();
  }
  if (options.reportPath !== undefined) {
    const { writeReport } = await import('../report/write.ts');
    try {
      await writeReport(options.reportPath, events);
    } catch (error) {
      // The backup stands, but a scheduler must learn that the report it expects is missing.
      io.stderr.write(`stillpoint run: the report could not be written to ${options.reportPath}: ${messageOf(error)}\n`);
      return exitCode === EXIT.succeeded ? EXIT.failed : exitCode;
    }
  }
  return exitCode;
}
