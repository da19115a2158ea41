// What every keyword of a .still file means, where it may stand and what it takes.
//
// The parser is generic (ast.ts): every statement but `let`, `if` and `for` is a Setting.
// This catalog is the one source of truth for the vocabulary. The evaluator checks
// statements against it, the language server reads it for completion and hover, the
// grammar generator reads its word lists, and docs/language.md is generated from it.
// Plain data only: nothing here may import the evaluator.

import type { Expr, Setting, Statement } from './ast.ts';
import type { HookStage, MonitorEvent, ProviderName, TargetKind, WriterKind } from '../plan/types.ts';

/** The types a script value can have (LANGUAGE.md §2). */
export type ValueType = 'string' | 'number' | 'percent' | 'duration' | 'size' | 'bool' | 'none' | 'list';

/** One item of a statement's arguments. */
export type ArgItem =
  /** Any expression whose value has one of these types. */
  | { kind: 'value'; name: string; types: readonly ValueType[] }
  /** A bare word from a fixed set (`btrfs`, `last`); a string expression with that text also works. */
  | { kind: 'word'; name: string; words: readonly string[]; /** What a word is, for messages: "provider", "hook stage". */ noun: string }
  /** A bare word or a string: job and writer names. */
  | { kind: 'name'; name: string };

/** How a statement's arguments are written (ast.ts `Setting.args`: comma groups of items). */
export type ArgShape =
  | { kind: 'none' }
  /** `[bool]`: written bare it means true. */
  | { kind: 'flag' }
  /** Exactly one item. */
  | { kind: 'one'; item: ArgItem }
  /** `item, item, ...`: one or more; list values are flattened. */
  | { kind: 'list'; item: ArgItem }
  /** `key N, key N`: each key at most once. */
  | { kind: 'pairs'; keys: readonly string[]; value: ValueType }
  /**
   * Space-separated items in the first group, then optional `, more` groups of one item
   * each (`hook STAGE run "prog", "arg"`). Items marked optional may be left out at the end.
   */
  | { kind: 'sequence'; items: readonly ArgItem[]; optionalFrom?: number; more?: ArgItem }
  /** `NAME = expr`. */
  | { kind: 'assignment'; value: ArgItem };

/** Which block a statement's `{ ... }` body is. */
export type BlockKind =
  | 'file'
  | 'job'
  | 'volume'
  | `provider:${ProviderName}`
  | 'quiesce'
  | `writer:${WriterKind}`
  | 'hook'
  | `target:${TargetKind}`
  | 'monitor';

export type BodySpec =
  | { kind: 'none' }
  | { kind: 'block'; block: BlockKind; required: boolean }
  /** The block's kind depends on a word among the arguments: `provider vss { ... }` is `provider:vss`. */
  | { kind: 'block-by-word'; family: 'provider' | 'writer' | 'target'; itemIndex: number; required: false }
  /** A raw `sh`/`pwsh`/`cmd` code block, captured verbatim. */
  | { kind: 'raw'; required: boolean }
  /** `hook`: a hook block, or a raw block after a short-form `sh`/`pwsh`/`cmd` action. */
  | { kind: 'hook' };

export interface StatementSpec {
  keyword: string;
  /** How it is written, for hover and docs: `freeze-timeout DURATION`. */
  syntax: string;
  args: ArgShape;
  body: BodySpec;
  /** May appear more than once in one block. */
  repeatable: boolean;
  /**
   * Job statements only: how a job's own statement combines with the same statement from
   * `defaults`. `replace`: the job's wins; `append`: the default's items come first, then the job's.
   */
  merge?: 'replace' | 'append';
  /** The value when the statement is left out, as a reader would write it. */
  default?: string;
  /** One paragraph for hover, completion and docs/language.md. */
  doc: string;
}

export interface BlockSpec {
  kind: BlockKind;
  /** Where the block appears, for docs: `provider vss { ... }`. */
  title: string;
  /** Where a statement of this block stands, for messages: "in a job", "at the top level". */
  where: string;
  doc: string;
  statements: readonly StatementSpec[];
}

// ---------------------------------------------------------------- word lists

export interface WordSpec<W extends string = string> {
  name: W;
  doc: string;
}

export const PROVIDERS: readonly (WordSpec<ProviderName> & { where: string })[] = [
  { name: 'vss', where: 'Windows', doc: 'Volume Shadow Copy Service through its COM API; application writers are notified and can be selected.' },
  { name: 'wmi', where: 'Windows', doc: '`Win32_ShadowCopy.Create` through PowerShell/CIM; no writer selection.' },
  { name: 'btrfs', where: 'Linux', doc: 'A read-only subvolume snapshot (ioctl): atomic, no freeze needed.' },
  { name: 'lvm', where: 'Linux', doc: '`lvcreate --snapshot` of the logical volume, mounted read-only.' },
  { name: 'zfs', where: 'Linux', doc: '`zfs snapshot`, read through `.zfs/snapshot`.' },
  { name: 'fsfreeze', where: 'Linux', doc: 'Freezes the filesystem (FIFREEZE) while `during-freeze` hooks run (a cloud-disk snapshot, say), then thaws; bounded by `freeze-timeout`.' },
  { name: 'copy', where: 'anywhere', doc: 'No snapshot: a conventional copy of the live files in two phases; files locked or changed during the copy are retried, then reported.' },
];

