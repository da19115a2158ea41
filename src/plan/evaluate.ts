// Evaluates parsed .still files into a Plan (LANGUAGE.md §2-4).
//
// Every statement is checked against the catalog; every problem is a Diagnostic with the
// range of the offending text. Errors never cascade: an expression that failed evaluates to
// `undefined`, and whatever uses it stays silent, so one mistake gives one diagnostic.
// Evaluation is synchronous: imports are read and parsed beforehand (load.ts), and the
// only I/O left is what the language allows (`env`, `file`, `exists`, `hostname`).

import * as nodePath from 'node:path';
import type { Block, Expr, RawBlock, SourceFile, Setting, Statement } from '../language/ast.ts';
import {
  BLOCKS,
  FUNCTIONS,
  HOOK_STAGES,
  MONITOR_KINDS,
  VALUES,
  WRITER_KINDS,
  literalText,
  splitSetting,
  statementSpec,
  type ArgItem,
  type BlockKind,
  type StatementSpec,
  type ValueType,
} from '../language/catalog.ts';
import type { Diagnostic, RelatedInformation, Severity, SourceRange } from '../language/diagnostic.ts';
import { didYouMean } from '../language/suggest.ts';
import { BUILTIN_FUNCTIONS, builtinValue, joinText, resolveScriptPath, type BuiltinContext, type Platform } from './builtins.ts';
import type { SecretStore } from './secret.ts';
import type {
  ArgvItem,
  CommandPlan,
  HookPlan,
  HookStage,
  JobPlan,
  KeepPlan,
  MonitorEvent,
  MonitorPlan,
  Plan,
  PlanText,
  ProviderName,
  ProviderPlan,
  QuiescePlan,
  TargetPlan,
  VolumePlan,
  WriterKind,
  WriterPlan,
} from './types.ts';
import { PLAN_VERSION } from './types.ts';
import { interpolationText, literalValue, typeNoun, typesNoun, valuesEqual, type StringValue, type Value } from './values.ts';

export interface EvaluationOptions {
  platform: Platform;
  hostname: string;
  runId: string;
  started: Date;
  env: Record<string, string | undefined>;
}

export interface EvaluationInput {
  /** The script as given on the command line; the key of `files` is its resolved path. */
  script: string;
  /** Parsed files by resolved path: the script and everything it imports (load.ts reads them). */
  files: ReadonlyMap<string, SourceFile>;
  /** Source text by the file name used in ranges, to quote expressions in messages. */
  sources: ReadonlyMap<string, string>;
  options: EvaluationOptions;
  secrets: SecretStore;
  /** Where the parser reported errors (file name as in ranges -> offsets): statements there are not evaluated. */
  syntaxErrors?: ReadonlyMap<string, readonly number[]>;
}

export interface EvaluationResult {
  plan: Plan;
  diagnostics: Diagnostic[];
}

export const DEFAULTS = {
  freezeTimeoutMs: 10_000,
  snapshotTimeoutMs: 600_000,
  hookTimeoutMs: 300_000,
  writerTimeoutMs: 60_000,
  vssTimeoutMs: 600_000,
  btrfsSnapshotDir: '.stillpoint',
  lvmSize: { percent: 10 },
  copyRetries: 2,
  copyRetryDelayMs: 5_000,
} as const;

/** Where an import points: the name used in ranges and messages, and the resolved path. */
export function importTarget(importerFile: string, importPath: string): { file: string; resolved: string } {
  const file = nodePath.isAbsolute(importPath) ? importPath : nodePath.join(nodePath.dirname(importerFile), importPath);
  return { file, resolved: nodePath.resolve(file) };
}

/** The literal path of an `import` statement, or undefined when it is not a plain string literal. */
export function importPathOf(setting: Setting): string | undefined {
  return setting.args.length === 1 && setting.args[0]!.length === 1 ? literalText(setting.args[0]![0]) : undefined;
}

export function evaluate(input: EvaluationInput): EvaluationResult {
  return new Evaluator(input).run();
}

// ---------------------------------------------------------------- scopes and parts

interface Binding {
  /** undefined: its expression failed and was reported; uses stay silent. */
  value: Value | undefined;
  range: SourceRange;
}

class Scope {
  readonly vars = new Map<string, Binding>();
  readonly parent: Scope | undefined;
  constructor(parent?: Scope) {
    this.parent = parent;
  }
  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  names(): string[] {
    return [...this.vars.keys(), ...(this.parent?.names() ?? [])];
  }
}

interface Ctx {
  scope: Scope;
  /** The job being evaluated (also while its defaults are). */
  job?: string;
  /** `snapshot_paths` may stand here. */
  snapshotPaths: boolean;
}

interface DefaultsEntry {
  block: Block;
  scope: Scope;
  applied: boolean;
}

interface FileResult {
  scope: Scope;
  /** Of this file and of everything it imports, in the order they apply. */
  defaults: DefaultsEntry[];
}

interface JobEntry {
  setting: Setting;
  scope: Scope;
  file: FileResult;
}

interface Ranged<T> {
  plan: T;
  range: SourceRange;
}

/** What one job or defaults block says; merged into a JobPlan by the catalog's merge rules. */
interface JobParts {
  volumes: Ranged<VolumePlan>[];
  exclude: string[];
  include: string[];
  excludeSystemFiles?: boolean;
  oneFileSystem?: boolean;
  ignoreReadErrors?: boolean;
  backupType?: JobPlan['backupType'];
  providers?: Ranged<ProviderPlan>[];
  quiesce?: QuiescePlan;
  freezeTimeoutMs?: number;
  snapshotTimeoutMs?: number;
  writers: Ranged<WriterPlan>[];
  hooks: Ranged<HookPlan>[];
  hookEnv?: JobPlan['hookEnv'];
  targets: TargetPlan[];
  schedules?: string[];
  monitors: MonitorPlan[];
}

function emptyParts(): JobParts {
  return { volumes: [], exclude: [], include: [], writers: [], hooks: [], targets: [], monitors: [] };
}

/** `later` on top of `earlier`: replace-statements are taken from `later` when it has them, lists append. */
function mergeParts(earlier: JobParts, later: JobParts): JobParts {
  return {
    volumes: [...earlier.volumes, ...later.volumes],
    exclude: [...earlier.exclude, ...later.exclude],
    include: [...earlier.include, ...later.include],
    excludeSystemFiles: later.excludeSystemFiles ?? earlier.excludeSystemFiles,
    oneFileSystem: later.oneFileSystem ?? earlier.oneFileSystem,
    ignoreReadErrors: later.ignoreReadErrors ?? earlier.ignoreReadErrors,
    backupType: later.backupType ?? earlier.backupType,
    providers: later.providers ?? earlier.providers,
    quiesce: later.quiesce ?? earlier.quiesce,
    freezeTimeoutMs: later.freezeTimeoutMs ?? earlier.freezeTimeoutMs,
    snapshotTimeoutMs: later.snapshotTimeoutMs ?? earlier.snapshotTimeoutMs,
    writers: [...earlier.writers, ...later.writers],
    hooks: [...earlier.hooks, ...later.hooks],
    hookEnv: later.hookEnv ?? earlier.hookEnv,
    targets: [...earlier.targets, ...later.targets],
    schedules: later.schedules ?? earlier.schedules,
    monitors: [...earlier.monitors, ...later.monitors],
  };
}

const FIX_FOR_TYPE: Record<ValueType, string> = {
  string: 'Put text in quotes: `"..."` (or `\'...\'` for a Windows path).',
  number: 'Write a plain number, such as `2`.',
  percent: 'Write a number with `%`, such as `10%`.',
  duration: 'Write a number with a time unit: `500ms`, `10s`, `5m`, `1h`, `7d` or `2w`.',
  size: 'Write a number with a size unit, such as `512MB` or `5GiB` (KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB of 1024).',
  bool: 'Write `true` or `false`, or a comparison such as `platform == "linux"`.',
  none: 'Write `none`.',
  list: 'Write a list in brackets: `["a", "b"]`.',
};

const BUILTIN_VALUE_NAMES = new Set(VALUES.map((v) => v.name));
const WRITER_KIND_NAMES = new Set<string>(WRITER_KINDS.map((w) => w.name));

// ---------------------------------------------------------------- the evaluator

class Evaluator {
  readonly #input: EvaluationInput;
  readonly #diagnostics: Diagnostic[] = [];
  readonly #reported = new Set<string>();
  /** Every error found, also those already reported once: a job whose parts failed skips its completeness checks. */
  #failures = 0;
  readonly #files = new Map<string, FileResult>();
  readonly #importChain: string[] = [];
  readonly #jobs: JobEntry[] = [];
  readonly #builtins: Omit<BuiltinContext, 'baseDir'>;

  constructor(input: EvaluationInput) {
    this.#input = input;
    this.#builtins = input.options;
  }

