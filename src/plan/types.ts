// The Plan: plain data, the only thing the engine reads (DESIGN.md). Its JSON Schema is
// plan.schema.json beside this file; the two are kept in step by test/plan/schema.test.ts.
//
// Durations are milliseconds, sizes bytes. Any text that came from `secret(...)` is a
// SecretText: the Plan carries only its redacted form and an id; the value itself stays in
// the SecretStore of the evaluation and never reaches JSON (src/base/secret.ts).

export const PLAN_VERSION = 1;

export interface SecretText {
  /** Id of the value in the evaluation's SecretStore. */
  secret: string;
  /** The text with every secret part shown as ***. */
  shown: string;
}

/** Text that may hold a secret. */
export type PlanText = string | SecretText;

/** `snapshot_paths`: one argument per readable snapshot path, known only at run time. */
export interface SnapshotPathsArg {
  snapshotPaths: true;
}

export type ArgvItem = PlanText | SnapshotPathsArg;

/** Where in a script a thing was declared: "file:line:col". */
export type Origin = string;

export type BackupType = 'full' | 'incremental' | 'differential' | 'copy';

export type ProviderName = 'vss' | 'wmi' | 'btrfs' | 'lvm' | 'zfs' | 'fsfreeze' | 'copy';

export type ProviderPlan =
  | {
      name: 'vss';
      context: 'backup' | 'file-share-backup';
      includeWriters: string[];
      excludeWriters: string[];
      requireWriters: string[];
      providerId?: string;
      timeoutMs: number;
      origin: Origin;
    }
  | { name: 'wmi'; origin: Origin }
  | { name: 'btrfs'; snapshotDir: string; origin: Origin }
  | { name: 'lvm'; size: { percent: number } | { bytes: number }; origin: Origin }
  | { name: 'zfs'; origin: Origin }
  | { name: 'fsfreeze'; origin: Origin }
  | { name: 'copy'; retries: number; retryDelayMs: number; origin: Origin };

export interface VolumePlan {
  /** As written (after evaluation): a path, or a drive such as "C:". */
  path: string;
  include: string[];
  exclude: string[];
  origin: Origin;
}

export interface QuiescePlan {
  idleMs: number;
  withinMs: number;
  onTimeout: 'proceed' | 'fail';
}

/** A program and its arguments (no shell), or a string for the platform shell. */
export type CommandPlan = { argv: PlanText[] } | { shell: PlanText };

interface WriterCommon {
  name: string;
  /** Each step's own timeout. */
  timeoutMs: number;
  /** true: a veto or failure fails the snapshot set; false: reported, the set goes on. */
  required: boolean;
  origin: Origin;
}

export type WriterPlan =
  | (WriterCommon & { kind: 'sqlite'; path: string })
  | (WriterCommon & { kind: 'postgres'; url: PlanText; backupMode: boolean })
  | (WriterCommon & {
      kind: 'process';
      select: { pidFile: string } | { pid: number } | { cgroup: string };
    })
  | (WriterCommon & {
      kind: 'command';
      /** The stall rule of each command (`stall-timeout`). */
      stallTimeoutMs: number;
      prepare?: CommandPlan;
      freeze?: CommandPlan;
      thaw?: CommandPlan;
      postSnapshot?: CommandPlan;
      backupComplete?: CommandPlan;
    });

export type WriterKind = WriterPlan['kind'];

export type HookStage =
  | 'before-backup'
  | 'before-snapshot'
  | 'during-freeze'
  | 'after-snapshot'
  | 'after-backup'
  | 'on-error';

export type HookAction =
  | { kind: 'run'; argv: ArgvItem[] }
  | { kind: 'sh' | 'pwsh' | 'cmd'; code: string };

export interface HookPlan {
  stage: HookStage;
  actions: HookAction[];
  timeoutMs: number;
  /** The stall rule of each action (`stall-timeout`). */
  stallTimeoutMs: number;
  allowFailure: boolean;
  cwd?: PlanText;
  env: Record<string, PlanText>;
  origin: Origin;
}

export interface KeepPlan {
  last?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
}

export type TargetPlan =
  | { kind: 'tree'; path: string; keep?: KeepPlan; origin: Origin }
  | {
      kind: 'restic';
      repository: PlanText;
      password?: PlanText;
      tags: string[];
      args: PlanText[];
      keep?: KeepPlan;
      /** The stall rule (`stall-timeout`). */
      stallTimeoutMs: number;
      origin: Origin;
    }
  | { kind: 'exec'; program: PlanText; args: ArgvItem[]; stallTimeoutMs: number; origin: Origin };

export type TargetKind = TargetPlan['kind'];

export type MonitorEvent = 'start' | 'success' | 'partial' | 'failure';

export interface MonitorPlan {
  kind: 'healthchecks' | 'webhook' | 'textfile';
  /** A URL (healthchecks, webhook) or a file path (textfile). */
  location: PlanText;
  on: MonitorEvent[];
  origin: Origin;
}

export interface JobPlan {
  name: string;
  origin: Origin;
  volumes: VolumePlan[];
  /** Job-wide globs, relative to each volume root. */
  exclude: string[];
  include: string[];
  excludeSystemFiles: boolean;
  oneFileSystem: boolean;
  ignoreReadErrors: boolean;
  backupType: BackupType;
  /** In the order they are tried. */
  providers: ProviderPlan[];
  quiesce?: QuiescePlan;
  freezeTimeoutMs: number;
  snapshotTimeoutMs: number;
  /** In order. */
  writers: WriterPlan[];
  hooks: HookPlan[];
  hookEnv: 'stillpoint' | 'r-drive';
  targets: TargetPlan[];
  /** 5-field cron expressions. */
  schedules: string[];
  monitors: MonitorPlan[];
}

export interface Plan {
  planVersion: typeof PLAN_VERSION;
  /** The script the plan was evaluated from, as given on the command line. */
  script: string;
  platform: 'windows' | 'linux' | 'darwin';
  hostname: string;
  runId: string;
  /** ISO-8601 UTC: the value of `started` while evaluating. */
  started: string;
  jobs: JobPlan[];
}
