// Values from outside the script, the environment (`env(...)`) and files (`file(...)`), are
// never shown by check, plan or the language server (SECURITY.md): a script under review in
// CI must not be able to print a deploy token. Wherever such a value would appear in a
// diagnostic or a plan, its expression stands instead: "the value of `env("CI_TOKEN")`".
//
// The evaluator records each value with the expression that read it; this module replaces
// the values in what is printed, so no message anywhere in the evaluator has to remember to.

import type { Diagnostic } from '../language/diagnostic.ts';

export interface ExternalValue {
  /** The text the expression gave. */
  text: string;
  /** The expression's source text, e.g. `env("CI_TOKEN")`. */
  expression: string;
}

/**
 * Values shorter than this are replaced only where a message quotes them whole (`x`): a
 * one-letter value would otherwise mangle every word that contains the letter.
 */
const MIN_EMBEDDED = 4;

/** A replacer for text: each external value becomes `${expression}` (the language's own way to say "its value"). */
export function hideExternal(values: readonly ExternalValue[]): (text: string) => string {
  // Longest first, so that a value containing another is replaced whole.
  const sorted = values.filter((v) => v.text !== '').sort((a, b) => b.text.length - a.text.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => {
    let result = text;
    for (const { text: value, expression } of sorted) {
      result = result.split(`\`${value}\``).join(`the value of \`${expression}\``);
      if (value.length >= MIN_EMBEDDED) result = result.split(value).join(`\${${expression}}`);
    }
    return result;
  };
}

/** The diagnostics with every external value named by its expression. */
export function hideExternalInDiagnostics(diagnostics: Diagnostic[], values: readonly ExternalValue[]): Diagnostic[] {
  const hide = hideExternal(values);
  return diagnostics.map((d) => ({
    ...d,
    summary: hide(d.summary),
    detail: hide(d.detail),
    ...(d.related ? { related: d.related.map((r) => ({ ...r, message: hide(r.message) })) } : {}),
  }));
}

/** A copy of `value` (a plan, say) with every external value in its strings named by its expression. */
export function hideExternalInValue<T>(value: T, values: readonly ExternalValue[]): T {
  const hide = hideExternal(values);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return hide(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