export const WRITER_KINDS: readonly (WordSpec<WriterKind> & { argument?: string })[] = [
  { name: 'sqlite', argument: 'PATH', doc: 'An SQLite database: checkpointed before the snapshot; during the freeze a write lock keeps any transaction from being half on disk; released at thaw.' },
  { name: 'postgres', argument: 'URL', doc: 'A PostgreSQL server: `CHECKPOINT` before the snapshot; with `backup-mode true`, `pg_backup_start`/`pg_backup_stop` and the backup label stored with the backup.' },
  { name: 'process', doc: 'Processes stopped for the freeze: the cgroup freezer where a `cgroup` is given, else SIGSTOP/SIGCONT.' },
  { name: 'command', doc: 'Your own commands for the writer steps; a non-zero exit in `prepare` or `freeze` is a veto.' },
];

export const HOOK_STAGES: readonly (WordSpec<HookStage> & { env: string })[] = [
  { name: 'before-backup', env: 'BEFORE_BACKUP', doc: 'Once, before anything else of the job.' },
  { name: 'before-snapshot', env: 'BEFORE_SNAPSHOT', doc: 'Once per snapshot set, before its writers freeze.' },
  { name: 'during-freeze', env: 'DURING_FREEZE', doc: 'fsfreeze only: while the filesystem is frozen, e.g. to ask the cloud for a disk snapshot. Bounded by `freeze-timeout`.' },
  { name: 'after-snapshot', env: 'AFTER_SNAPSHOT', doc: 'Once per snapshot set, after the writers thawed; `snapshot_paths` may be used in its `run` actions.' },
  { name: 'after-backup', env: 'AFTER_BACKUP', doc: 'Always, also after a failure; a failing hook here is reported, never fails the job.' },
  { name: 'on-error', env: 'ON_ERROR', doc: 'When the job failed; `STILLPOINT_ERROR` holds the message. A failing hook here is reported only.' },
];

export const HOOK_ACTIONS: readonly WordSpec<'run' | 'sh' | 'pwsh' | 'cmd'>[] = [
  { name: 'run', doc: 'A program and its arguments, no shell: `run "systemctl", "stop", "app"`.' },
  { name: 'sh', doc: 'A POSIX shell script in a raw `{ ... }` block, run with `sh`.' },
  { name: 'pwsh', doc: 'A PowerShell script in a raw `{ ... }` block, run with `pwsh` (Windows PowerShell when pwsh is missing).' },
  { name: 'cmd', doc: 'A cmd.exe script in a raw `{ ... }` block.' },
];

export const TARGET_KINDS: readonly (WordSpec<TargetKind> & { argument: string })[] = [
  { name: 'tree', argument: 'PATH', doc: 'A folder of complete snapshots `PATH/<yyyy-MM-ddTHHmmss>/` (UTC); unchanged files are hard links to the previous snapshot; a manifest records every SHA-256.' },
  { name: 'restic', argument: 'REPOSITORY', doc: 'A restic repository: restic backs up the snapshot paths; its progress feeds Stillpoint\'s.' },
  { name: 'exec', argument: 'PROGRAM', doc: 'Any program (rsync, robocopy, vshadow -exec...); `snapshot_paths` in its `args` expands to the readable snapshot paths.' },
];

export type MonitorKind = 'healthchecks' | 'webhook' | 'textfile';

export const MONITOR_KINDS: readonly (WordSpec<MonitorKind> & { argument: string; defaultEvents: readonly MonitorEvent[] })[] = [
  { name: 'healthchecks', argument: 'URL', defaultEvents: ['start', 'success', 'partial', 'failure'], doc: 'A healthchecks.io-style check URL: pings `/start`, the URL itself on success, `/fail` on failure.' },
  { name: 'webhook', argument: 'URL', defaultEvents: ['success', 'partial', 'failure'], doc: 'POSTs the run summary as JSON to the URL.' },
  { name: 'textfile', argument: 'PATH', defaultEvents: ['success', 'partial', 'failure'], doc: 'Writes Prometheus metrics for node_exporter\'s textfile collector to PATH.' },
];

export const MONITOR_EVENTS: readonly MonitorEvent[] = ['start', 'success', 'partial', 'failure'];
export const BACKUP_TYPES = ['full', 'incremental', 'differential', 'copy'] as const;
export const HOOK_ENVS = ['stillpoint', 'r-drive'] as const;
export const KEEP_KEYS = ['last', 'daily', 'weekly', 'monthly'] as const;
export const RAW_LANGUAGES = ['sh', 'pwsh', 'cmd'] as const;

// ---------------------------------------------------------------- built-ins

export interface FunctionSpec {
  name: string;
  /** `env(name, default)` */
  signature: string;
  /** Parameter types; the last ones from `minArgs` on are optional. `rest`: repeats the last. */
  params: readonly ValueType[][];
  minArgs: number;
  rest?: boolean;
  returns: string;
  doc: string;
}