  run(): EvaluationResult {
    const { script, options } = this.#input;
    const root = this.#evaluateFile(script, nodePath.resolve(script));
    const jobs: JobPlan[] = [];
    const seenJobs = new Map<string, SourceRange>();
    for (const entry of this.#jobs) {
      const named = this.#jobName(entry);
      if (!named) continue;
      const first = seenJobs.get(named.name);
      if (first) {
        this.#error('duplicate-job', `two jobs are named \`${named.name}\``, 'Job names must be unique across the script and its imports: rename one of them.', named.range, [{ message: 'the first job of that name', range: first }]);
        continue;
      }
      seenJobs.set(named.name, named.range);
      const job = this.#evaluateJob(entry, named.name, named.range);
      if (job) jobs.push(job);
    }
    // Defaults that no job used are still checked, as if for a job named "job".
    for (const file of [...this.#files.values(), ...(root ? [root] : [])]) {
      for (const entry of file.defaults) if (!entry.applied) this.#evaluateDefaults(entry, 'job');
    }
    const plan: Plan = {
      planVersion: PLAN_VERSION,
      script,
      platform: options.platform,
      hostname: options.hostname,
      runId: options.runId,
      started: options.started.toISOString(),
      jobs,
    };
    return { plan, diagnostics: this.#diagnostics };
  }

  // ------------------------------------------------------------ diagnostics

  #report(severity: Severity, code: string, summary: string, detail: string, range: SourceRange | undefined, related?: RelatedInformation[]) {
    if (severity === 'error') this.#failures++;
    const key = `${severity}|${code}|${summary}|${range?.file}:${range?.start.offset}-${range?.end.offset}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#diagnostics.push({ severity, code, summary, detail, ...(range ? { range } : {}), ...(related?.length ? { related } : {}) });
  }

  #error(code: string, summary: string, detail: string, range: SourceRange | undefined, related?: RelatedInformation[]) {
    this.#report('error', code, summary, detail, range, related);
  }

  #warn(code: string, summary: string, detail: string, range: SourceRange | undefined) {
    this.#report('warning', code, summary, detail, range);
  }

  /** The source text of a range, shortened for a one-line message. */
  #quote(range: SourceRange): string {
    const text = this.#input.sources.get(range.file)?.slice(range.start.offset, range.end.offset) ?? '';
    const oneLine = text.replace(/\s+/g, ' ');
    return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine;
  }

  #origin(range: SourceRange): string {
    return `${range.file}:${range.start.line}:${range.start.column}`;
  }

  #typeError(expr: Expr, expected: readonly ValueType[], found: Value) {
    let detail = FIX_FOR_TYPE[expected[0]!];
    if (found.type === 'none') detail = 'The value is none (an unset environment variable, say): give a fallback with `??`, as in `env("X") ?? "default"`.';
    this.#error('type-mismatch', `expected ${typesNoun(expected)}, found ${typeNoun(found.type)} \`${this.#quote(expr.range)}\``, detail, expr.range);
  }

  // ------------------------------------------------------------ files, imports, jobs

