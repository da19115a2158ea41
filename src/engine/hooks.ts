// Hooks (LANGUAGE.md §4.3): each hook's actions run in order, with the environment of §7,
// under the hook's timeout (which ends the whole process group), and their output streams
// into events. A failing hook fails the job, unless it allows failure or runs in a stage
// that is reported only (after-backup, on-error). The caller picks the hooks of a stage and
// calls runHooks in the order of LANGUAGE.md §5.

import { randomUUID } from 'node:crypto';
import { expandSnapshotPaths } from '../plan/argv.ts';
import type { HookAction, HookPlan, HookStage, PlanText } from '../plan/types.ts';
import type { SecretStore } from '../base/secret.ts';
import type { StillpointEventBody } from '../events/types.ts';
import { hookEnvironment, type HookEnvInput } from './hook-env.ts';
import { runProcess, shellArgv, type OutputStream, type ProcessResult } from '../base/process.ts';
import { createPwshSession, type PwshSession } from '../base/pwsh-session.ts';
import { StallError } from '../base/stall.ts';

/** What the hook environment is made of (hook-env.ts), and what a hook run needs besides. */
export interface HookRunContext extends HookEnvInput {
  /** The snapshot set, for before-snapshot, during-freeze and after-snapshot. */
  setId?: string;
  secrets: SecretStore;
  signal: AbortSignal;
  emit(body: StillpointEventBody): void;
  /** The run's PowerShell session; one is made for this call (and closed) when absent. */
  pwsh?: PwshSession;
}

/** A hook failed in a stage where that fails the job. */
export class HookFailure extends Error {
  readonly stage: HookStage;
  readonly origin: string;
  /** null when it was killed (timeout) or could not start. */
  readonly exitCode: number | null;

  constructor(stage: HookStage, origin: string, exitCode: number | null, message: string) {
    super(message);
    this.name = 'HookFailure';
    this.stage = stage;
    this.origin = origin;
    this.exitCode = exitCode;
  }
}

/** Stages whose failures are reported only (§4.3). */
const REPORTED_ONLY: ReadonlySet<HookStage> = new Set(['after-backup', 'on-error']);

interface ActionOutcome {
  result?: ProcessResult;
  /** Why it could not start (missing interpreter, missing cwd). */
  startError?: string;
}

export async function runHooks(hooks: HookPlan[], context: HookRunContext): Promise<void> {
  const ownSession = context.pwsh === undefined && hooks.some((h) => h.actions.some((a) => a.kind === 'pwsh'));
  const pwsh = context.pwsh ?? (ownSession ? createPwshSession() : undefined);
  try {
    for (const hook of hooks) await runHook(hook, { ...context, pwsh });
  } finally {
    if (ownSession) await pwsh!.close();
  }
}

async function runHook(hook: HookPlan, context: HookRunContext): Promise<void> {
  const env: Record<string, PlanText> = {
    ...hookEnvironment(context),
    ...hook.env,
  };
  const deadline = performance.now() + hook.timeoutMs;
  for (const action of hook.actions) {
    context.signal.throwIfAborted();
    const hookId = randomUUID().slice(0, 8);
    context.emit({
      type: 'hook.started',
      hookId,
      stage: context.stage,
      action: action.kind,
      ...(context.setId === undefined ? {} : { setId: context.setId }),
      origin: hook.origin,
    });
    const onLine = (stream: OutputStream, line: string) => context.emit({ type: 'hook.output', hookId, stream, line });
    const outcome = await runAction(action, {
      origin: hook.origin,
      env,
      cwd: hook.cwd,
      timeoutMs: Math.max(0, deadline - performance.now()),
      stallTimeoutMs: hook.stallTimeoutMs,
      context,
      onLine,
    });
    if (outcome.result?.aborted) {
      finished(context, hookId, outcome, 'failed', 'cancelled');
      context.signal.throwIfAborted();
    }
    if (!outcome.startError && outcome.result?.exitCode === 0) {
      finished(context, hookId, outcome, 'succeeded');
      continue;
    }

    const why = failureText(action, hook, outcome);
    const allowed = hook.allowFailure || REPORTED_ONLY.has(context.stage);
    const status = outcome.result?.timedOut ? 'timed-out' : outcome.result?.stalled ? 'stalled' : allowed ? 'allowed-failure' : 'failed';
    finished(context, hookId, outcome, status, why);
    if (!allowed) throw new HookFailure(context.stage, hook.origin, outcome.result?.exitCode ?? null, why);
    if (!hook.allowFailure || outcome.result?.timedOut || outcome.result?.stalled) {
      context.emit({ type: 'warning', message: `${context.stage} hook at ${hook.origin} failed (reported only): ${why}` });
    }
    // The rest of this hook's actions depended on this one: go on with the next hook.
    return;
  }
}