export const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'env', signature: 'env(name) / env(name, default)', params: [['string'], ['string', 'number', 'percent', 'duration', 'size', 'bool', 'none', 'list']], minArgs: 1, returns: 'string or none', doc: 'The environment variable `name`, or `none` when it is unset (or `default` when given). Read when the script is evaluated. `check` and `plan` never show its value: they name it by its expression (`plan --show-values` shows it).' },
  { name: 'file', signature: 'file(path)', params: [['string']], minArgs: 1, returns: 'string', doc: 'The contents of a UTF-8 text file with its trailing newline removed. A relative path is relative to the script\'s folder. Wrap it in `secret(...)` for a password file. A regular file of at most 1 MiB, never under `/proc`, `/sys` or `/dev`. A run-time value: read only when the job runs (`check` and `plan` never read it and show the call), so it may stand only where a secret may, or in an `if` condition.' },
  { name: 'exists', signature: 'exists(path)', params: [['string']], minArgs: 1, returns: 'bool', doc: 'Whether a file or folder exists at `path` (relative to the script\'s folder) when the job runs. A run-time value: `check` and `plan` never look; an `if` on it is checked in every branch.' },
  { name: 'path', signature: 'path(a, b, ...)', params: [['string']], minArgs: 1, rest: true, returns: 'string', doc: 'Joins its arguments with the platform\'s separator (`\\` on Windows, `/` elsewhere) and tidies `.` and `..`. It does not make a path absolute: where a path is used, a relative one is taken from the script\'s folder.' },
  { name: 'date', signature: 'date(format)', params: [['string']], minArgs: 1, returns: 'string', doc: 'The run\'s start (`started`, in UTC) formatted with the tokens `yyyy MM dd HH mm ss`; other characters are kept: `date("yyyy-MM-dd")`.' },
  { name: 'secret', signature: 'secret(value)', params: [['string', 'none']], minArgs: 1, returns: 'string (secret)', doc: 'Marks a value as secret: it is never printed, logged, or put in a plan or a report, where it shows as `***`. Text built from it with `${...}` or `??` stays secret. `secret(none)` is none, so `secret(env("X"))` works where X is unset.' },
  { name: 'lower', signature: 'lower(text)', params: [['string']], minArgs: 1, returns: 'string', doc: 'The text in lower case.' },
  { name: 'upper', signature: 'upper(text)', params: [['string']], minArgs: 1, returns: 'string', doc: 'The text in upper case.' },
];

export interface ValueSpec {
  name: string;
  type: string;
  doc: string;
}

export const VALUES: readonly ValueSpec[] = [
  { name: 'platform', type: 'string', doc: 'The operating system the script is evaluated on: `"windows"`, `"linux"` or `"darwin"`.' },
  { name: 'hostname', type: 'string', doc: 'This machine\'s host name.' },
  { name: 'job', type: 'string', doc: 'The name of the job being evaluated; inside `defaults`, the job the defaults are applied to. Not defined outside a job.' },
  { name: 'run_id', type: 'string', doc: 'The id of this run, the same in every hook (`STILLPOINT_RUN_ID`).' },
  { name: 'started', type: 'string', doc: 'The run\'s start, ISO-8601 in UTC (`2026-11-23T23:30:00.000Z`).' },
  { name: 'snapshot_paths', type: 'run-time paths', doc: 'The readable snapshot paths, known only once the snapshot exists: allowed only in `target exec` args and in `run` actions of `after-snapshot` hooks, where it expands to one argument per path.' },
];

/** Words that are syntax, not statements. */
export const SYNTAX_KEYWORDS: readonly WordSpec[] = [
  { name: 'let', doc: '`let NAME = expr` binds a name for the rest of the block (and, at the top level, for files that import this one). A name is bound once per block.' },
  { name: 'if', doc: '`if expr { ... } else if expr { ... } else { ... }`: the condition must be a bool. Allowed wherever a statement is.' },
  { name: 'else', doc: 'The branch of an `if` taken when no condition before it held.' },
  { name: 'for', doc: '`for NAME in list { ... }` repeats the block once per item, with NAME bound to the item. Allowed wherever a statement is.' },
  { name: 'in', doc: 'Separates the variable from the list in `for NAME in list`.' },
  { name: 'not', doc: '`not expr`: the opposite of a bool.' },
  { name: 'and', doc: '`a and b`: true when both bools are true.' },
  { name: 'or', doc: '`a or b`: true when either bool is true.' },
  { name: 'true', doc: 'The bool true.' },
  { name: 'false', doc: 'The bool false.' },
  { name: 'none', doc: 'The empty value: what `env(name)` gives for an unset variable. `a ?? b` is `b` when `a` is none.' },
];

// ---------------------------------------------------------------- statements

const STRING: readonly ValueType[] = ['string'];
const DURATION: readonly ValueType[] = ['duration'];
const value = (name: string, types: readonly ValueType[]): ArgItem => ({ kind: 'value', name, types });
const word = (name: string, words: readonly string[], noun: string): ArgItem => ({ kind: 'word', name, words, noun });
const names = <W extends string>(specs: readonly WordSpec<W>[]): W[] => specs.map((s) => s.name);
const NO_BODY: BodySpec = { kind: 'none' };

function statement(spec: Omit<StatementSpec, 'body' | 'repeatable'> & Partial<Pick<StatementSpec, 'body' | 'repeatable'>>): StatementSpec {
  return { body: NO_BODY, repeatable: false, ...spec };
}

