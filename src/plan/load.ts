// The one entry point from a script on disk (or an editor's buffer) to a Plan: read the
// script and everything it imports, parse, evaluate. The CLI, the engine and the language
// server all call this, so they agree on every diagnostic.

import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import type { SourceFile } from '../language/ast.ts';
import type { Diagnostic, SourceRange } from '../language/diagnostic.ts';
import { hasErrors } from '../language/diagnostic.ts';
import type { ParseCache } from '../language/parse-cache.ts';
import type { ParseResult } from '../language/parse.ts';
import { MAX_DIAGNOSTICS, MAX_IMPORT_GRAPH_BYTES, MAX_IMPORTED_FILES, sizeText } from '../language/limits.ts';
import { allowedRoots, loadSource, refuseBuffer } from '../language/source.ts';
import { didYouMean } from '../language/suggest.ts';
import type { Platform } from './builtins.ts';
import { evaluate } from './evaluate.ts';
import { importPathOf, importTarget } from './imports.ts';
import { SecretStore } from '../base/secret.ts';
import { hideExternalInDiagnostics, type ExternalValue } from './external.ts';
import type { RunTimeCondition } from './evaluation.ts';
import type { Plan } from './types.ts';

export type { Platform } from './builtins.ts';

export interface LoadOptions {
  /** Keep only this job in the plan (the others are still checked); all of them when undefined. */
  job?: string | undefined;
  /** The run's id (`run_id`); a fresh one when absent. */
  runId?: string;
  /** The run's start (`started`, `date(...)`); now when absent. */
  started?: Date;
  platform?: Platform;
  hostname?: string;
  /** The environment `env(...)` reads; process.env when absent. */
  env?: Record<string, string | undefined>;
  /** Texts to use instead of the files on disk, by absolute path: an editor's unsaved buffers. */
  openFiles?: ReadonlyMap<string, string>;
  /**
   * The folders imports may come from (`--import-root`, an editor's workspace folders); the
   * script's own folder when absent. Imports outside them are refused (SECURITY.md).
   */
  importRoots?: readonly string[];
  /**
   * Evaluate as `run` does: `file(...)` and `exists(...)` read the disk. Without it (check,
   * plan, the language server) they are never called: their values are known only when the
   * job runs (SECURITY.md).
   */
  runTime?: boolean;
  /** Trees kept from earlier runs (language/parse-cache.ts); every file is parsed when absent. */
  parseCache?: ParseCache;
}

export interface LoadResult {
  /** Absent when there is any error. */
  plan?: Plan;
  /** The values behind the plan's SecretTexts. */
  secrets: SecretStore;
  /** Every file's diagnostics, errors and warnings, in file order. */
  diagnostics: Diagnostic[];
  /** File name (as used in ranges) -> text, for rendering diagnostics. */
  sources: Map<string, string>;
  /** The plan's values from the environment and files: `plan` names them by expression unless asked to show them. */
  external: ExternalValue[];
  /** The conditions known only at run time that the plan took as true (none when `runTime`). */
  assumed: RunTimeCondition[];
}

/** Reads the script at `path` (as given on the command line) and evaluates it. */
export async function loadPlan(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  return load(path, undefined, options);
}

/** The same for text that is not (or not yet) on disk, such as an editor's buffer; imports are read from disk. */
export async function loadPlanFromText(path: string, text: string, options: LoadOptions = {}): Promise<LoadResult> {
  return load(path, text, options);
}

export function currentPlatform(): Platform {
  return process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'darwin' : 'linux';
}

async function load(path: string, text: string | undefined, options: LoadOptions): Promise<LoadResult> {
  const secrets = new SecretStore();
  const sources = new Map<string, string>();
  const files = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];

  const root = importTarget('', path);
  const roots = await allowedRoots(options.importRoots ?? [dirname(root.resolved)], diagnostics);
  const graph: Graph = { files, sources, diagnostics, openFiles: options.openFiles, roots, bytes: 0, parseCache: options.parseCache, parsed: [] };
  await readGraph(root.file, root.resolved, text, undefined, graph);
  if (!files.has(root.resolved)) return { secrets, diagnostics, sources, external: [], assumed: [] };
  // Text that is mostly errors is not a script: evaluating it would only bury the first errors.
  if (diagnostics.filter((d) => d.severity === 'error').length > MAX_DIAGNOSTICS) return { secrets, diagnostics: firstDiagnostics(diagnostics, [...sources.keys()]), sources, external: [], assumed: [] };

  const syntaxErrors = new Map<string, number[]>();
  for (const d of diagnostics) {
    if (d.severity !== 'error' || !d.range) continue;
    const offsets = syntaxErrors.get(d.range.file);
    if (offsets) offsets.push(d.range.start.offset);
    else syntaxErrors.set(d.range.file, [d.range.start.offset]);
  }
  const result = evaluate({
    script: path,
    files,
    sources,
    secrets,
    syntaxErrors,
    cronProblem: await cronProblemIfNeeded(sources),
    options: {
      platform: options.platform ?? currentPlatform(),
      hostname: options.hostname ?? osHostname(),
      // node:crypto is some 10 ms of a start: loaded only to make a run id.
      runId: options.runId ?? (await import('node:crypto')).randomUUID(),
      started: options.started ?? new Date(),
      env: options.env ?? process.env,
      runTime: options.runTime ?? false,
    },
  });
  // Diagnostics are printed where the script is under review: they never show an external value.
  diagnostics.push(...hideExternalInDiagnostics(result.diagnostics, result.external));
  const plan = result.plan;
  if (options.job !== undefined) {
    const names = plan.jobs.map((j) => j.name);
    if (!names.includes(options.job) && !hasErrors(diagnostics)) {
      diagnostics.push({
        severity: 'error',
        code: 'unknown-job',
        summary: `\`${path}\` has no job named \`${options.job}\``,
        detail: `${didYouMean(options.job, names)} Its jobs are: ${names.join(', ') || '(none)'}.`.trim(),
      });
    }
    plan.jobs = plan.jobs.filter((j) => j.name === options.job);
  }
  // A script with errors runs nothing and leaves nothing behind, not even its trees.
  if (!hasErrors(diagnostics)) for (const { file, text, result } of graph.parsed) options.parseCache?.write(file, text, result);
  return { ...(hasErrors(diagnostics) ? {} : { plan }), secrets, diagnostics: firstDiagnostics(diagnostics, [...sources.keys()]), sources, external: result.external, assumed: result.assumed };
}

