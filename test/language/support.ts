// Helpers for the language tests.
import { expect } from 'vitest';
import { parse } from '../../src/language/parse.ts';
import type * as A from '../../src/language/ast.ts';

/** A copy of a syntax tree without ranges, to compare structure. */
export function withoutRanges<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'range' || key === 'codeLine' ? undefined : v))) as T;
}

/** Parses text that must have no diagnostics. */
export function parseClean(text: string): A.SourceFile {
  const result = parse(text, 'test.still');
  expect(result.diagnostics).toEqual([]);
  return result.file;
}

/** The value of `let x = EXPR`, without ranges. */
export function expr(source: string): A.Expr {
  const [statement] = parseClean(`let x = ${source}`).statements;
  return withoutRanges((statement as A.LetStatement).value);
}

/** The text a range covers. */
export function slice(text: string, range: { start: { offset: number }; end: { offset: number } }): string {
  return text.slice(range.start.offset, range.end.offset);
}
