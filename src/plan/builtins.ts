// The built-in functions and values of LANGUAGE.md §2. Their names, signatures and docs
// are in the catalog; the evaluator checks argument counts and types from there before it
// calls one of these, so each implementation may rely on its parameter types.

import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { readRegularFile } from '../language/source.ts';
import { REDACTED } from '../base/secret.ts';
import type { Plan } from './types.ts';
import { NONE, type StringValue, type TextPiece, type Value } from './values.ts';

export type Platform = Plan['platform'];

export interface BuiltinContext {
  platform: Platform;
  hostname: string;
  runId: string;
  started: Date;
  env: Record<string, string | undefined>;
  /** The folder of the script that holds the call: relative paths start there. */
  baseDir: string;
}

export interface CallError {
  summary: string;
  detail: string;
  code: string;
}

/**
 * `external`: the value came from outside the script (the environment, a file). Diagnostics and
 * `plan` name it by its expression instead of showing it (SECURITY.md).
 */
export type CallResult = { value: Value; external?: boolean } | { error: CallError };

type BuiltinFunction = (args: Value[], ctx: BuiltinContext) => CallResult;

const str = (value: Value) => value as StringValue;

/** Concatenates strings, keeping the shown form when any part is secret, and the run-time mark when any part has it. */
export function joinText(parts: readonly TextPiece[], separator = ''): StringValue {
  const value = parts.map((p) => p.value).join(separator);
  const runTime = parts.some((p) => p.runTime) ? { runTime: true as const } : {};
  if (!parts.some((p) => p.shown !== undefined)) return { type: 'string', value, ...runTime };
  return { type: 'string', value, shown: parts.map((p) => p.shown ?? p.value).join(separator), ...runTime };
}

/**
 * The functions that look at the disk. Their values are known only when the job runs: `run`
 * calls them, a command that only reads the script (check, plan, lsp) never does (SECURITY.md).
 */
export const RUN_TIME_FUNCTIONS: ReadonlySet<string> = new Set(['file', 'exists']);

const DRIVE = /^[A-Za-z]:$/;

/**
 * A path as the engine will use it: a relative one is taken from the script's folder, so a
 * script means the same thing whether cron, Task Scheduler or a shell in another folder
 * runs it. A bare drive (`C:`) names a volume and stays as it is.
 */
export function resolveScriptPath(path: string, baseDir: string, platform: Platform): string {
  if (DRIVE.test(path)) return path;
  const rules = platform === 'windows' ? nodePath.win32 : nodePath.posix;
  if (rules.isAbsolute(path)) return path;
  return nodePath.resolve(baseDir, path);
}

function joinPath(args: Value[], platform: Platform): StringValue {
  const rules = platform === 'windows' ? nodePath.win32 : nodePath.posix;
  const parts = args.map(str);
  // win32.join("C:", "x") is the drive-relative "C:x"; a sysadmin means "C:\x".
  const pieces = parts.map((p, i) => (i === 0 && DRIVE.test(p.value) ? { value: p.value + rules.sep, shown: p.shown === undefined ? undefined : p.shown + rules.sep } : p));
  const joined = rules.join(...pieces.map((p) => p.value));
  if (!pieces.some((p) => p.shown !== undefined)) return { type: 'string', value: joined };
  return { type: 'string', value: joined, shown: rules.join(...pieces.map((p) => p.shown ?? p.value)) };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `date(format)`: the tokens yyyy MM dd HH mm ss of `started`, in UTC. */
export function formatDate(format: string, date: Date): string {
  const tokens: Record<string, string> = {
    yyyy: pad(date.getUTCFullYear(), 4),
    MM: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  return format.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => tokens[token]!);
}

function readTextFile(path: string, shownPath: string): CallResult {
  const read = readRegularFile(path);
  if ('refused' in read) {
    return { error: { code: 'file-unreadable', summary: `cannot read \`${shownPath}\`: it ${read.refused}`, detail: 'Check the path (a relative path starts at the script\'s folder), or guard the call with `exists(...)`.' } };
  }
  const bytes = read.bytes;
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { error: { code: 'file-not-utf8', summary: `\`${shownPath}\` is not UTF-8 text`, detail: '`file(...)` reads text files only; save the file as UTF-8.' } };
  }
  return { value: { type: 'string', value: content.replace(/\r?\n$/, '') }, external: true };
}

export const BUILTIN_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  env([name, fallback], ctx) {
    const value = ctx.env[str(name!).value];
    if (value !== undefined) return { value: { type: 'string', value }, external: true };
    return { value: fallback ?? NONE };
  },
  file([path], ctx) {
    const p = str(path!);
    return readTextFile(resolveScriptPath(p.value, ctx.baseDir, ctx.platform), p.shown ?? p.value);
  },
  exists([path], ctx) {
    return { value: { type: 'bool', value: existsSync(resolveScriptPath(str(path!).value, ctx.baseDir, ctx.platform)) } };
  },
  path(args, ctx) {
    return { value: joinPath(args, ctx.platform) };
  },
  date([format], ctx) {
    return { value: { type: 'string', value: formatDate(str(format!).value, ctx.started) } };
  },
  secret([value]) {
    if (value!.type === 'none') return { value: NONE };
    return { value: { type: 'string', value: str(value!).value, shown: REDACTED } };
  },
  lower([value]) {
    const s = str(value!);
    return { value: { type: 'string', value: s.value.toLowerCase(), shown: s.shown?.toLowerCase() } };
  },
  upper([value]) {
    const s = str(value!);
    return { value: { type: 'string', value: s.value.toUpperCase(), shown: s.shown?.toUpperCase() } };
  },
};

/** The built-in values; `job` and `snapshot_paths` depend on where they stand and are the evaluator's. */
export function builtinValue(name: string, ctx: BuiltinContext): Value | undefined {
  switch (name) {
    case 'platform':
      return { type: 'string', value: ctx.platform };
    case 'hostname':
      return { type: 'string', value: ctx.hostname };
    case 'run_id':
      return { type: 'string', value: ctx.runId };
    case 'started':
      return { type: 'string', value: ctx.started.toISOString() };
    default:
      return undefined;
  }
}
