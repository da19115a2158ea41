// A diagnostic as a compiler prints it:
//
//   nightly.still:3:9: error: expected an expression, found `=`
//     3 | let x = = 3
//       |         ^
//     help: Write a value here: ...
//     nightly.still:2:1: note: `(` opened here

import type { Diagnostic, SourceRange } from './diagnostic.ts';

export interface RenderOptions {
  /** ANSI colours (for a terminal). */
  color?: boolean;
}

const STYLE = { bold: [1, 22], red: [31, 39], yellow: [33, 39], cyan: [36, 39], blue: [34, 39], dim: [2, 22] } as const;
type Style = keyof typeof STYLE;

export function renderDiagnostic(diagnostic: Diagnostic, text?: string, options: RenderOptions = {}): string {
  const paint = (style: Style, s: string) => (options.color ? `\u001b[${STYLE[style][0]}m${s}\u001b[${STYLE[style][1]}m` : s);
  const severityStyle: Style = diagnostic.severity === 'error' ? 'red' : diagnostic.severity === 'warning' ? 'yellow' : 'cyan';
  const lines: string[] = [];
  const where = diagnostic.range === undefined ? '' : `${location(diagnostic.range)}: `;
  lines.push(`${paint('bold', where)}${paint(severityStyle, paint('bold', `${diagnostic.severity}:`))} ${paint('bold', diagnostic.summary)}`);
  if (diagnostic.range !== undefined && text !== undefined) lines.push(...excerpt(diagnostic.range, text, (s) => paint(severityStyle, s), (s) => paint('blue', s)));
  if (diagnostic.detail !== '') lines.push(`  ${paint('cyan', 'help:')} ${diagnostic.detail}`);
  for (const related of diagnostic.related ?? []) {
    lines.push(`  ${location(related.range)}: ${paint('bold', 'note:')} ${related.message}`);
    if (text !== undefined && related.range.file === diagnostic.range?.file) lines.push(...excerpt(related.range, text, (s) => paint('blue', s), (s) => paint('blue', s)).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], text?: string, options: RenderOptions = {}): string {
  return diagnostics.map((d) => renderDiagnostic(d, text, options)).join('\n\n');
}

function location(range: SourceRange): string {
  return `${range.file}:${range.start.line}:${range.start.column}`;
}

/** The range's first line with carets under it. */
function excerpt(range: SourceRange, text: string, carets: (s: string) => string, gutter: (s: string) => string): string[] {
  const lineStart = range.start.offset - (range.start.column - 1);
  if (lineStart < 0 || lineStart > text.length) return [];
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const startColumn = range.start.column - 1;
  const endColumn = range.end.line === range.start.line ? range.end.column - 1 : line.length;
  const width = Math.max(1, Math.min(endColumn, line.length + 1) - startColumn);
  // Keep tabs under tabs so that the carets line up whatever the tab width.
  const pad = line.slice(0, startColumn).replace(/[^\t]/g, ' ');
  const number = String(range.start.line);
  const blank = ' '.repeat(number.length);
  return [`  ${gutter(`${number} |`)} ${line}`, `  ${gutter(`${blank} |`)} ${pad}${carets('^'.repeat(width))}`];
}