  #evaluateFile(file: string, resolved: string, importRange?: SourceRange): FileResult | undefined {
    const chainStart = this.#importChain.indexOf(resolved);
    if (chainStart >= 0) {
      const base = nodePath.dirname(this.#importChain[0]!);
      const chain = [...this.#importChain.slice(chainStart), resolved].map((p) => nodePath.relative(base, p) || nodePath.basename(p));
      this.#error('import-cycle', `import cycle: ${chain.join(' -> ')}`, 'Files may not import each other in a circle: move what they share into a third file that both import.', importRange);
      return undefined;
    }
    const cached = this.#files.get(resolved);
    if (cached) return cached;
    const source = this.#input.files.get(resolved);
    if (!source) return undefined; // the loader reported why
    this.#importChain.push(resolved);
    const result: FileResult = { scope: new Scope(), defaults: [] };
    const top: Ctx = { scope: result.scope, snapshotPaths: false };
    this.#walk(source.statements, 'file', top, new Map(), (setting, ctx) => {
      switch (setting.keyword.name) {
        case 'import':
          this.#import(setting, ctx, top, file, result);
          break;
        case 'defaults':
          result.defaults.push({ block: setting.body as Block, scope: ctx.scope, applied: false });
          break;
        case 'job':
          this.#jobs.push({ setting, scope: ctx.scope, file: result });
          break;
      }
    });
    this.#importChain.pop();
    this.#files.set(resolved, result);
    return result;
  }

  #import(setting: Setting, ctx: Ctx, top: Ctx, file: string, into: FileResult) {
    if (ctx !== top) {
      this.#error('import-not-top-level', '`import` may stand only at the top level of a file', 'Move the import out of the `if` or `for`; import the file unconditionally and use `if` inside it instead.', setting.keyword.range);
      return;
    }
    const importPath = importPathOf(setting);
    const argRange = setting.args[0]?.[0]?.range ?? setting.keyword.range;
    if (importPath === undefined) {
      this.#error('import-path-not-literal', 'the path of an `import` must be a plain string', 'Write the path in quotes without `${...}`: `import "common/site.still"`. Imports are read before the script is evaluated.', argRange);
      return;
    }
    const target = importTarget(file, importPath);
    const imported = this.#evaluateFile(target.file, target.resolved, argRange);
    if (!imported) return;
    for (const [name, binding] of imported.scope.vars) {
      const existing = into.scope.vars.get(name);
      if (existing && existing !== binding) {
        this.#error('duplicate-let', `\`${name}\` is already defined`, `\`${importPath}\` defines \`${name}\` too: rename one of them.`, argRange, [{ message: `\`${name}\` is defined here`, range: existing.range }]);
        continue;
      }
      into.scope.vars.set(name, binding);
    }
    for (const entry of imported.defaults) if (!into.defaults.includes(entry)) into.defaults.push(entry);
  }

  #jobName(entry: JobEntry): { name: string; range: SourceRange } | undefined {
    const items = entry.setting.args;
    const expr = items[0]?.[0];
    if (!expr) {
      this.#error('missing-argument', '`job` needs a name', 'Write it as `job "nightly" { ... }`.', entry.setting.keyword.range);
      return undefined;
    }
    if (items.length > 1 || items[0]!.length > 1) {
      const extra = items[0]![1] ?? items[1]![0]!;
      this.#error('unexpected-argument', '`job` takes one name', 'Put a name with spaces in quotes: `job "web server" { ... }`.', extra.range);
      return undefined;
    }
    const value = this.#item(expr, { kind: 'name', name: 'NAME' }, { scope: entry.scope, snapshotPaths: false });
    if (value === undefined) return undefined;
    if (value === '') {
      this.#error('empty-name', 'a job name may not be empty', 'Give the job a name: `job "nightly" { ... }`.', expr.range);
      return undefined;
    }
    return { name: value, range: expr.range };
  }

  #evaluateDefaults(entry: DefaultsEntry, job: string): JobParts {
    entry.applied = true;
    return this.#jobParts(entry.block.statements, { scope: new Scope(entry.scope), job, snapshotPaths: false });
  }

  #evaluateJob(entry: JobEntry, name: string, nameRange: SourceRange): JobPlan | undefined {
    const failuresBefore = this.#failures;
    let parts = emptyParts();
    for (const defaults of entry.file.defaults) parts = mergeParts(parts, this.#evaluateDefaults(defaults, name));
    const body = entry.setting.body as Block;
    parts = mergeParts(parts, this.#jobParts(body.statements, { scope: new Scope(entry.scope), job: name, snapshotPaths: false }));
    const origin = this.#origin(entry.setting.range);
    if (this.#failures > failuresBefore) return undefined; // what is missing may be what failed

    if (parts.volumes.length === 0) {
      this.#error('job-without-volume', `job \`${name}\` has no volume`, 'Say what to back up: `volume "/srv/data"` (or `volumes C:, D:` on Windows), in the job or in `defaults`.', nameRange);
    }
    this.#checkUnique(parts.volumes, (v) => v.path, 'duplicate-volume', (p) => `volume \`${p}\` is listed twice`, 'Remove one of them; globs for one volume go in its block: `volume "/srv" { exclude "tmp/**" }`.');
    this.#checkUnique(parts.writers, (w) => w.name, 'duplicate-writer', (n) => `two writers are named \`${n}\``, 'Writer names are unique in a job (defaults included): rename one of them.');
    let providers = parts.providers?.map((p) => p.plan);
    if (!providers || providers.length === 0) {
      this.#warn('job-without-provider', `job \`${name}\` names no provider: its files will be copied live with \`copy\``, 'Add a provider that takes a consistent snapshot (`provider btrfs`, `provider vss`...), or write `provider copy` to make the choice explicit.', nameRange);
      providers = [{ name: 'copy', retries: DEFAULTS.copyRetries, retryDelayMs: DEFAULTS.copyRetryDelayMs, origin }];
    }
    if (parts.targets.length === 0) {
      this.#warn('job-without-target', `job \`${name}\` has no target: nothing will be copied`, 'Add where the data goes: `target tree "/backups"`, `target restic REPOSITORY` or `target exec PROGRAM`.', nameRange);
    }
    if (!providers.some((p) => p.name === 'fsfreeze')) {
      for (const hook of parts.hooks) {
        if (hook.plan.stage === 'during-freeze') {
          this.#warn('during-freeze-without-fsfreeze', '`during-freeze` hooks run only with the `fsfreeze` provider', `Job \`${name}\` has no \`provider fsfreeze\`, so this hook will never run: add the provider or use another stage.`, hook.range);
        }
      }
    }
    return {
      name,
      origin,
      volumes: parts.volumes.map((v) => v.plan),
      exclude: parts.exclude,
      include: parts.include,
      excludeSystemFiles: parts.excludeSystemFiles ?? true,
      oneFileSystem: parts.oneFileSystem ?? true,
      ignoreReadErrors: parts.ignoreReadErrors ?? false,
      backupType: parts.backupType ?? 'full',
      providers,
      ...(parts.quiesce ? { quiesce: parts.quiesce } : {}),
      freezeTimeoutMs: parts.freezeTimeoutMs ?? DEFAULTS.freezeTimeoutMs,
      snapshotTimeoutMs: parts.snapshotTimeoutMs ?? DEFAULTS.snapshotTimeoutMs,
      writers: parts.writers.map((w) => w.plan),
      hooks: parts.hooks.map((h) => h.plan),
      hookEnv: parts.hookEnv ?? 'stillpoint',
      targets: parts.targets,
      schedules: parts.schedules ?? [],
      monitors: parts.monitors,
    };
  }

  #checkUnique<T>(items: Ranged<T>[], key: (t: T) => string, code: string, summary: (k: string) => string, detail: string) {
    const seen = new Map<string, SourceRange>();
    for (const item of items) {
      const k = key(item.plan);
      const first = seen.get(k);
      if (first) this.#error(code, summary(k), detail, item.range, [{ message: 'the first one', range: first }]);
      else seen.set(k, item.range);
    }
  }

  // ------------------------------------------------------------ the generic statement walk

  /** Walks a block's statements: `let`, `if` and `for` here, Settings checked against the catalog and handed to `visit`. */
  #walk(statements: readonly Statement[], block: BlockKind, ctx: Ctx, seen: Map<string, Setting>, visit: (setting: Setting, ctx: Ctx, spec: StatementSpec) => void) {
    for (const statement of statements) {
      switch (statement.kind) {
        case 'Let': {
          const name = statement.name.name;
          if (BUILTIN_VALUE_NAMES.has(name)) {
            this.#error('let-builtin', `\`${name}\` is a built-in value`, 'Choose another name for your value.', statement.name.range);
            break;
          }
          const existing = ctx.scope.vars.get(name);
          if (existing) {
            this.#error('duplicate-let', `\`${name}\` is already defined`, 'A name is bound once per block: choose another name, or change the first `let`.', statement.name.range, [{ message: `\`${name}\` is defined here`, range: existing.range }]);
            break;
          }
          ctx.scope.vars.set(name, { value: this.#expr(statement.value, ctx), range: statement.name.range });
          break;
        }
        case 'If': {
          let chosen: Block | undefined = statement.elseBody;
          for (const branch of statement.branches) {
            const condition = this.#expect(branch.condition, ['bool'], ctx);
            if (condition === undefined) return this.#skip(statements, statement, block, ctx, seen, visit);
            if (condition.type === 'bool' && condition.value) {
              chosen = branch.body;
              break;
            }
          }
          if (chosen) this.#walk(chosen.statements, block, { ...ctx, scope: new Scope(ctx.scope) }, seen, visit);
          break;
        }
        case 'For': {
          const iterable = this.#expect(statement.iterable, ['list'], ctx);
          if (iterable?.type !== 'list') break;
          for (const item of iterable.items) {
            const scope = new Scope(ctx.scope);
            scope.vars.set(statement.variable.name, { value: item, range: statement.variable.range });
            this.#walk(statement.body.statements, block, { ...ctx, scope }, seen, visit);
          }
          break;
        }
        case 'Setting':
          for (const setting of splitSetting(statement, block)) this.#setting(setting, block, ctx, seen, visit);
          break;
      }
    }
  }

  /** After an `if` whose condition failed: go on with the statements after it. */
  #skip(statements: readonly Statement[], failed: Statement, block: BlockKind, ctx: Ctx, seen: Map<string, Setting>, visit: (setting: Setting, ctx: Ctx, spec: StatementSpec) => void) {
    this.#walk(statements.slice(statements.indexOf(failed) + 1), block, ctx, seen, visit);
  }

  #setting(setting: Setting, block: BlockKind, ctx: Ctx, seen: Map<string, Setting>, visit: (setting: Setting, ctx: Ctx, spec: StatementSpec) => void) {
    if (this.#hasSyntaxError(setting)) {
      this.#failures++; // the parser said what is wrong; what it recovered is not worth more messages
      return;
    }
    const keyword = setting.keyword.name;
    const spec = statementSpec(block, keyword);
    if (!spec) {
      this.#unknownStatement(setting, block);
      return;
    }
    const first = seen.get(keyword);
    if (first && !spec.repeatable && first.keyword.range.start.offset !== setting.keyword.range.start.offset) {
      this.#error('duplicate-statement', `\`${keyword}\` is already set in this block`, `\`${keyword}\` may appear once per block: remove one of them.`, setting.keyword.range, [{ message: 'set first here', range: first.keyword.range }]);
      return;
    }
    seen.set(keyword, setting);
    const body = spec.body;
    if (spec.args.kind === 'none' && setting.args.length > 0) {
      const summary = body.kind === 'raw' ? `\`${keyword}\` takes a block of code, not arguments` : `\`${keyword}\` takes no arguments`;
      this.#error('unexpected-argument', summary, `Write it as \`${spec.syntax}\`.`, setting.args[0]![0]!.range);
      return;
    }
    if (body.kind === 'none' && setting.body) {
      this.#error('unexpected-block', `\`${keyword}\` takes no block`, `Write it as \`${spec.syntax}\`.`, setting.body.range);
      return;
    }
    if ((body.kind === 'raw' || (body.kind === 'block' && body.required)) && !setting.body) {
      this.#error('missing-block', `\`${keyword}\` needs a block`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
      return;
    }
    if (body.kind === 'raw' && setting.body?.kind !== 'RawBlock') {
      this.#error('missing-block', `\`${keyword}\` needs a block of code`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
      return;
    }
    if ((body.kind === 'block' || body.kind === 'block-by-word') && setting.body?.kind === 'RawBlock') {
      this.#error('unexpected-block', `\`${keyword}\` takes a block of statements, not code`, `Write it as \`${spec.syntax}\`.`, setting.body.range);
      return;
    }
    if (setting.assignment && spec.args.kind !== 'assignment') {
      this.#error('unexpected-argument', `\`${keyword}\` takes no \`= value\``, `Write it as \`${spec.syntax}\`.`, setting.assignment.range);
      return;
    }
    visit(setting, ctx, spec);
  }

  /** A syntax error inside the statement itself (its block's statements answer for themselves). */
  #hasSyntaxError(setting: Setting): boolean {
    const offsets = this.#input.syntaxErrors?.get(setting.range.file);
    if (!offsets?.length) return false;
    const { start, end } = setting.range;
    const body = setting.body?.kind === 'Block' ? setting.body.range : undefined;
    return offsets.some((o) => o >= start.offset && o < end.offset && !(body && o >= body.start.offset && o < body.end.offset));
  }

  #unknownStatement(setting: Setting, block: BlockKind) {
    const keyword = setting.keyword.name;
    const where = BLOCKS[block].where;
    const home = Object.values(BLOCKS).find((b) => b.statements.some((s) => s.keyword === keyword));
    const known = BLOCKS[block].statements.map((s) => s.keyword);
    const hint = home
      ? ` \`${keyword}\` belongs ${home.where}.`
      : known.length
        ? `${didYouMean(keyword, known)} The statements here are: ${known.join(', ')}.`
        : ' This block takes no statements.';
    this.#error('unknown-statement', `unknown statement \`${keyword}\` ${where}`, hint.trim(), setting.keyword.range);
  }

  // ------------------------------------------------------------ arguments

  /** The single argument of a `one` or `flag` statement (a bare flag is true). */
  #one(setting: Setting, spec: StatementSpec, ctx: Ctx): Value | undefined {
    const args = setting.args;
    if (spec.args.kind === 'flag' && args.length === 0) return { type: 'bool', value: true };
    const item: ArgItem = spec.args.kind === 'one' ? spec.args.item : { kind: 'value', name: 'BOOL', types: ['bool'] };
    if (args.length === 0) {
      this.#error('missing-argument', `\`${setting.keyword.name}\` needs ${item.name === 'BOOL' ? 'a bool' : `a ${item.name}`}`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
      return undefined;
    }
    const extra = args[0]![1] ?? args[1]?.[0];
    if (extra) {
      this.#error('unexpected-argument', `\`${setting.keyword.name}\` takes one argument`, `Write it as \`${spec.syntax}\`.`, extra.range);
      return undefined;
    }
    const expr = args[0]![0]!;
    if (item.kind === 'value') return this.#expect(expr, item.types, ctx);
    const word = this.#item(expr, item, ctx);
    return word === undefined ? undefined : { type: 'string', value: word };
  }

  /** The items of a `list` statement (or a sequence's tail), lists flattened, each checked against `types`. */
  #listItems(exprs: readonly Expr[], types: readonly ValueType[], ctx: Ctx): Value[] | undefined {
    const out: Value[] = [];
    let ok = true;
    const itemTypes: ValueType[] = types.filter((t) => t !== 'list');
    for (const expr of exprs) {
      const value = this.#expr(expr, ctx);
      if (value === undefined) {
        ok = false;
        continue;
      }
      if (value.type === 'snapshot-paths') {
        out.push(value);
        continue;
      }
      const flat = value.type === 'list' && types.includes('list') ? value.items : [value];
      for (const v of flat) {
        if (itemTypes.includes(v.type as ValueType) || (v.type === 'snapshot-paths' && ctx.snapshotPaths)) out.push(v);
        else {
          this.#typeError(expr, itemTypes, v);
          ok = false;
        }
      }
    }
    return ok ? out : undefined;
  }

  /** The comma-separated items of a `list` statement, one item per group. */
  #groups(setting: Setting, spec: StatementSpec): Expr[] | undefined {
    if (setting.args.length === 0) {
      this.#error('missing-argument', `\`${setting.keyword.name}\` needs at least one value`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
      return undefined;
    }
    for (const group of setting.args) {
      if (group.length > 1) {
        this.#error('missing-comma', 'items of a list are separated by commas', `Write it as \`${spec.syntax}\`.`, group[1]!.range);
        return undefined;
      }
    }
    return setting.args.map((g) => g[0]!);
  }

  #list(setting: Setting, spec: StatementSpec, ctx: Ctx): Value[] | undefined {
    const exprs = this.#groups(setting, spec);
    if (!exprs || spec.args.kind !== 'list') return undefined;
    const item = spec.args.item;
    if (item.kind === 'value') return this.#listItems(exprs, item.types, ctx);
    const out: Value[] = [];
    for (const expr of exprs) {
      const word = this.#item(expr, item, ctx);
      if (word === undefined) return undefined;
      out.push({ type: 'string', value: word });
    }
    return out;
  }

  /** A `word` or `name` item as text; undefined after reporting. */
  #item(expr: Expr, item: ArgItem, ctx: Ctx): string | undefined {
    if (item.kind === 'value') {
      const value = this.#expect(expr, ['string'], ctx);
      return value?.type === 'string' ? this.#plain(value, expr, `a ${item.name}`) : undefined;
    }
    if (item.kind === 'name') {
      if (expr.kind === 'Name') return expr.name;
      const value = this.#expect(expr, ['string'], ctx);
      return value?.type === 'string' ? this.#plain(value, expr, 'a name') : undefined;
    }
    let word: string | undefined;
    if (expr.kind === 'Name' && (item.words.includes(expr.name) || !this.#isDefined(expr.name, ctx))) {
      word = expr.name;
    } else {
      const value = this.#expect(expr, ['string'], ctx);
      word = value?.type === 'string' ? this.#plain(value, expr, `a ${item.noun}`) : undefined;
      if (word === undefined) return undefined;
    }
    if (!item.words.includes(word)) {
      const plural = item.noun.endsWith('s') ? item.noun : `${item.noun}s`;
      this.#error(`unknown-${item.noun.toLowerCase().replaceAll(' ', '-')}`, `unknown ${item.noun} \`${word}\``, `${didYouMean(word, item.words)} The ${plural} are: ${item.words.join(', ')}.`.trim(), expr.range);
      return undefined;
    }
    return word;
  }

  #isDefined(name: string, ctx: Ctx): boolean {
    return ctx.scope.lookup(name) !== undefined || BUILTIN_VALUE_NAMES.has(name);
  }

  /** Text that may not hold a secret (it is printed in plans and logs). */
  #plain(value: StringValue, expr: Expr, what: string): string | undefined {
    if (value.shown === undefined) return value.value;
    this.#error('secret-not-allowed', `a secret cannot be used as ${what}`, 'Secrets are kept out of plans and logs, so they may stand only in passwords, URLs, command arguments and hook environment values.', expr.range);
    return undefined;
  }

  #planText(value: StringValue): PlanText {
    return value.shown === undefined ? value.value : this.#input.secrets.add(value.value, value.shown);
  }

  #path(value: StringValue, expr: Expr, what: string): string | undefined {
    const plain = this.#plain(value, expr, what);
    return plain === undefined ? undefined : resolveScriptPath(plain, this.#baseDir(expr.range), this.#builtins.platform);
  }

  readonly #baseDirs = new Map<string, string>();

  #baseDir(range: SourceRange): string {
    let dir = this.#baseDirs.get(range.file);
    if (dir === undefined) {
      dir = nodePath.dirname(nodePath.resolve(range.file));
      this.#baseDirs.set(range.file, dir);
    }
    return dir;
  }

  #strings(values: Value[] | undefined, exprs: readonly Expr[], what: string): string[] | undefined {
    if (!values) return undefined;
    const out: string[] = [];
    for (const [i, value] of values.entries()) {
      const plain = this.#plain(value as StringValue, exprs[Math.min(i, exprs.length - 1)]!, what);
      if (plain === undefined) return undefined;
      out.push(plain);
    }
    return out;
  }

  #duration(setting: Setting, spec: StatementSpec, ctx: Ctx, allowZero = false): number | undefined {
    const value = this.#one(setting, spec, ctx);
    if (value?.type !== 'duration') return undefined;
    if (value.ms <= 0 && !allowZero) {
      this.#error('invalid-duration', `\`${setting.keyword.name}\` must be longer than zero`, `Write a positive duration, such as \`${spec.default ?? '10s'}\`.`, setting.args[0]![0]!.range);
      return undefined;
    }
    return value.ms;
  }

  #count(setting: Setting, spec: StatementSpec, ctx: Ctx, min: number): number | undefined {
    const value = this.#one(setting, spec, ctx);
    if (value?.type !== 'number') return undefined;
    return this.#wholeNumber(value.value, setting.args[0]![0]!, min);
  }

  #wholeNumber(n: number, expr: Expr, min: number): number | undefined {
    if (Number.isInteger(n) && n >= min) return n;
    this.#error('invalid-number', `expected a whole number of at least ${min}, found \`${this.#quote(expr.range)}\``, `Write a whole number such as \`${Math.max(min, 1)}\`.`, expr.range);
    return undefined;
  }

  #bool(setting: Setting, spec: StatementSpec, ctx: Ctx): boolean | undefined {
    const value = this.#one(setting, spec, ctx);
    return value?.type === 'bool' ? value.value : undefined;
  }

  #word(setting: Setting, spec: StatementSpec, ctx: Ctx): string | undefined {
    const value = this.#one(setting, spec, ctx);
    return value?.type === 'string' ? value.value : undefined;
  }

  // ------------------------------------------------------------ job statements

  #jobParts(statements: readonly Statement[], ctx: Ctx): JobParts {
    const parts = emptyParts();
    this.#walk(statements, 'job', ctx, new Map(), (s, c, spec) => this.#jobStatement(s, c, spec, parts));
    return parts;
  }

  #jobStatement(s: Setting, ctx: Ctx, spec: StatementSpec, parts: JobParts) {
    switch (s.keyword.name) {
      case 'volume': {
        const value = this.#one(s, spec, ctx);
        if (value?.type !== 'string') return;
        const path = this.#path(value, s.args[0]![0]!, 'a volume');
        if (path === undefined) return;
        const volume: VolumePlan = { path, include: [], exclude: [], origin: this.#origin(s.range) };
        if (s.body?.kind === 'Block') this.#globBlock(s.body, ctx, volume);
        parts.volumes.push({ plan: volume, range: s.range });
        return;
      }
      case 'volumes': {
        const exprs = this.#groups(s, spec);
        const paths = exprs && this.#strings(this.#list(s, spec, ctx), exprs, 'a volume');
        if (!paths || !exprs) return;
        for (const [i, p] of paths.entries()) {
          const expr = exprs[Math.min(i, exprs.length - 1)]!;
          parts.volumes.push({ plan: { path: resolveScriptPath(p, this.#baseDir(expr.range), this.#builtins.platform), include: [], exclude: [], origin: this.#origin(s.range) }, range: expr.range });
        }
        return;
      }
      case 'exclude':
      case 'include': {
        const globs = this.#globs(s, spec, ctx);
        if (globs) parts[s.keyword.name].push(...globs);
        return;
      }
      case 'exclude-system-files':
        parts.excludeSystemFiles = this.#bool(s, spec, ctx);
        return;
      case 'one-file-system':
        parts.oneFileSystem = this.#bool(s, spec, ctx);
        return;
      case 'ignore-read-errors':
        parts.ignoreReadErrors = this.#bool(s, spec, ctx);
        return;
      case 'backup-type':
        parts.backupType = this.#word(s, spec, ctx) as JobPlan['backupType'] | undefined;
        return;
      case 'hook-env':
        parts.hookEnv = this.#word(s, spec, ctx) as JobPlan['hookEnv'] | undefined;
        return;
      case 'freeze-timeout':
        parts.freezeTimeoutMs = this.#duration(s, spec, ctx);
        return;
      case 'snapshot-timeout':
        parts.snapshotTimeoutMs = this.#duration(s, spec, ctx);
        return;
      case 'provider': {
        const name = this.#word(s, spec, ctx) as ProviderName | undefined;
        if (name) this.#addProvider(parts, this.#provider(name, s, ctx), s.args[0]![0]!.range);
        return;
      }
      case 'providers': {
        const names = this.#list(s, spec, ctx);
        if (!names) return;
        for (const [i, name] of names.entries()) {
          this.#addProvider(parts, this.#provider((name as StringValue).value as ProviderName, undefined, ctx, s), s.args[i]![0]!.range);
        }
        return;
      }
      case 'quiesce':
        parts.quiesce = this.#quiesce(s, ctx);
        return;
      case 'writer': {
        const writer = this.#writer(s, spec, ctx);
        if (writer) parts.writers.push({ plan: writer, range: s.args[0]![0]!.range });
        return;
      }
      case 'hook': {
        const hook = this.#hook(s, ctx);
        if (hook) parts.hooks.push({ plan: hook, range: s.range });
        return;
      }
      case 'target': {
        const target = this.#target(s, spec, ctx);
        if (target) parts.targets.push(target);
        return;
      }
      case 'schedule': {
        const value = this.#one(s, spec, ctx);
        if (value?.type !== 'string') return;
        const cron = this.#plain(value, s.args[0]![0]!, 'a schedule');
        if (cron === undefined) return;
        if (!isCron(cron)) {
          this.#error('invalid-schedule', `\`${cron}\` is not a 5-field cron expression`, 'Write minute, hour, day of month, month and day of week, such as "30 23 * * 1-5" (23:30 on weekdays).', s.args[0]![0]!.range);
          return;
        }
        (parts.schedules ??= []).push(cron);
        return;
      }
      case 'monitor': {
        const monitor = this.#monitor(s, spec, ctx);
        if (monitor) parts.monitors.push(monitor);
        return;
      }
    }
  }

  #globs(s: Setting, spec: StatementSpec, ctx: Ctx): string[] | undefined {
    const exprs = this.#groups(s, spec);
    return exprs && this.#strings(this.#list(s, spec, ctx), exprs, 'a glob');
  }

  #globBlock(block: Block, ctx: Ctx, volume: VolumePlan) {
    this.#walk(block.statements, 'volume', { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (s, c, spec) => {
      const globs = this.#globs(s, spec, c);
      if (globs) volume[s.keyword.name as 'include' | 'exclude'].push(...globs);
    });
  }

  // ------------------------------------------------------------ providers

  #addProvider(parts: JobParts, provider: ProviderPlan | undefined, range: SourceRange) {
    if (!provider) return;
    const list = (parts.providers ??= []);
    const first = list.find((p) => p.plan.name === provider.name);
    if (first) {
      this.#error('duplicate-provider', `provider \`${provider.name}\` is listed twice`, 'Each provider is tried once: remove the second one.', range, [{ message: 'listed first here', range: first.range }]);
      return;
    }
    list.push({ plan: provider, range });
  }

  /** A provider with its options (from `s`'s block when given) and the defaults for the rest. */
  #provider(name: ProviderName, s: Setting | undefined, ctx: Ctx, listed?: Setting): ProviderPlan | undefined {
    const origin = this.#origin((s ?? listed)!.range);
    const options = new Map<string, { setting: Setting; spec: StatementSpec; ctx: Ctx }>();
    const writers = { 'include-writer': [] as string[], 'exclude-writer': [] as string[], 'require-writer': [] as string[] };
    if (s?.body?.kind === 'Block') {
      this.#walk(s.body.statements, `provider:${name}`, { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, spec) => {
        if (!spec.repeatable) {
          options.set(setting.keyword.name, { setting, spec, ctx: c });
          return;
        }
        // Only vss has repeatable options: its writer lists.
        const exprs = this.#groups(setting, spec);
        const list = exprs && this.#strings(this.#list(setting, spec, c), exprs, 'a writer name');
        if (list) writers[setting.keyword.name as keyof typeof writers].push(...list);
      });
    }
    const read = <T>(key: string, fn: (setting: Setting, spec: StatementSpec, c: Ctx) => T | undefined, fallback: T): T => {
      const option = options.get(key);
      return option ? (fn(option.setting, option.spec, option.ctx) ?? fallback) : fallback;
    };
    switch (name) {
      case 'vss': {
        const providerId = read<string | undefined>('provider-id', (setting, spec, c) => {
          const v = this.#one(setting, spec, c);
          const id = v?.type === 'string' ? this.#plain(v, setting.args[0]![0]!, 'a provider id') : undefined;
          if (id === undefined) return undefined;
          if (!/^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/.test(id)) {
            this.#error('invalid-guid', `\`${id}\` is not a GUID`, 'Write the provider id as `"{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}"` (`vssadmin list providers` shows them).', setting.args[0]![0]!.range);
            return undefined;
          }
          return id;
        }, undefined);
        return {
          name,
          context: read('context', (a, b, c) => this.#word(a, b, c) as 'backup' | 'file-share-backup' | undefined, 'backup'),
          includeWriters: writers['include-writer'],
          excludeWriters: writers['exclude-writer'],
          requireWriters: writers['require-writer'],
          ...(providerId !== undefined ? { providerId } : {}),
          timeoutMs: read('timeout', (a, b, c) => this.#duration(a, b, c), DEFAULTS.vssTimeoutMs),
          origin,
        };
      }
      case 'btrfs':
        return {
          name,
          snapshotDir: read('snapshot-dir', (a, b, c) => {
            const v = this.#one(a, b, c);
            return v?.type === 'string' ? this.#plain(v, a.args[0]![0]!, 'a folder') : undefined;
          }, DEFAULTS.btrfsSnapshotDir),
          origin,
        };
      case 'lvm':
        return {
          name,
          size: read<ProviderPlan & { name: 'lvm' } extends { size: infer S } ? S : never>('size', (a, b, c) => {
            const v = this.#one(a, b, c);
            if (v?.type === 'size') return { bytes: v.bytes };
            if (v?.type !== 'percent') return undefined;
            if (v.value > 0 && v.value <= 100) return { percent: v.value };
            this.#error('invalid-percent', `a snapshot size of \`${v.value}%\` is out of range`, 'Write a percentage above 0% and at most 100%, such as `10%`.', a.args[0]![0]!.range);
            return undefined;
          }, DEFAULTS.lvmSize),
          origin,
        };
      case 'copy':
        return {
          name,
          retries: read('retries', (a, b, c) => this.#count(a, b, c, 0), DEFAULTS.copyRetries),
          retryDelayMs: read('retry-delay', (a, b, c) => this.#duration(a, b, c, true), DEFAULTS.copyRetryDelayMs),
          origin,
        };
      default:
        return { name, origin };
    }
  }

  #quiesce(s: Setting, ctx: Ctx): QuiescePlan | undefined {
    const found: { idle?: number; within?: number; onTimeout?: 'proceed' | 'fail' } = {};
    const failuresBefore = this.#failures;
    const failed = () => this.#failures > failuresBefore;
    this.#walk((s.body as Block).statements, 'quiesce', { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, spec) => {
      const key = setting.keyword.name;
      if (key === 'on-timeout') found.onTimeout = this.#word(setting, spec, c) as 'proceed' | 'fail' | undefined;
      else {
        const ms = this.#duration(setting, spec, c);
        found[key as 'idle' | 'within'] = ms;
      }
    });
    if (failed()) return undefined;
    if (found.idle === undefined || found.within === undefined) {
      this.#error('quiesce-incomplete', '`quiesce` needs `idle` and `within`', 'Write it as `quiesce { idle 3s  within 2m }`: wait for 3 seconds without writes, at most 2 minutes.', s.keyword.range);
      return undefined;
    }
    return { idleMs: found.idle, withinMs: found.within, onTimeout: found.onTimeout ?? 'proceed' };
  }

  // ------------------------------------------------------------ writers

  #sequence(s: Setting, spec: StatementSpec, min: number, max: number, usage: string): Expr[] | undefined {
    const [first = [], ...more] = s.args;
    if (first.length < min) {
      this.#error('missing-argument', `\`${s.keyword.name}\` needs ${usage}`, `Write it as \`${spec.syntax}\`.`, first.at(-1)?.range ?? s.keyword.range);
      return undefined;
    }
    const extra = first[max] ?? more[0]?.[0];
    if (extra) {
      this.#error('unexpected-argument', `too many arguments for \`${s.keyword.name}\``, `Write it as \`${spec.syntax}\`.`, extra.range);
      return undefined;
    }
    return first;
  }

  #writer(s: Setting, spec: StatementSpec, ctx: Ctx): WriterPlan | undefined {
    const items = this.#sequence(s, spec, 2, 3, 'a name and a kind');
    if (!items || spec.args.kind !== 'sequence') return undefined;
    const [first, second] = items;
    if (first!.kind === 'Name' && WRITER_KIND_NAMES.has(first!.name) && second!.kind !== 'Name') {
      this.#error('writer-without-name', 'a writer needs a name before its kind', `Name it, so that reports and vetoes can say which writer: \`writer "db" ${first!.name} ...\`.`, first!.range);
      return undefined;
    }
    const name = this.#item(items[0]!, spec.args.items[0]!, ctx);
    const kind = this.#item(items[1]!, spec.args.items[1]!, ctx) as WriterKind | undefined;
    if (name === undefined || kind === undefined) return undefined;
    const argument = items[2];
    const argumentName = kind === 'sqlite' ? 'PATH' : kind === 'postgres' ? 'URL' : undefined;
    if (argumentName && !argument) {
      this.#error('missing-argument', `a ${kind} writer needs its ${kind === 'sqlite' ? 'database file' : 'connection URL'}`, kind === 'sqlite' ? `Write it as \`writer "${name}" sqlite "/srv/app/data.db"\`.` : `Write it as \`writer "${name}" postgres "postgres://backup@localhost/app"\`.`, items[1]!.range);
      return undefined;
    }
    if (!argumentName && argument) {
      this.#error('unexpected-argument', `a ${kind} writer takes its settings in a block`, `Write it as \`writer "${name}" ${kind} { ... }\`.`, argument.range);
      return undefined;
    }
    const common: { name: string; timeoutMs: number; required: boolean; origin: string } = { name, timeoutMs: DEFAULTS.writerTimeoutMs, required: true, origin: this.#origin(s.range) };
    const options = new Map<string, { setting: Setting; spec: StatementSpec; ctx: Ctx }>();
    const steps = new Map<string, CommandPlan>();
    const failuresBefore = this.#failures;
    const failed = () => this.#failures > failuresBefore;
    if (s.body?.kind === 'Block') {
      this.#walk(s.body.statements, `writer:${kind}`, { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, optionSpec) => {
        const key = setting.keyword.name;
        if (kind === 'command' && !['timeout', 'required'].includes(key)) {
          const command = this.#command(setting, optionSpec, c);
          if (command) steps.set(key, command);
          return;
        }
        options.set(key, { setting, spec: optionSpec, ctx: c });
      });
    }
    for (const [key, option] of options) {
      const { setting, spec: optionSpec, ctx: c } = option;
      if (key === 'timeout') {
        const ms = this.#duration(setting, optionSpec, c);
        if (ms !== undefined) common.timeoutMs = ms;
      } else if (key === 'required') {
        const b = this.#bool(setting, optionSpec, c);
        if (b !== undefined) common.required = b;
      }
    }
    switch (kind) {
      case 'sqlite': {
        const value = this.#expect(argument!, ['string'], ctx);
        const path = value?.type === 'string' ? this.#path(value, argument!, 'a database path') : undefined;
        return path === undefined || failed() ? undefined : { ...common, kind, path };
      }
      case 'postgres': {
        const value = this.#expect(argument!, ['string'], ctx);
        const mode = options.get('backup-mode');
        const backupMode = mode ? this.#bool(mode.setting, mode.spec, mode.ctx) : false;
        return value?.type !== 'string' || backupMode === undefined || failed() ? undefined : { ...common, kind, url: this.#planText(value), backupMode };
      }
      case 'process': {
        const selectors = ['pid-file', 'pid', 'cgroup'].filter((k) => options.has(k));
        if (selectors.length !== 1) {
          const second = selectors[1] ? options.get(selectors[1])!.setting.keyword.range : s.keyword.range;
          this.#error('process-writer-selector', selectors.length === 0 ? 'a process writer needs `pid-file`, `pid` or `cgroup`' : 'a process writer takes one of `pid-file`, `pid` and `cgroup`', 'Say which processes to stop, once: `writer "app" process { cgroup "/sys/fs/cgroup/system.slice/app.service" }`.', second);
          return undefined;
        }
        const key = selectors[0]!;
        const { setting, spec: optionSpec, ctx: c } = options.get(key)!;
        if (key === 'pid') {
          const pid = this.#count(setting, optionSpec, c, 1);
          return pid === undefined || failed() ? undefined : { ...common, kind, select: { pid } };
        }
        const value = this.#one(setting, optionSpec, c);
        const path = value?.type === 'string' ? this.#path(value, setting.args[0]![0]!, 'a path') : undefined;
        if (path === undefined || failed()) return undefined;
        return { ...common, kind, select: key === 'cgroup' ? { cgroup: path } : { pidFile: path } };
      }
      case 'command': {
        if (failed()) return undefined;
        if (steps.size === 0) {
          this.#error('command-writer-without-steps', 'a command writer needs at least one step', 'Give it commands for some of its steps: `writer "app" command { freeze "app-ctl pause"  thaw "app-ctl resume" }`.', s.keyword.range);
          return undefined;
        }
        const get = (key: string) => steps.get(key);
        return {
          ...common,
          kind,
          ...(get('prepare') ? { prepare: get('prepare') } : {}),
          ...(get('freeze') ? { freeze: get('freeze') } : {}),
          ...(get('thaw') ? { thaw: get('thaw') } : {}),
          ...(get('post-snapshot') ? { postSnapshot: get('post-snapshot') } : {}),
          ...(get('backup-complete') ? { backupComplete: get('backup-complete') } : {}),
        };
      }
    }
  }

  /** One string: the platform shell; a list or several items: a program and its arguments. */
  #command(s: Setting, spec: StatementSpec, ctx: Ctx): CommandPlan | undefined {
    const exprs = this.#groups(s, spec);
    if (!exprs) return undefined;
    if (exprs.length === 1) {
      const value = this.#expect(exprs[0]!, ['string', 'list'], ctx);
      if (value?.type === 'string') return { shell: this.#planText(value) };
      if (value === undefined) return undefined;
    }
    const argv = this.#argv(exprs, ctx);
    if (!argv) return undefined;
    if (argv.length === 0) {
      this.#error('missing-argument', `\`${s.keyword.name}\` needs a program`, `Write it as \`${s.keyword.name} ["program", "argument"]\`.`, s.args[0]![0]!.range);
      return undefined;
    }
    return { argv: argv as PlanText[] };
  }

  /** A program and its arguments; `snapshot_paths` only where ctx allows it. */
  #argv(exprs: readonly Expr[], ctx: Ctx): ArgvItem[] | undefined {
    const values = this.#listItems(exprs, ['string', 'list'], ctx);
    return values?.map((v) => (v.type === 'snapshot-paths' ? { snapshotPaths: true } : this.#planText(v as StringValue)));
  }

  // ------------------------------------------------------------ hooks

  #hook(s: Setting, ctx: Ctx): HookPlan | undefined {
    const spec = statementSpec('job', 'hook')!;
    if (spec.args.kind !== 'sequence') return undefined;
    const [first = [], ...more] = s.args;
    if (first.length === 0) {
      this.#error('missing-argument', '`hook` needs a stage', `Write it as \`hook before-backup run "program", "argument"\`; the stages are: ${HOOK_STAGES.map((h) => h.name).join(', ')}.`, s.keyword.range);
      return undefined;
    }
    const stage = this.#item(first[0]!, spec.args.items[0]!, ctx) as HookStage | undefined;
    if (stage === undefined) return undefined;
    const hookCtx: Ctx = { ...ctx, scope: new Scope(ctx.scope) };
    const hook: HookPlan = { stage, actions: [], timeoutMs: DEFAULTS.hookTimeoutMs, allowFailure: false, cwd: this.#baseDir(s.range), env: {}, origin: this.#origin(s.range) };
    const failuresBefore = this.#failures;
    const failed = () => this.#failures > failuresBefore;
    const actionExpr = first[1];
    if (actionExpr) {
      const action = this.#item(actionExpr, spec.args.items[1]!, ctx);
      if (action === undefined) return undefined;
      if (action === 'run') {
        const argv = this.#runArgv([...first.slice(2), ...more.flat()], stage, hookCtx, actionExpr.range);
        if (!argv) return undefined;
        hook.actions.push({ kind: 'run', argv });
      } else {
        const extra = first[2] ?? more[0]?.[0];
        if (extra) {
          this.#error('unexpected-argument', `\`${action}\` takes a block of code, not arguments`, `Write it as \`hook ${stage} ${action} { ... }\`.`, extra.range);
          return undefined;
        }
        if (s.body?.kind !== 'RawBlock') {
          this.#error('missing-block', `\`${action}\` needs a block of code`, `Write it as \`hook ${stage} ${action} { ... }\`.`, actionExpr.range);
          return undefined;
        }
        hook.actions.push({ kind: action as 'sh' | 'pwsh' | 'cmd', code: s.body.code, line: s.body.codeLine });
        return hook;
      }
    } else if (more.length > 0) {
      this.#error('unexpected-argument', '`hook` takes its stage, then an action', `Write it as \`hook ${stage} run "program", "argument"\`.`, more[0]![0]!.range);
      return undefined;
    }
    if (s.body?.kind === 'Block') {
      this.#walk(s.body.statements, 'hook', hookCtx, new Map(), (setting, c, optionSpec) => {
        this.#hookStatement(setting, c, optionSpec, hook, stage);
      });
    } else if (s.body?.kind === 'RawBlock') {
      this.#error('unexpected-block', 'a block of code needs its language', `Write \`hook ${stage} sh { ... }\` (or \`pwsh\`, \`cmd\`).`, s.body.range);
      return undefined;
    }
    if (failed()) return undefined;
    if (hook.actions.length === 0) {
      this.#error('hook-without-action', `this \`${stage}\` hook has nothing to run`, `Give it an action: \`hook ${stage} run "program", "argument"\` or \`hook ${stage} { sh { ... } }\`.`, s.keyword.range);
      return undefined;
    }
    return hook;
  }

  #runArgv(exprs: readonly Expr[], stage: HookStage, ctx: Ctx, at: SourceRange): ArgvItem[] | undefined {
    const argv = this.#argv(exprs, { ...ctx, snapshotPaths: stage === 'after-snapshot' });
    if (argv?.length === 0) {
      this.#error('missing-argument', '`run` needs a program', 'Write it as `run "program", "argument", ...`.', at);
      return undefined;
    }
    return argv;
  }

  #hookStatement(s: Setting, ctx: Ctx, spec: StatementSpec, hook: HookPlan, stage: HookStage) {
    const key = s.keyword.name;
    switch (key) {
      case 'run': {
        const exprs = this.#groups(s, spec);
        const argv = exprs && this.#runArgv(exprs, stage, ctx, s.keyword.range);
        if (argv) hook.actions.push({ kind: 'run', argv });
        return;
      }
      case 'sh':
      case 'pwsh':
      case 'cmd':
        hook.actions.push({ kind: key, code: (s.body as RawBlock).code, line: (s.body as RawBlock).codeLine });
        return;
      case 'timeout': {
        const ms = this.#duration(s, spec, ctx);
        if (ms !== undefined) hook.timeoutMs = ms;
        return;
      }
      case 'allow-failure': {
        const b = this.#bool(s, spec, ctx);
        if (b !== undefined) hook.allowFailure = b;
        return;
      }
      case 'cwd': {
        const value = this.#one(s, spec, ctx);
        const path = value?.type === 'string' ? this.#path(value, s.args[0]![0]!, 'a folder') : undefined;
        if (path !== undefined) hook.cwd = path;
        return;
      }
      case 'env':
        this.#hookEnv(s, ctx, hook);
        return;
    }
  }

  #hookEnv(s: Setting, ctx: Ctx, hook: HookPlan) {
    const nameExpr = s.args[0]?.[0];
    if (!nameExpr || !s.assignment || s.args.length > 1 || s.args[0]!.length > 1) {
      this.#error('invalid-env', '`env` sets one variable', 'Write it as `env NAME = "value"`.', (s.args[0]?.[1] ?? nameExpr ?? s.keyword).range);
      return;
    }
    const name = this.#item(nameExpr, { kind: 'name', name: 'NAME' }, ctx);
    if (name === undefined) return;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      this.#error('invalid-env', `\`${name}\` is not a valid environment variable name`, 'Use letters, digits and `_`, not starting with a digit: `env BACKUP_TARGET = "..."`.', nameExpr.range);
      return;
    }
    if (name in hook.env) {
      this.#error('duplicate-env', `\`${name}\` is already set for this hook`, 'Set each variable once.', nameExpr.range);
      return;
    }
    const value = this.#expect(s.assignment, ['string', 'number', 'bool'], ctx);
    if (value !== undefined) hook.env[name] = this.#planText({ type: 'string', ...interpolationText(value)! });
  }

  // ------------------------------------------------------------ targets and monitors

  #target(s: Setting, spec: StatementSpec, ctx: Ctx): TargetPlan | undefined {
    const items = this.#sequence(s, spec, 2, 2, 'a kind and where to');
    if (!items || spec.args.kind !== 'sequence') return undefined;
    const kind = this.#item(items[0]!, spec.args.items[0]!, ctx) as TargetPlan['kind'] | undefined;
    if (kind === undefined) return undefined;
    const argument = this.#expect(items[1]!, ['string'], ctx);
    if (argument?.type !== 'string') return undefined;
    const origin = this.#origin(s.range);
    let keep: KeepPlan | undefined;
    let password: PlanText | undefined;
    const tags: string[] = [];
    const args: ArgvItem[] = [];
    const failuresBefore = this.#failures;
    const failed = () => this.#failures > failuresBefore;
    if (s.body?.kind === 'Block') {
      const targetCtx: Ctx = { ...ctx, scope: new Scope(ctx.scope), snapshotPaths: kind === 'exec' };
      this.#walk(s.body.statements, `target:${kind}`, targetCtx, new Map(), (setting, c, optionSpec) => {
        switch (setting.keyword.name) {
          case 'keep':
            keep = this.#keep(setting, c);
            return;
          case 'password': {
            const value = this.#one(setting, optionSpec, c);
            if (value?.type === 'string') password = this.#planText(value);
            return;
          }
          case 'tags': {
            const exprs = this.#groups(setting, optionSpec);
            const list = exprs && this.#strings(this.#list(setting, optionSpec, c), exprs, 'a tag');
            if (list) tags.push(...list);
            return;
          }
          case 'args': {
            const exprs = this.#groups(setting, optionSpec);
            const list = exprs && this.#argv(exprs, c);
            if (list) args.push(...list);
            return;
          }
        }
      });
    }
    if (failed()) return undefined;
    switch (kind) {
      case 'tree': {
        const path = this.#path(argument, items[1]!, 'a target path');
        return path === undefined ? undefined : { kind, path, ...(keep ? { keep } : {}), origin };
      }
      case 'restic':
        return { kind, repository: this.#planText(argument), ...(password !== undefined ? { password } : {}), tags, args: args as PlanText[], ...(keep ? { keep } : {}), origin };
      case 'exec':
        return { kind, program: this.#planText(argument), args, origin };
    }
  }

  #keep(s: Setting, ctx: Ctx): KeepPlan | undefined {
    const keep: KeepPlan = {};
    const spec = statementSpec('target:tree', 'keep')!;
    if (spec.args.kind !== 'pairs') return undefined;
    const keys = spec.args.keys;
    if (s.args.length === 0) {
      this.#error('missing-argument', '`keep` needs at least one rule', `Write it as \`${spec.syntax}\`.`, s.keyword.range);
      return undefined;
    }
    for (const [keyExpr, countExpr, extra] of s.args) {
      const key = keyExpr?.kind === 'Name' ? keyExpr.name : undefined;
      if (!keyExpr || key === undefined || !keys.includes(key)) {
        const word = key ?? this.#quote(keyExpr!.range);
        this.#error('unknown-keep-rule', `unknown retention rule \`${word}\``, `${didYouMean(word, keys)} The rules are: ${keys.join(', ')}, each followed by a number: \`keep last 16, daily 7\`.`.trim(), keyExpr!.range);
        return undefined;
      }
      if (!countExpr || extra) {
        this.#error('missing-argument', `\`${key}\` needs a number`, `Write it as \`keep ${key} 7\`, with rules separated by commas.`, (extra ?? keyExpr).range);
        return undefined;
      }
      if (keep[key as keyof KeepPlan] !== undefined) {
        this.#error('duplicate-keep-rule', `\`${key}\` is given twice`, 'Give each retention rule once.', keyExpr.range);
        return undefined;
      }
      const count = this.#expect(countExpr, ['number'], ctx);
      if (count?.type !== 'number') return undefined;
      const n = this.#wholeNumber(count.value, countExpr, 1);
      if (n === undefined) return undefined;
      keep[key as keyof KeepPlan] = n;
    }
    return keep;
  }

  #monitor(s: Setting, spec: StatementSpec, ctx: Ctx): MonitorPlan | undefined {
    const items = this.#sequence(s, spec, 2, 2, 'a kind and a URL or path');
    if (!items || spec.args.kind !== 'sequence') return undefined;
    const kind = this.#item(items[0]!, spec.args.items[0]!, ctx) as MonitorPlan['kind'] | undefined;
    if (kind === undefined) return undefined;
    const argument = this.#expect(items[1]!, ['string'], ctx);
    if (argument?.type !== 'string') return undefined;
    let on: MonitorEvent[] | undefined = [...MONITOR_KINDS.find((m) => m.name === kind)!.defaultEvents];
    if (s.body?.kind === 'Block') {
      this.#walk(s.body.statements, 'monitor', { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, optionSpec) => {
        on = this.#list(setting, optionSpec, c)?.map((v) => (v as StringValue).value as MonitorEvent);
      });
    }
    if (!on) return undefined;
    const location = kind === 'textfile' ? this.#path(argument, items[1]!, 'a metrics file') : this.#planText(argument);
    return location === undefined ? undefined : { kind, location, on, origin: this.#origin(s.range) };
  }

  // ------------------------------------------------------------ expressions

  #expect(expr: Expr, types: readonly ValueType[], ctx: Ctx): Value | undefined {
    const value = this.#expr(expr, ctx);
    if (value === undefined) return undefined;
    if (types.includes(value.type as ValueType)) return value;
    this.#typeError(expr, types, value);
    return undefined;
  }

  #expr(expr: Expr, ctx: Ctx): Value | undefined {
    switch (expr.kind) {
      case 'String':
        return this.#string(expr, ctx);
      case 'RawString':
      case 'Number':
      case 'Percent':
      case 'Duration':
      case 'Size':
      case 'Drive':
      case 'Bool':
      case 'None':
        return literalValue(expr);
      case 'Name':
        return this.#name(expr.name, expr.range, ctx);
      case 'Call':
        return this.#call(expr, ctx);
      case 'List': {
        const items = expr.items.map((item) => this.#expr(item, ctx));
        if (items.some((item) => item === undefined)) return undefined;
        return { type: 'list', items: items as Value[] };
      }
      case 'Binary':
        return this.#binary(expr, ctx);
      case 'Not': {
        const operand = this.#expect(expr.operand, ['bool'], ctx);
        return operand?.type === 'bool' ? { type: 'bool', value: !operand.value } : undefined;
      }
      case 'Paren':
        return this.#expr(expr.expr, ctx);
      case 'Error':
        return undefined;
    }
  }

  #string(expr: Extract<Expr, { kind: 'String' }>, ctx: Ctx): Value | undefined {
    const parts: { value: string; shown?: string }[] = [];
    let ok = true;
    for (const part of expr.parts) {
      if (part.kind === 'Text') {
        parts.push({ value: part.value });
        continue;
      }
      const value = this.#expr(part.expr, ctx);
      if (value === undefined) {
        ok = false;
        continue;
      }
      if (value.type === 'snapshot-paths') {
        if (expr.parts.length === 1) return value;
        this.#error('snapshot-paths-in-text', '`snapshot_paths` must be an argument of its own', 'It expands to one argument per snapshot path, so it cannot be part of a longer text: write `snapshot_paths` as a separate item.', part.range);
        ok = false;
        continue;
      }
      const piece = interpolationText(value);
      if (!piece) {
        const detail = value.type === 'none' ? 'The value is none (an unset environment variable, say): give a fallback, as in `${env("X") ?? "default"}`.' : 'Only single values can be put into text: pick one item, or use `for` over the list.';
        this.#error('not-text', `${typeNoun(value.type)} cannot be put into text: \`${this.#quote(part.expr.range)}\``, detail, part.expr.range);
        ok = false;
        continue;
      }
      parts.push(piece);
    }
    return ok ? joinText(parts) : undefined;
  }

  #name(name: string, range: SourceRange, ctx: Ctx): Value | undefined {
    const binding = ctx.scope.lookup(name);
    if (binding) {
      if (binding.value === undefined) this.#failures++; // reported where it was bound
      return binding.value;
    }
    if (name === 'job') {
      if (ctx.job !== undefined) return { type: 'string', value: ctx.job };
      this.#error('job-outside-job', '`job` is known only inside a job', 'Use `job` inside `job NAME { ... }` or `defaults { ... }`, where it is the job\'s name.', range);
      return undefined;
    }
    if (name === 'snapshot_paths') {
      if (ctx.snapshotPaths) return { type: 'snapshot-paths' };
      this.#error('snapshot-paths-here', '`snapshot_paths` is not known here', 'It exists only once the snapshot does: use it in `target exec` args or in `run` actions of `after-snapshot` hooks (hooks also get STILLPOINT_SNAPSHOT_PATHS).', range);
      return undefined;
    }
    const builtin = builtinValue(name, { ...this.#builtins, baseDir: this.#baseDir(range) });
    if (builtin) return builtin;
    const suggestion = didYouMean(name, [...ctx.scope.names(), ...VALUES.map((v) => v.name)]);
    this.#error('unknown-name', `unknown name \`${name}\``, `${suggestion} Define it with \`let ${name} = ...\` before this line, or put text in quotes: \`"${name}"\`.`.trim(), range);
    return undefined;
  }

  #call(expr: Extract<Expr, { kind: 'Call' }>, ctx: Ctx): Value | undefined {
    const name = expr.callee.name;
    const spec = FUNCTIONS.find((f) => f.name === name);
    const impl = BUILTIN_FUNCTIONS[name];
    if (!spec || !impl) {
      this.#error('unknown-function', `unknown function \`${name}\``, `${didYouMean(name, FUNCTIONS.map((f) => f.name))} The functions are: ${FUNCTIONS.map((f) => f.name).join(', ')}.`.trim(), expr.callee.range);
      return undefined;
    }
    if (expr.args.length < spec.minArgs) {
      this.#error('missing-argument', `\`${name}\` needs ${spec.minArgs === 1 ? 'an argument' : `${spec.minArgs} arguments`}`, `Call it as \`${spec.signature}\`.`, expr.range);
      return undefined;
    }
    if (!spec.rest && expr.args.length > spec.params.length) {
      this.#error('unexpected-argument', `too many arguments for \`${name}\``, `Call it as \`${spec.signature}\`.`, expr.args[spec.params.length]!.range);
      return undefined;
    }
    const args: Value[] = [];
    let ok = true;
    for (const [i, arg] of expr.args.entries()) {
      const value = this.#expect(arg, spec.params[Math.min(i, spec.params.length - 1)]!, ctx);
      if (value === undefined) ok = false;
      else args.push(value);
    }
    if (!ok) return undefined;
    const result = impl(args, { ...this.#builtins, baseDir: this.#baseDir(expr.range) });
    if ('error' in result) {
      this.#error(result.error.code, result.error.summary, result.error.detail, expr.range);
      return undefined;
    }
    return result.value;
  }

  #binary(expr: Extract<Expr, { kind: 'Binary' }>, ctx: Ctx): Value | undefined {
    switch (expr.op) {
      case '??': {
        const left = this.#expr(expr.left, ctx);
        if (left === undefined) return undefined;
        return left.type === 'none' ? this.#expr(expr.right, ctx) : left;
      }
      case '==':
      case '!=': {
        const left = this.#expr(expr.left, ctx);
        const right = this.#expr(expr.right, ctx);
        if (left === undefined || right === undefined) return undefined;
        const equal = valuesEqual(left, right);
        return { type: 'bool', value: expr.op === '==' ? equal : !equal };
      }
      case 'and':
      case 'or': {
        const left = this.#expect(expr.left, ['bool'], ctx);
        if (left?.type !== 'bool') return undefined;
        // Short-circuit, so that `exists(p) and file(p) == "x"` reads the file only when it exists.
        if (left.value === (expr.op === 'or')) return left;
        return this.#expect(expr.right, ['bool'], ctx);
      }
    }
  }
}

/** Five fields of the characters cron uses; the scheduler parses them fully. */
function isCron(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => /^[0-9A-Za-z*?,/-]+$/.test(f));
}
