// One evaluation of a script and its imports: the input, the diagnostics, and what has been read.

import * as nodePath from 'node:path';
import type { SecretStore } from '../base/secret.ts';
import type { Block, Expr, Setting, SourceFile } from '../language/ast.ts';
import type { Diagnostic, RelatedInformation, Severity, SourceRange } from '../language/diagnostic.ts';
import { MAX_JOBS, MAX_LOOP_ITERATIONS, MAX_STRING_LENGTH } from '../language/limits.ts';
import type { BuiltinContext, Platform } from './builtins.ts';
import type { ExternalValue } from './external.ts';
import { Scope } from './scope.ts';
import type { Plan, PlanText } from './types.ts';
import { isRunTime, type StringValue, type Value } from './values.ts';

export interface EvaluationOptions {
  platform: Platform;
  hostname: string;
  runId: string;
  started: Date;
  env: Record<string, string | undefined>;
  /** Evaluate as `run` does: `file(...)` and `exists(...)` read the disk. Otherwise they are run-time values. */
  runTime: boolean;
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
  /**
   * base/cron.ts's cronProblem, for `schedule` statements. Loading the cron parser is a good part
   * of `check`'s start-up, so load.ts passes it only when a file's text has a `schedule`.
   */
  cronProblem?: (expression: string) => string | undefined;
}

/**
 * One pass of evaluate.ts over a script. Without `runTime`, it decides which branch an `if`
 * whose condition is known only at run time takes: pass 0 (the plan's) takes the first;
 * later passes take one the passes before did not, so that every branch is checked.
 */
export interface BranchPass {
  index: number;
  branches: RunTimeBranches;
}

/** The branches of run-time `if`s that the passes over a script have seen, and those they have taken, by position. */
export class RunTimeBranches {
  readonly #seen = new Map<string, Block>();
  readonly #taken = new Set<string>();

  see(block: Block) {
    this.#seen.set(key(block), block);
  }