/** The cron parser (with luxon, ~20 ms to load) for scripts that may have a schedule: their text says `schedule`. */
async function cronProblemIfNeeded(sources: ReadonlyMap<string, string>): Promise<((expression: string) => string | undefined) | undefined> {
  for (const text of sources.values()) if (text.includes('schedule')) return (await import('../base/cron.ts')).cronProblem;
  return undefined;
}

/** The diagnostics in file order, at most MAX_DIAGNOSTICS of them and a count of the rest. */
function firstDiagnostics(diagnostics: Diagnostic[], fileOrder: string[]): Diagnostic[] {
  sortByFile(diagnostics, fileOrder);
  if (diagnostics.length <= MAX_DIAGNOSTICS) return diagnostics;
  const rest = diagnostics.length - MAX_DIAGNOSTICS;
  return [
    ...diagnostics.slice(0, MAX_DIAGNOSTICS),
    { severity: 'error', code: 'too-many-diagnostics', summary: `${rest} more ${rest === 1 ? 'problem' : 'problems'} not shown`, detail: 'Fix the problems above first; is this file a Stillpoint script at all?' },
  ];
}

interface Graph {
  files: Map<string, SourceFile>;
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
  openFiles: ReadonlyMap<string, string> | undefined;
  /** Real paths of the folders imports may come from. */
  roots: readonly string[];
  /** Characters read so far, all files together. */
  bytes: number;
  parseCache: ParseCache | undefined;
  /** Files parsed afresh, for the cache once the whole script is known to be without errors. */
  parsed: Array<{ file: string; text: string; result: ParseResult }>;
}

/** Reads and parses a file and, depth first, every file it imports (each once; cycles are the evaluator's to report). */
async function readGraph(file: string, resolved: string, text: string | undefined, importedAt: SourceRange | undefined, graph: Graph) {
  if (graph.files.has(resolved)) return;
  if (importedAt && graph.files.size >= MAX_IMPORTED_FILES) {
    graph.diagnostics.push(graphLimit(`the script and its imports would be more than ${MAX_IMPORTED_FILES} files`, importedAt));
    return;
  }
  // The script itself is the one the user named; what it imports must stay inside the roots.
  const rules = importedAt ? { roots: graph.roots } : {};
  const open = text ?? graph.openFiles?.get(resolved);
  const refused = open !== undefined && importedAt ? await refuseBuffer(file, rules) : undefined;
  const read = refused ? { diagnostic: refused } : open !== undefined ? { text: open } : await loadSource(file, rules);
  if ('diagnostic' in read) {
    // A file that an import names is reported at the import, where the fix usually is.
    graph.diagnostics.push(importedAt ? { ...read.diagnostic, summary: `cannot import: ${read.diagnostic.summary}`, range: importedAt } : read.diagnostic);
    return;
  }
  if (importedAt && graph.bytes + read.text.length > MAX_IMPORT_GRAPH_BYTES) {
    graph.diagnostics.push(graphLimit(`the script and its imports would be larger than ${sizeText(MAX_IMPORT_GRAPH_BYTES)} together`, importedAt));
    return;
  }
  graph.bytes += read.text.length;
  graph.sources.set(file, read.text);
  const parsed = await parseKept(file, read.text, graph);
  graph.files.set(resolved, parsed.file);
  graph.diagnostics.push(...parsed.diagnostics);
  for (const statement of parsed.file.statements) {
    if (statement.kind !== 'Setting' || statement.keyword.name !== 'import') continue;
    const importPath = importPathOf(statement);
    if (importPath === undefined) continue; // the evaluator says why
    const target = importTarget(file, importPath);
    await readGraph(target.file, target.resolved, undefined, statement.args[0]![0]!.range, graph);
  }
}

/** The parser (Chevrotain) loads only for a file whose tree was not kept. */
async function parseKept(file: string, text: string, graph: Graph): Promise<ParseResult> {
  const kept = graph.parseCache?.read(file, text);
  if (kept) return kept;
  const result = (await import('../language/parse.ts')).parse(text, file);
  if (graph.parseCache) graph.parsed.push({ file, text, result });
  return result;
}

function graphLimit(summary: string, range: SourceRange): Diagnostic {
  return { severity: 'error', code: 'import-graph-too-big', summary: `cannot import: ${summary}`, detail: 'Backup scripts are small: look for an import that pulls in more than it should.', range };
}

/** Diagnostics without a range first, then by file (in reading order) and position. */
function sortByFile(diagnostics: Diagnostic[], fileOrder: string[]) {
  const rank = (d: Diagnostic) => (d.range ? fileOrder.indexOf(d.range.file) + 1 : 0);
  diagnostics.sort((a, b) => rank(a) - rank(b) || (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
}
