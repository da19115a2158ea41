// Plans built by hand for engine tests: the same shape the evaluator produces, with the
// defaults of LANGUAGE.md §4.

import type { HookPlan, JobPlan, Plan, ProviderPlan, TargetPlan, WriterPlan } from '../../../src/plan/types.ts';

export function copyProvider(): ProviderPlan {
  return { name: 'copy', retries: 1, retryDelayMs: 10, origin: 'test.still:1:1' };
}

export function treeTarget(path: string, keep?: { last?: number }): TargetPlan {
  return { kind: 'tree', path, ...(keep ? { keep } : {}), origin: 'test.still:2:1' };
}

export function commandWriter(name: string, required = true): WriterPlan {
  return { kind: 'command', name, timeoutMs: 2000, stallTimeoutMs: 2000, required, origin: 'test.still:3:1' };
}

let hookLine = 10;
export function shHook(stage: HookPlan['stage'], code: string, options: Partial<HookPlan> = {}): HookPlan {
  return { stage, actions: [{ kind: 'sh', code }], timeoutMs: 10_000, stallTimeoutMs: 10_000, allowFailure: false, env: {}, origin: `test.still:${hookLine++}:3`, ...options };
}

export function job(name: string, volumes: string[], rest: Partial<JobPlan> = {}): JobPlan {
  return {
    name,
    origin: 'test.still:1:1',
    volumes: volumes.map((path) => ({ path, include: [], exclude: [], origin: 'test.still:1:5' })),
    exclude: [],
    include: [],
    excludeSystemFiles: true,
    oneFileSystem: true,
    ignoreReadErrors: false,
    backupType: 'full',
    providers: [copyProvider()],
    freezeTimeoutMs: 10_000,
    snapshotTimeoutMs: 600_000,
    writers: [],
    hooks: [],
    hookEnv: 'stillpoint',
    targets: [],
    schedules: [],
    monitors: [],
    ...rest,
  };
}

let runs = 0;
export function plan(jobs: JobPlan[]): Plan {
  runs += 1;
  return {
    planVersion: 1,
    script: 'test.still',
    platform: 'linux',
    hostname: 'testhost',
    runId: `run-${process.pid}-${runs}`,
    started: new Date().toISOString(),
    jobs,
  };
}