  /** Marks the branch taken; true when no pass took it before. */
  take(block: Block): boolean {
    if (this.#taken.has(key(block))) return false;
    this.#taken.add(key(block));
    return true;
  }

  taken(block: Block): boolean {
    return this.#taken.has(key(block));
  }

  /** A branch seen and never taken lies inside `block` (the way to reach it). */
  leadsToUntaken(block: Block): boolean {
    const { file, start, end } = block.range;
    return [...this.#seen.values()].some((b) => !this.taken(b) && b.range.file === file && b.range.start.offset > start.offset && b.range.end.offset <= end.offset);
  }

  get allTaken(): boolean {
    return [...this.#seen.values()].every((b) => this.taken(b));
  }
}

function key(block: Block): string {
  return `${block.range.file}:${block.range.start.offset}`;
}

export interface EvaluationResult {
  plan: Plan;
  diagnostics: Diagnostic[];
  /** The values that came from the environment or a file, each with the expression that read it. */
  external: ExternalValue[];
  /** The run-time conditions the plan took as true, while the script was only read (Evaluation.runTimeBranch). */
  assumed: RunTimeCondition[];
}

/** A condition known only when the job runs: its source text and where it stands. */
export interface RunTimeCondition {
  expression: string;
  origin: string;
}

export interface DefaultsEntry {
  block: Block;
  scope: Scope;
  applied: boolean;
}

export interface FileResult {
  scope: Scope;
  /** Of this file and of everything it imports, in the order they apply. */
  defaults: DefaultsEntry[];
}

export interface JobEntry {
  setting: Setting;
  scope: Scope;
  file: FileResult;
}

/** Two diagnostics with the same key say the same thing at the same place: one is enough. */
export function diagnosticKey(d: Diagnostic): string {
  return `${d.severity}|${d.code}|${d.summary}|${d.range?.file}:${d.range?.start.offset}-${d.range?.end.offset}`;
}

/** The state of one evaluation: its input, what it found wrong, and what it has read so far. */
export class Evaluation {
  readonly input: EvaluationInput;
  readonly diagnostics: Diagnostic[] = [];
  readonly #reported = new Set<string>();
  /** Every error found, also those already reported once: a job whose parts failed skips its completeness checks. */
  failures = 0;
  readonly files = new Map<string, FileResult>();
  readonly importChain: string[] = [];
  readonly jobs: JobEntry[] = [];
  readonly external: ExternalValue[] = [];
  #iterations = 0;
  #tooManyJobs = false;
  /** This pass took a branch of a run-time `if` that no pass before it took. */
  tookNewBranch = false;
  readonly assumed: RunTimeCondition[] = [];
  readonly builtins: Omit<BuiltinContext, 'baseDir'>;
  readonly #baseDirs = new Map<string, string>();

  readonly #pass: BranchPass;

  constructor(input: EvaluationInput, pass: BranchPass) {
    this.input = input;
    this.#pass = pass;
    this.builtins = input.options;
  }

  report(severity: Severity, code: string, summary: string, detail: string, range: SourceRange | undefined, related?: RelatedInformation[]) {
    if (severity === 'error') this.failures++;
    const diagnostic: Diagnostic = { severity, code, summary, detail, ...(range ? { range } : {}), ...(related?.length ? { related } : {}) };
    const key = diagnosticKey(diagnostic);
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.diagnostics.push(diagnostic);
  }

  error(code: string, summary: string, detail: string, range: SourceRange | undefined, related?: RelatedInformation[]) {
    this.report('error', code, summary, detail, range, related);
  }

  warn(code: string, summary: string, detail: string, range: SourceRange | undefined) {
    this.report('warning', code, summary, detail, range);
  }

  /** `run` evaluates: `file(...)` and `exists(...)` read the disk. */
  get runTime(): boolean {
    return this.input.options.runTime;
  }

  /** The value is known only when the job runs, and this evaluation only reads the script: it has none yet. */
  unknownNow(value: Value): boolean {
    return !this.runTime && isRunTime(value);
  }

  /**
   * The branch to take of an `if` whose first condition known only at run time is
   * `condition`, among the branches it may take then (`undefined`: none, when there is no
   * `else`). The plan's pass takes the first, as if `condition` held, and says so.
   */
  runTimeBranch(condition: Expr, candidates: readonly (Block | undefined)[]): Block | undefined {
    const { index, branches } = this.#pass;
    if (index === 0) {
      const origin = this.origin(condition.range);
      if (!this.assumed.some((a) => a.origin === origin)) this.assumed.push({ expression: this.quote(condition.range), origin });
    }
    const blocks = candidates.filter((b): b is Block => b !== undefined);
    for (const block of blocks) branches.see(block);
    // Pass 0 makes the plan: the same branch wherever the `if` is evaluated.
    const chosen = index === 0 ? candidates[0] : (blocks.find((b) => !branches.taken(b)) ?? blocks.find((b) => branches.leadsToUntaken(b)) ?? candidates[0]);
    if (chosen && branches.take(chosen)) this.tookNewBranch = true;
    return chosen;
  }

  /** Counts one repetition of a `for` body; false, reported once, beyond MAX_LOOP_ITERATIONS. */
  countIteration(range: SourceRange): boolean {
    this.#iterations += 1;
    if (this.#iterations === MAX_LOOP_ITERATIONS + 1) {
      this.error('too-many-iterations', `the script's \`for\` loops repeat more than ${MAX_LOOP_ITERATIONS} times`, 'Loop over shorter lists, or do not nest loops over long ones.', range);
    }
    return this.#iterations <= MAX_LOOP_ITERATIONS;
  }

  /** Adds a job, unless there are MAX_JOBS already (reported once). */
  addJob(entry: JobEntry) {
    if (this.jobs.length < MAX_JOBS) this.jobs.push(entry);
    else if (!this.#tooManyJobs) {
      this.#tooManyJobs = true;
      this.error('too-many-jobs', `more than ${MAX_JOBS} jobs`, 'Split the script: a machine does not run this many backup jobs from one script.', entry.setting.keyword.range);
    }
  }

  /** A computed string, unless it is longer than a string may be (text doubled by `let` after `let`, say). */
  bounded(value: StringValue, range: SourceRange): StringValue | undefined {
    if (value.value.length <= MAX_STRING_LENGTH) return value;
    this.error('string-too-long', `a string longer than ${MAX_STRING_LENGTH / 1024}Ki characters`, 'Names, paths and commands are short: look for text that is joined to itself.', range);
    return undefined;
  }

  /** The source text of a range, shortened for a one-line message. */
  quote(range: SourceRange): string {
    const text = this.input.sources.get(range.file)?.slice(range.start.offset, range.end.offset) ?? '';
    const oneLine = text.replace(/\s+/g, ' ');
    return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine;
  }

  origin(range: SourceRange): string {
    return `${range.file}:${range.start.line}:${range.start.column}`;
  }

  baseDir(range: SourceRange): string {
    let dir = this.#baseDirs.get(range.file);
    if (dir === undefined) {
      dir = nodePath.dirname(nodePath.resolve(range.file));
      this.#baseDirs.set(range.file, dir);
    }
    return dir;
  }

  planText(value: StringValue): PlanText {
    return value.shown === undefined ? value.value : this.input.secrets.add(value.value, value.shown);
  }
}