const timeoutStatement = (what: string, dflt: string): StatementSpec =>
  statement({ keyword: 'timeout', syntax: 'timeout DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, default: dflt, doc: `The longest time ${what} may take; past it the step is stopped and counts as failed.` });

/** `stall-timeout` in a target, hook or command writer: overrides the job's. */
const stallStatement = (what: string): StatementSpec =>
  statement({ keyword: 'stall-timeout', syntax: 'stall-timeout DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, default: 'the job\'s `stall-timeout`', doc: `How long ${what} may show no progress before it is stopped and counts as failed (see the job's \`stall-timeout\`).` });

const keepStatement = statement({
  keyword: 'keep',
  syntax: 'keep last N, daily N, weekly N, monthly N',
  args: { kind: 'pairs', keys: KEEP_KEYS, value: 'number' },
  doc: 'Retention: which complete snapshots to keep (any subset of `last`, `daily`, `weekly`, `monthly`). Pruning runs only after a successful run and never removes the newest complete snapshot. Without `keep`, nothing is pruned.',
});

const commandStep = (keyword: string, when: string): StatementSpec =>
  statement({
    keyword,
    syntax: `${keyword} COMMAND`,
    args: { kind: 'list', item: value('COMMAND', ['string', 'list']) },
    doc: `Runs ${when}. A list (\`["fsfreeze", "-f", "/srv"]\`) or several comma-separated items are a program and its arguments, run without a shell; a single string runs through the platform shell (\`sh -c\`, \`cmd /c\`).`,
  });

const JOB_STATEMENTS: readonly StatementSpec[] = [
  statement({ keyword: 'volume', syntax: 'volume PATH [{ include PATTERN, ...  exclude PATTERN, ... }]', args: { kind: 'one', item: value('PATH', STRING) }, body: { kind: 'block', block: 'volume', required: false }, repeatable: true, merge: 'append', doc: 'A volume to back up: a mount point or folder on Linux, a drive (`C:`) or folder on Windows. Its block may hold globs that apply to this volume only. A relative path is relative to the script\'s folder.' }),
  statement({ keyword: 'volumes', syntax: 'volumes PATH, PATH, ...', args: { kind: 'list', item: value('PATH', ['string', 'list']) }, repeatable: true, merge: 'append', doc: 'Several volumes at once: `volumes C:, D:`. The same as one `volume` line each.' }),
  statement({ keyword: 'exclude', syntax: 'exclude PATTERN, ...', args: { kind: 'list', item: value('PATTERN', ['string', 'list']) }, repeatable: true, merge: 'append', doc: 'Globs, relative to each volume\'s root, of files and folders to leave out; `*` matches within a name, `**` spans folders: `exclude "tmp/**", "**/*.log"`.' }),
  statement({ keyword: 'include', syntax: 'include PATTERN, ...', args: { kind: 'list', item: value('PATTERN', ['string', 'list']) }, repeatable: true, merge: 'append', doc: 'Globs that bring back what an `exclude` removed: `include "tmp/keep/**"`.' }),
  statement({ keyword: 'exclude-system-files', syntax: 'exclude-system-files [BOOL]', args: { kind: 'flag' }, merge: 'replace', default: 'true', doc: 'Leaves out files no backup wants: `pagefile.sys`, `hiberfil.sys`, `swapfile.sys` and swap files.' }),
  statement({ keyword: 'one-file-system', syntax: 'one-file-system [BOOL]', args: { kind: 'flag' }, merge: 'replace', default: 'true', doc: 'Stays on each volume\'s own filesystem: folders where another filesystem is mounted are not entered.' }),
  statement({ keyword: 'ignore-read-errors', syntax: 'ignore-read-errors [BOOL]', args: { kind: 'flag' }, merge: 'replace', default: 'false', doc: '`false`: an unreadable file or bad sector fails the job. `true`: it is skipped and reported, and the run ends `partial` (exit code 3).' }),
  statement({ keyword: 'backup-type', syntax: 'backup-type full | incremental | differential | copy', args: { kind: 'one', item: word('TYPE', BACKUP_TYPES, 'backup type') }, merge: 'replace', default: 'full', doc: 'The backup type writers are told (VSS semantics). `incremental` and `differential` give writers the previous backup stamp; `copy` records no stamp, so it does not disturb another backup schedule.' }),
  statement({ keyword: 'provider', syntax: 'provider NAME [{ options }]', args: { kind: 'one', item: word('NAME', names(PROVIDERS), 'provider') }, body: { kind: 'block-by-word', family: 'provider', itemIndex: 0, required: false }, repeatable: true, merge: 'replace', default: 'copy (with a warning)', doc: 'A snapshot provider to try. Repeat it for a fallback order: for each volume the first provider that is available on this machine and supports the volume takes it. A job\'s own providers replace those of `defaults` as a whole.' }),
  statement({ keyword: 'providers', syntax: 'providers NAME, NAME, ...', args: { kind: 'list', item: word('NAME', names(PROVIDERS), 'provider') }, repeatable: true, merge: 'replace', doc: 'Shorthand for several `provider` lines without options: `providers btrfs, copy`.' }),
  statement({ keyword: 'quiesce', syntax: 'quiesce { idle DURATION  within DURATION  [on-timeout proceed | fail] }', args: { kind: 'none' }, body: { kind: 'block', block: 'quiesce', required: true }, merge: 'replace', doc: 'Waits before the snapshot until the volumes saw no writes for `idle`, at most `within`.' }),
  statement({ keyword: 'freeze-timeout', syntax: 'freeze-timeout DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, merge: 'replace', default: '10s', doc: 'The longest time writers and filesystems may stay frozen. Past it they are thawed, even if Stillpoint itself was killed, and the snapshot set fails.' }),
  statement({ keyword: 'snapshot-timeout', syntax: 'snapshot-timeout DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, merge: 'replace', default: '10m', doc: 'The longest time to create one snapshot set; past it the provider counts as failed and the next one is tried.' }),
  statement({ keyword: 'stall-timeout', syntax: 'stall-timeout DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, merge: 'replace', default: '10m', doc: 'How long a target, hook or writer command may show no progress before it is stopped with its child processes and counts as failed, however long its `timeout` still runs: a backup whose server died fails instead of hanging. Progress is restic\'s byte and file counts advancing, or for other programs their output or data they read or write. A target, hook or command writer may set its own.' }),
  statement({ keyword: 'writer', syntax: 'writer NAME KIND [ARGUMENT] [{ options }]', args: { kind: 'sequence', items: [{ kind: 'name', name: 'NAME' }, word('KIND', names(WRITER_KINDS), 'writer kind'), value('ARGUMENT', STRING)], optionalFrom: 2 }, body: { kind: 'block-by-word', family: 'writer', itemIndex: 1, required: false }, repeatable: true, merge: 'append', doc: 'An application writer that takes part in the snapshot: `writer "books" sqlite "/srv/books.db"`. Writers are called in the order written; names are unique in a job.' }),
  statement({ keyword: 'hook', syntax: 'hook STAGE ACTION | hook STAGE { actions and options }', args: { kind: 'sequence', items: [word('STAGE', names(HOOK_STAGES), 'hook stage'), word('ACTION', names(HOOK_ACTIONS), 'hook action')], optionalFrom: 1, more: value('ARGUMENT', ['string', 'list']) }, body: { kind: 'hook' }, repeatable: true, merge: 'append', doc: 'Commands to run at a stage of the lifecycle. Short form: `hook before-backup run "systemctl", "start", "x"` or `hook after-snapshot pwsh { ... }`; long form: a block of actions and options. Hooks of one stage run in the order written, those from `defaults` first.' }),
  statement({ keyword: 'hook-env', syntax: 'hook-env stillpoint | r-drive', args: { kind: 'one', item: word('STYLE', HOOK_ENVS, 'hook environment') }, merge: 'replace', default: 'stillpoint', doc: 'Which environment variables hooks get: `stillpoint` (`STILLPOINT_*`), or `r-drive`, which also sets R-Drive Image\'s `R_CALLBACK_*` and `R_VOLUME_*` variables and calling order so that existing AUX scripts keep working.' }),
  statement({ keyword: 'target', syntax: 'target KIND ARGUMENT [{ options }]', args: { kind: 'sequence', items: [word('KIND', names(TARGET_KINDS), 'target kind'), value('ARGUMENT', STRING)] }, body: { kind: 'block-by-word', family: 'target', itemIndex: 0, required: false }, repeatable: true, merge: 'append', doc: 'Where the data goes. Every target gets a copy of the same snapshot.' }),
  statement({ keyword: 'schedule', syntax: 'schedule "CRON"', args: { kind: 'one', item: value('CRON', STRING) }, repeatable: true, merge: 'replace', doc: 'When the job runs, as a 5-field cron expression (`"30 23 * * 1-5"`). Repeatable; a job\'s own schedules replace those of `defaults`.' }),
  statement({ keyword: 'monitor', syntax: 'monitor KIND ARGUMENT [{ on EVENT, ... }]', args: { kind: 'sequence', items: [word('KIND', names(MONITOR_KINDS), 'monitor kind'), value('ARGUMENT', STRING)] }, body: { kind: 'block', block: 'monitor', required: false }, repeatable: true, merge: 'append', doc: 'Tells another system how runs went: `healthchecks URL`, `webhook URL` or `textfile PATH`.' }),
];

const HOOK_BLOCK: readonly StatementSpec[] = [
  statement({ keyword: 'run', syntax: 'run PROGRAM, ARGUMENT, ...', args: { kind: 'list', item: value('ARGUMENT', ['string', 'list']) }, repeatable: true, doc: 'Runs a program with arguments, without a shell. In `after-snapshot` hooks `snapshot_paths` may stand as an argument: it expands to one argument per snapshot path.' }),
  statement({ keyword: 'sh', syntax: 'sh { ... }', args: { kind: 'none' }, body: { kind: 'raw', required: true }, repeatable: true, doc: 'A POSIX shell script, written verbatim between the braces.' }),
  statement({ keyword: 'pwsh', syntax: 'pwsh { ... }', args: { kind: 'none' }, body: { kind: 'raw', required: true }, repeatable: true, doc: 'A PowerShell script, written verbatim between the braces.' }),
  statement({ keyword: 'cmd', syntax: 'cmd { ... }', args: { kind: 'none' }, body: { kind: 'raw', required: true }, repeatable: true, doc: 'A cmd.exe script, written verbatim between the braces.' }),
  timeoutStatement('each action of the hook', '5m'),
  stallStatement('each action of the hook'),
  statement({ keyword: 'allow-failure', syntax: 'allow-failure [BOOL]', args: { kind: 'flag' }, default: 'false', doc: '`false`: a non-zero exit fails the job (in `after-backup` and `on-error` it is reported only). `true`: it is reported and the job goes on.' }),
  statement({ keyword: 'cwd', syntax: 'cwd PATH', args: { kind: 'one', item: value('PATH', STRING) }, default: 'the script\'s folder', doc: 'The folder the hook runs in; a relative path is relative to the script\'s folder.' }),
  statement({ keyword: 'env', syntax: 'env NAME = VALUE', args: { kind: 'assignment', value: value('VALUE', ['string', 'number', 'bool']) }, repeatable: true, doc: 'Sets an environment variable for the hook, on top of the `STILLPOINT_*` ones: `env PGPASSWORD = secret(file("/etc/pg.pass"))`.' }),
];

const WRITER_COMMON: readonly StatementSpec[] = [
  timeoutStatement('each step of the writer', '60s'),
  statement({ keyword: 'required', syntax: 'required BOOL', args: { kind: 'flag' }, default: 'true', doc: '`true`: a veto or failure of this writer fails the snapshot set. `false`: it is reported and the set goes on without it.' }),
];

const TARGET_RESTIC: readonly StatementSpec[] = [
  stallStatement('restic'),
  statement({ keyword: 'password', syntax: 'password VALUE', args: { kind: 'one', item: value('VALUE', ['string', 'none']) }, doc: 'The repository password, normally `secret(env("RESTIC_PASSWORD"))` or `secret(file("..."))`. When it is left out or `none` (an unset variable), restic reads its own environment (`RESTIC_PASSWORD`, `RESTIC_PASSWORD_FILE`).' }),
  statement({ keyword: 'tags', syntax: 'tags TAG, ...', args: { kind: 'list', item: value('TAG', ['string', 'list']) }, repeatable: true, doc: 'Tags for the restic snapshot.' }),
  statement({ keyword: 'args', syntax: 'args ARGUMENT, ...', args: { kind: 'list', item: value('ARGUMENT', ['string', 'list']) }, repeatable: true, doc: 'Extra arguments for `restic backup`.' }),
  keepStatement,
];

export const BLOCKS: Readonly<Record<BlockKind, BlockSpec>> = {
  file: {
    kind: 'file',
    title: 'the top level of a file',
    where: 'at the top level',
    doc: 'A file holds `let`s, imports, `defaults` and jobs, possibly inside `if` and `for`.',
    statements: [
      statement({ keyword: 'import', syntax: 'import "PATH"', args: { kind: 'one', item: value('PATH', STRING) }, repeatable: true, doc: 'Evaluates another file first: its `let`s, `defaults` and jobs become part of this file. The path is relative to the importing file. Each file is evaluated once however often it is imported; a cycle is an error. Only at the top level, outside `if` and `for`.' }),
      statement({ keyword: 'defaults', syntax: 'defaults { job statements }', args: { kind: 'none' }, body: { kind: 'block', block: 'job', required: true }, repeatable: true, doc: 'Job statements that apply to every job of this file and of the files that import it, whatever their position in the file. They are evaluated for each job (`job` is that job\'s name). A job\'s own statement replaces a default of the same kind; lists (`volume`, `exclude`, `writer`, `hook`, `target`, `monitor`) append to it.' }),
      statement({ keyword: 'job', syntax: 'job NAME { job statements }', args: { kind: 'one', item: { kind: 'name', name: 'NAME' } }, body: { kind: 'block', block: 'job', required: true }, repeatable: true, doc: 'A backup job: `job ledger { ... }` or `job "web-${hostname}" { ... }`. Job names are unique across the script and its imports.' }),
    ],
  },
  job: { kind: 'job', title: 'job NAME { ... } and defaults { ... }', where: 'in a job', doc: 'What one backup job does.', statements: JOB_STATEMENTS },
  volume: {
    kind: 'volume',
    title: 'volume PATH { ... }',
    where: 'in `volume PATH { ... }`',
    doc: 'Globs for one volume, on top of the job\'s own.',
    statements: [
      statement({ keyword: 'include', syntax: 'include PATTERN, ...', args: { kind: 'list', item: value('PATTERN', ['string', 'list']) }, repeatable: true, doc: 'Globs, relative to this volume\'s root, that bring back what an `exclude` removed.' }),
      statement({ keyword: 'exclude', syntax: 'exclude PATTERN, ...', args: { kind: 'list', item: value('PATTERN', ['string', 'list']) }, repeatable: true, doc: 'Globs, relative to this volume\'s root, to leave out.' }),
    ],
  },
  'provider:vss': {
    kind: 'provider:vss',
    title: 'provider vss { ... }',
    where: 'in `provider vss { ... }`',
    doc: 'Options of the Volume Shadow Copy Service provider.',
    statements: [
      statement({ keyword: 'context', syntax: 'context backup | file-share-backup', args: { kind: 'one', item: word('CONTEXT', ['backup', 'file-share-backup'], 'VSS context') }, default: 'backup', doc: '`backup`: writers take part (application-consistent). `file-share-backup`: no writers, crash-consistent, faster.' }),
      statement({ keyword: 'include-writer', syntax: 'include-writer "NAME", ...', args: { kind: 'list', item: value('NAME', ['string', 'list']) }, repeatable: true, doc: 'Only these VSS writers take part (by writer name or id). Without it every writer does.' }),
      statement({ keyword: 'exclude-writer', syntax: 'exclude-writer "NAME", ...', args: { kind: 'list', item: value('NAME', ['string', 'list']) }, repeatable: true, doc: 'These VSS writers do not take part: `exclude-writer "System Writer"`.' }),
      statement({ keyword: 'require-writer', syntax: 'require-writer "NAME", ...', args: { kind: 'list', item: value('NAME', ['string', 'list']) }, repeatable: true, doc: 'The snapshot set fails when one of these writers is missing or in a failed state.' }),
      statement({ keyword: 'provider-id', syntax: 'provider-id "{GUID}"', args: { kind: 'one', item: value('GUID', STRING) }, doc: 'Use this VSS provider (a hardware provider, say) instead of the system\'s choice.' }),
      timeoutStatement('creating the shadow copy set', '10m'),
    ],
  },
  'provider:wmi': { kind: 'provider:wmi', title: 'provider wmi { ... }', where: 'in `provider wmi { ... }`', doc: 'The wmi provider has no options.', statements: [] },
  'provider:btrfs': {
    kind: 'provider:btrfs',
    title: 'provider btrfs { ... }',
    where: 'in `provider btrfs { ... }`',
    doc: 'Options of the btrfs provider.',
    statements: [
      statement({ keyword: 'snapshot-dir', syntax: 'snapshot-dir PATH', args: { kind: 'one', item: value('PATH', STRING) }, default: '".stillpoint"', doc: 'Where snapshots are created, relative to the subvolume\'s root (it must be on the same filesystem).' }),
    ],
  },
  'provider:lvm': {
    kind: 'provider:lvm',
    title: 'provider lvm { ... }',
    where: 'in `provider lvm { ... }`',
    doc: 'Options of the LVM provider.',
    statements: [
      statement({ keyword: 'size', syntax: 'size PERCENT | SIZE', args: { kind: 'one', item: value('SIZE', ['percent', 'size']) }, default: '10%', doc: 'Room for changes while the snapshot exists: a percentage of the origin volume (`10%`) or a size (`5GiB`).' }),
    ],
  },
  'provider:zfs': { kind: 'provider:zfs', title: 'provider zfs { ... }', where: 'in `provider zfs { ... }`', doc: 'The zfs provider has no options.', statements: [] },
  'provider:fsfreeze': { kind: 'provider:fsfreeze', title: 'provider fsfreeze { ... }', where: 'in `provider fsfreeze { ... }`', doc: 'The fsfreeze provider has no options; its freeze is bounded by the job\'s `freeze-timeout`.', statements: [] },
  'provider:copy': {
    kind: 'provider:copy',
    title: 'provider copy { ... }',
    where: 'in `provider copy { ... }`',
    doc: 'Options of the copy provider (no snapshot).',
    statements: [
      statement({ keyword: 'retries', syntax: 'retries N', args: { kind: 'one', item: value('N', ['number']) }, default: '2', doc: 'How often phase two retries files that were locked or changed while they were read.' }),
      statement({ keyword: 'retry-delay', syntax: 'retry-delay DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, default: '5s', doc: 'The pause before each retry.' }),
    ],
  },
  quiesce: {
    kind: 'quiesce',
    title: 'quiesce { ... }',
    where: 'in `quiesce { ... }`',
    doc: 'The quiesce gate before the snapshot.',
    statements: [
      statement({ keyword: 'idle', syntax: 'idle DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, doc: 'How long the volumes must have seen no writes. Required.' }),
      statement({ keyword: 'within', syntax: 'within DURATION', args: { kind: 'one', item: value('DURATION', DURATION) }, doc: 'The longest time to wait for that quiet moment. Required.' }),
      statement({ keyword: 'on-timeout', syntax: 'on-timeout proceed | fail', args: { kind: 'one', item: word('ACTION', ['proceed', 'fail'], 'timeout action') }, default: 'proceed', doc: 'What happens when no quiet moment came within `within`: take the snapshot anyway (`proceed`) or fail the job (`fail`).' }),
    ],
  },
  'writer:sqlite': { kind: 'writer:sqlite', title: 'writer NAME sqlite PATH { ... }', where: 'in `writer NAME sqlite PATH { ... }`', doc: 'Options of an SQLite writer.', statements: WRITER_COMMON },
  'writer:postgres': {
    kind: 'writer:postgres',
    title: 'writer NAME postgres URL { ... }',
    where: 'in `writer NAME postgres URL { ... }`',
    doc: 'Options of a PostgreSQL writer.',
    statements: [
      ...WRITER_COMMON,
      statement({ keyword: 'backup-mode', syntax: 'backup-mode BOOL', args: { kind: 'flag' }, default: 'false', doc: '`true`: `pg_backup_start`/`pg_backup_stop` around the snapshot, and the backup label is stored with the backup.' }),
    ],
  },
  'writer:process': {
    kind: 'writer:process',
    title: 'writer NAME process { ... }',
    where: 'in `writer NAME process { ... }`',
    doc: 'Which processes to stop during the freeze: exactly one of `pid-file`, `pid`, `cgroup`.',
    statements: [
      ...WRITER_COMMON,
      statement({ keyword: 'pid-file', syntax: 'pid-file PATH', args: { kind: 'one', item: value('PATH', STRING) }, doc: 'The process whose id is in this file (read when the writer runs).' }),
      statement({ keyword: 'pid', syntax: 'pid N', args: { kind: 'one', item: value('N', ['number']) }, doc: 'The process with this id.' }),
      statement({ keyword: 'cgroup', syntax: 'cgroup PATH', args: { kind: 'one', item: value('PATH', STRING) }, doc: 'Every process of this cgroup (v2), frozen with the cgroup freezer: `cgroup "/sys/fs/cgroup/system.slice/app.service"`.' }),
    ],
  },
  'writer:command': {
    kind: 'writer:command',
    title: 'writer NAME command { ... }',
    where: 'in `writer NAME command { ... }`',
    doc: 'Your own commands for the writer steps; at least one step.',
    statements: [
      ...WRITER_COMMON,
      stallStatement('each command'),
      commandStep('prepare', 'when the backup is prepared (a non-zero exit is a veto)'),
      commandStep('freeze', 'just before the snapshot (a non-zero exit is a veto)'),
      commandStep('thaw', 'right after the snapshot, also when it failed'),
      commandStep('post-snapshot', 'after the thaw, once the snapshot exists'),
      commandStep('backup-complete', 'after every target has its copy'),
    ],
  },
  hook: { kind: 'hook', title: 'hook STAGE { ... }', where: 'in a hook block', doc: 'Actions, run in order, and the options of a hook.', statements: HOOK_BLOCK },
  'target:tree': { kind: 'target:tree', title: 'target tree PATH { ... }', where: 'in `target tree PATH { ... }`', doc: 'Options of a tree target.', statements: [keepStatement] },
  'target:restic': { kind: 'target:restic', title: 'target restic REPOSITORY { ... }', where: 'in `target restic REPOSITORY { ... }`', doc: 'Options of a restic target.', statements: TARGET_RESTIC },
  'target:exec': {
    kind: 'target:exec',
    title: 'target exec PROGRAM { ... }',
    where: 'in `target exec PROGRAM { ... }`',
    doc: 'Options of an exec target.',
    statements: [
      stallStatement('the program'),
      statement({ keyword: 'args', syntax: 'args ARGUMENT, ...', args: { kind: 'list', item: value('ARGUMENT', ['string', 'list']) }, repeatable: true, doc: 'The program\'s arguments; `snapshot_paths` expands to one argument per readable snapshot path: `args "-a", snapshot_paths, "/mnt/nas/"`.' }),
    ],
  },
  monitor: {
    kind: 'monitor',
    title: 'monitor KIND ARGUMENT { ... }',
    where: 'in `monitor KIND ARGUMENT { ... }`',
    doc: 'Options of a monitor.',
    statements: [
      statement({ keyword: 'on', syntax: 'on EVENT, ...', args: { kind: 'list', item: word('EVENT', MONITOR_EVENTS, 'monitor event') }, default: 'healthchecks: start, success, partial, failure; webhook and textfile: success, partial, failure', doc: 'Which run events the monitor is told about: `start`, `success`, `partial`, `failure`.' }),
    ],
  },
};

const SPEC_INDEX = new Map<BlockKind, Map<string, StatementSpec>>();

/** The spec of `keyword` in a block, or undefined when the block has no such statement. */
export function statementSpec(block: BlockKind, keyword: string): StatementSpec | undefined {
  let index = SPEC_INDEX.get(block);
  if (!index) {
    index = new Map(BLOCKS[block].statements.map((s) => [s.keyword, s]));
    SPEC_INDEX.set(block, index);
  }
  return index.get(keyword);
}

/** The block a statement's body is, given the words among its arguments (`provider vss` -> `provider:vss`). */
export function bodyBlockKind(spec: StatementSpec, words: readonly (string | undefined)[]): BlockKind | undefined {
  const body = spec.body;
  if (body.kind === 'block') return body.block;
  if (body.kind === 'hook') return 'hook';
  if (body.kind !== 'block-by-word') return undefined;
  const chosen = words[body.itemIndex];
  const kind = `${body.family}:${chosen}`;
  return kind in BLOCKS ? (kind as BlockKind) : undefined;
}

/** Every block kind, in the order docs/language.md lists them. */
export const BLOCK_KINDS = Object.keys(BLOCKS) as BlockKind[];

// ---------------------------------------------------------------- statements on one line

/** Whether `spec` takes a bare word at item `index` of comma group `group`. */
function takesWordAt(spec: StatementSpec, group: number, index: number): boolean {
  const args = spec.args;
  switch (args.kind) {
    case 'none':
    case 'flag':
      return false;
    case 'one':
    case 'assignment':
      return group === 0 && index === 0;
    case 'list':
      return index === 0;
    case 'pairs':
      return index <= 1;
    case 'sequence':
      return group === 0 ? index < args.items.length : args.more !== undefined && index === 0;
  }
}

/**
 * Splits statements written on one line: `quiesce { idle 3s  within 2m }` reaches the
 * evaluator as one Setting `idle` with the items `3s within 2m`, since only the catalog
 * knows that `idle` takes one value. Where a statement has taken all the items it can and
 * the next item is a bare word that is a statement of the same block, a new statement starts
 * there. The body and any `= value` belong to the last one.
 */
export function splitSetting(setting: Setting, block: BlockKind): Setting[] {
  const spec = statementSpec(block, setting.keyword.name);
  if (!spec) return [setting];
  for (const [g, group] of setting.args.entries()) {
    for (const [i, item] of group.entries()) {
      if (item.kind !== 'Name' || takesWordAt(spec, g, i) || !statementSpec(block, item.name)) continue;
      const before = [...setting.args.slice(0, g), ...(i > 0 ? [group.slice(0, i)] : [])];
      const rest = [...(i + 1 < group.length ? [group.slice(i + 1)] : []), ...setting.args.slice(g + 1)];
      const lastBefore = before.at(-1)?.at(-1) ?? setting.keyword;
      const head: Setting = { kind: 'Setting', keyword: setting.keyword, args: before, range: { ...setting.range, end: lastBefore.range.end } };
      const tail: Setting = {
        kind: 'Setting',
        keyword: { kind: 'Identifier', name: item.name, range: item.range },
        args: rest,
        range: { ...setting.range, start: item.range.start },
        ...(setting.assignment ? { assignment: setting.assignment } : {}),
        ...(setting.body ? { body: setting.body } : {}),
      };
      return [head, ...splitSetting(tail, block)];
    }
  }
  return [setting];
}

// ---------------------------------------------------------------- where a position stands

/** The text of a string literal without interpolation, or undefined for any other expression. */
export function literalText(expr: Expr | undefined): string | undefined {
  if (expr?.kind === 'RawString') return expr.value;
  if (expr?.kind === 'String' && expr.parts.every((p) => p.kind === 'Text')) return expr.parts.map((p) => (p.kind === 'Text' ? p.value : '')).join('');
  return undefined;
}

/** The word an argument item spells: a bare word, or a string literal. */
function spelledWord(expr: Expr | undefined): string | undefined {
  return expr?.kind === 'Name' ? expr.name : literalText(expr);
}

const contains = (range: { start: { offset: number }; end: { offset: number } }, offset: number) => range.start.offset < offset && offset < range.end.offset;

/**
 * The kind of block whose statements surround `offset` (for completion and hover): `file` at
 * the top level, `provider:vss` inside `provider vss { | }`. Undefined inside a raw code
 * block or a block the catalog does not know (`provider nope { | }`).
 */
export function blockKindAt(statements: readonly Statement[], offset: number, kind: BlockKind = 'file'): BlockKind | undefined {
  for (const statement of statements) {
    if (!contains(statement.range, offset)) continue;
    switch (statement.kind) {
      case 'If': {
        const body = [...statement.branches.map((b) => b.body), ...(statement.elseBody ? [statement.elseBody] : [])].find((b) => contains(b.range, offset));
        return body ? blockKindAt(body.statements, offset, kind) : kind;
      }
      case 'For':
        return contains(statement.body.range, offset) ? blockKindAt(statement.body.statements, offset, kind) : kind;
      case 'Setting': {
        const body = statement.body;
        if (!body || !contains(body.range, offset)) return kind;
        if (body.kind === 'RawBlock') return undefined;
        const spec = statementSpec(kind, statement.keyword.name);
        const inner = spec && bodyBlockKind(spec, (statement.args[0] ?? []).map(spelledWord));
        return inner && blockKindAt(body.statements, offset, inner);
      }
      default:
        return kind;
    }
  }
  return kind;
}
