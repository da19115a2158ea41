import type { Expr } from '../language/ast.ts';
// The values a script computes while it is evaluated (LANGUAGE.md §2).
//
// A string that holds a secret carries two forms: `value` (the real text, which only ever
// goes into the SecretStore) and `shown` (the same text with *** for each secret part).
// Interpolation and `??` keep both, so a secret stays a secret however it is combined.
//
// A string or bool marked `runTime` depends on `file(...)` or `exists(...)`, which look at
// the disk only when the job runs (SECURITY.md). `run` reads them and the mark only says
// where the value came from; while a script is only read (check, plan, the language server)
// the value is a stand-in: a string is its expression (`${file("pw.txt")}`), a bool has none.

import type { ValueType } from '../language/catalog.ts';

export type Value =
  | { type: 'string'; value: string; shown?: string; runTime?: true }
  | { type: 'number'; value: number }
  | { type: 'percent'; value: number }
  | { type: 'duration'; ms: number; text: string }
  | { type: 'size'; bytes: number; text: string }
  | { type: 'bool'; value: boolean; runTime?: true }
  | { type: 'none' }
  | { type: 'list'; items: Value[] }
  /** `snapshot_paths`: one argument per snapshot path, known only at run time. */
  | { type: 'snapshot-paths' };

export type StringValue = Extract<Value, { type: 'string' }>;

export const NONE: Value = { type: 'none' };

/** The value depends on `file(...)` or `exists(...)`: it is known only when the job runs. */
export function isRunTime(value: Value): boolean {
  return (value.type === 'string' || value.type === 'bool') && value.runTime === true;
}

/** `value`, marked as known only when the job runs (a string or a bool; other values have no mark). */
export function atRunTime(value: Value): Value {
  return value.type === 'string' || value.type === 'bool' ? { ...value, runTime: true } : value;
}

/** A text piece: the text, its shown form when secret, and whether it is known only at run time. */
export interface TextPiece {
  value: string;
  shown?: string | undefined;
  runTime?: true | undefined;
}

/** "a duration", "none", "a list": how a diagnostic names a type. */
export function typeNoun(type: ValueType | Value['type']): string {
  switch (type) {
    case 'none':
      return 'none';
    case 'snapshot-paths':
      return 'the run-time value snapshot_paths';
    default:
      return `a ${type}`;
  }
}

/** "a string or a list". */
export function typesNoun(types: readonly ValueType[]): string {
  const nouns = types.map(typeNoun);
  return nouns.length <= 1 ? (nouns[0] ?? 'nothing') : `${nouns.slice(0, -1).join(', ')} or ${nouns.at(-1)}`;
}

/**
 * The text a value stands for inside "${...}", with its shown form; undefined for values
 * that have no text (none, lists, snapshot_paths).
 */
export function interpolationText(value: Value): TextPiece | undefined {
  switch (value.type) {
    case 'string':
      return { value: value.value, shown: value.shown, runTime: value.runTime };
    case 'number':
      return { value: String(value.value) };
    case 'percent':
      return { value: `${value.value}%` };
    case 'duration':
    case 'size':
      return { value: value.text };
    case 'bool':
      return { value: String(value.value), runTime: value.runTime };
    default:
      return undefined;
  }
}

export function valuesEqual(a: Value, b: Value): boolean {
  switch (a.type) {
    case 'string':
    case 'number':
    case 'percent':
    case 'bool':
      return b.type === a.type && b.value === a.value;
    case 'duration':
      return b.type === 'duration' && b.ms === a.ms;
    case 'size':
      return b.type === 'size' && b.bytes === a.bytes;
    case 'none':
      return b.type === 'none';
    case 'list':
      return b.type === 'list' && b.items.length === a.items.length && a.items.every((item, i) => valuesEqual(item, b.items[i]!));
    case 'snapshot-paths':
      return b.type === 'snapshot-paths';
  }
}

/** The value of a literal expression (everything but strings, which may interpolate); undefined for any other kind. */
export function literalValue(expr: Expr): Value | undefined {
  switch (expr.kind) {
    case 'RawString':
      return { type: 'string', value: expr.value };
    case 'Number':
      return { type: 'number', value: expr.value };
    case 'Percent':
      return { type: 'percent', value: expr.value };
    case 'Duration':
      return { type: 'duration', ms: expr.milliseconds, text: expr.text };
    case 'Size':
      return { type: 'size', bytes: expr.bytes, text: expr.text };
    case 'Drive':
      return { type: 'string', value: `${expr.letter}:` };
    case 'Bool':
      return { type: 'bool', value: expr.value };
    case 'None':
      return { type: 'none' };
    default:
      return undefined;
  }
}