function finished(
  context: HookRunContext,
  hookId: string,
  outcome: ActionOutcome,
  status: 'succeeded' | 'failed' | 'allowed-failure' | 'timed-out' | 'stalled',
  error?: string,
): void {
  const result = outcome.result;
  context.emit({
    type: 'hook.finished',
    hookId,
    stage: context.stage,
    exitCode: result?.exitCode ?? null,
    ...(result?.signal ? { signal: result.signal } : {}),
    durationMs: Math.round(result?.durationMs ?? 0),
    status,
    ...(error === undefined ? {} : { error }),
  });
}

function failureText(action: HookAction, hook: HookPlan, outcome: ActionOutcome): string {
  const what = `${hook.stage} hook at ${hook.origin} (${action.kind})`;
  if (outcome.startError) return `${what} could not start: ${outcome.startError}`;
  const result = outcome.result!;
  if (result.timedOut) return `${what} timed out after ${hook.timeoutMs} ms and was killed with its child processes`;
  if (result.stalled) return new StallError(what, hook.stallTimeoutMs, ' with its child processes: no output and no data read or written').message;
  if (result.signal) return `${what} was killed by ${result.signal}`;
  return `${what} exited with code ${result.exitCode}`;
}

interface ActionRun {
  /** The hook's origin, FILE:LINE:COLUMN. */
  origin: string;
  env: Record<string, PlanText>;
  cwd?: PlanText;
  timeoutMs: number;
  stallTimeoutMs: number;
  context: HookRunContext;
  onLine: (stream: OutputStream, line: string) => void;
}

/** FILE:LINE of a block's code, from the hook's FILE:LINE:COLUMN and the code's line. */
function sourceOf(action: HookAction, origin: string): { source?: string } {
  if (!('line' in action) || action.line === undefined) return {};
  return { source: `${origin.replace(/:\d+:\d+$/, '')}:${action.line}` };
}

async function runAction(action: HookAction, run: ActionRun): Promise<ActionOutcome> {
  const { context } = run;
  const common = {
    env: run.env,
    cwd: run.cwd,
    timeoutMs: run.timeoutMs,
    stall: { timeoutMs: run.stallTimeoutMs },
    signal: context.signal,
    secrets: context.secrets,
    onLine: run.onLine,
  };
  try {
    switch (action.kind) {
      case 'run':
        return { result: await runProcess({ ...common, command: { argv: expandSnapshotPaths(action.argv, context.snapshotPaths, `${context.stage} hooks`) } }) };
      case 'sh':
        return { result: await runProcess({ ...common, command: { argv: ['/bin/sh', '-c', action.code] } }) };
      case 'cmd':
        if (process.platform !== 'win32') {
          return { startError: 'cmd { } needs cmd.exe, which exists only on Windows: use sh { } or run here' };
        }
        return { result: await runProcess({ ...common, command: { argv: shellArgv(action.code, 'win32') } }) };
      case 'pwsh':
        return { result: await context.pwsh!.run(action.code, { ...common, ...sourceOf(action, run.origin) }) };
    }
  } catch (error) {
    if (context.signal.aborted) throw error;
    return { startError: context.secrets.redact((error as Error).message) };
  }
}

