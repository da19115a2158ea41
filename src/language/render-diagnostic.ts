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

/** Excerpts longer than this show only the part around the range. */
const EXCERPT_WIDTH = 120;
/** How much of the line before the range a shortened excerpt keeps. */
const EXCERPT_LEAD = 40;

/**
 * The range's first line with carets under it. Control characters are shown as their
 * pictures (␀, ␛): printed as they are, they could drive the terminal that shows the
 * diagnostic. A long line is cut around the range, so one diagnostic stays one screen line.
 */
function excerpt(range: SourceRange, text: string, carets: (s: string) => string, gutter: (s: string) => string): string[] {
  const lineStart = range.start.offset - (range.start.column - 1);
  if (lineStart < 0 || lineStart > text.length) return [];
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  const whole = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const endColumn = range.end.line === range.start.line ? range.end.column - 1 : whole.length;
  const from = whole.length > EXCERPT_WIDTH ? Math.max(0, range.start.column - 1 - EXCERPT_LEAD) : 0;
  const to = Math.min(whole.length, from + EXCERPT_WIDTH);
  const line = visible(whole.slice(from, to));
  const startColumn = range.start.column - 1 - from;
  const width = Math.max(1, Math.min(endColumn - from, line.length + 1) - startColumn);
  // Keep tabs under tabs so that the carets line up whatever the tab width.
  const pad = line.slice(0, startColumn).replace(/[^\t]/g, ' ');
  const number = String(range.start.line);
  const blank = ' '.repeat(number.length);
  const cut = from > 0 ? '…' : '';
  return [`  ${gutter(`${number} |`)} ${cut}${line}${to < whole.length ? '…' : ''}`, `  ${gutter(`${blank} |`)} ${cut === '' ? '' : ' '}${pad}${carets('^'.repeat(width))}`];
}

/** Control characters other than tab as the Unicode pictures of them, one column each. */
function visible(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}
