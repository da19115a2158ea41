// The verbatim `sh { ... }`, `pwsh { ... }` and `cmd { ... }` blocks. The block ends at the
// brace that balances the opening one; braces inside that language's quotes and comments do
// not count, so `echo "}"` or `Write-Host '{'` stay inside the block.

import type { RawLanguage } from './ast.ts';

export const RAW_LANGUAGES: readonly RawLanguage[] = ['sh', 'pwsh', 'cmd'];

export interface RawScan {
  /** Offset just after the closing `}`, or the end of the text when unterminated. */
  end: number;
  unterminated: boolean;
  /** When unterminated because a quote (or here-string, or comment) never closed: where it opened. */
  openQuote?: number;
}

type Scanner = (text: string, i: number) => number | 'unclosed';

/** The offset just after the construct at `i` that hides braces, `i` itself when there is none, or 'unclosed'. */
const SKIPPERS: Record<RawLanguage, Scanner> = {
  sh(text, i) {
    const c = text[i];
    if (c === '\\') return i + 2;
    if (c === "'") return after(text.indexOf("'", i + 1));
    if (c === '"') return quoted(text, i, '\\');
    if (c === '#' && startsWord(text, i)) return lineEnd(text, i);
    return i;
  },
  pwsh(text, i) {
    const c = text[i];
    if (c === '`') return i + 2;
    if (c === '@' && (text[i + 1] === "'" || text[i + 1] === '"') && isLineBreakNext(text, i + 2)) {
      const close = new RegExp(`\\n[ \\t]*${text[i + 1]}@`, 'g');
      close.lastIndex = i + 2;
      const found = close.exec(text);
      return found === null ? 'unclosed' : found.index + found[0].length;
    }
    if (c === "'") {
      let j = i + 1;
      for (;;) {
        j = text.indexOf("'", j);
        if (j === -1) return 'unclosed';
        if (text[j + 1] !== "'") return j + 1;
        j += 2;
      }
    }
    if (c === '"') return quoted(text, i, '`');
    if (c === '<' && text[i + 1] === '#') return after(text.indexOf('#>', i + 2), 2);
    if (c === '#' && startsWord(text, i)) return lineEnd(text, i);
    return i;
  },
  cmd(text, i) {
    const c = text[i];
    if (c === '^') return i + 2;
    // cmd quotes end at the end of the line whether closed or not.
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      const end = lineEnd(text, i);
      return close === -1 || close > end ? end : close + 1;
    }
    if (atLineStart(text, i) && (text.startsWith('::', i) || /^rem(?![^\s])/i.test(text.slice(i, i + 4)))) return lineEnd(text, i);
    return i;
  },
};

function after(index: number, width = 1): number | 'unclosed' {
  return index === -1 ? 'unclosed' : index + width;
}

function quoted(text: string, start: number, escape: string): number | 'unclosed' {
  for (let j = start + 1; j < text.length; j += 1) {
    if (text[j] === escape) j += 1;
    else if (text[j] === '"') return j + 1;
  }
  return 'unclosed';
}

function startsWord(text: string, i: number): boolean {
  const before = text[i - 1];
  return before === undefined || /[\s;(|&]/.test(before);
}

function atLineStart(text: string, i: number): boolean {
  let j = i - 1;
  while (text[j] === ' ' || text[j] === '\t') j -= 1;
  return j < 0 || text[j] === '\n' || text[j] === '{';
}

function isLineBreakNext(text: string, i: number): boolean {
  let j = i;
  while (text[j] === ' ' || text[j] === '\t' || text[j] === '\r') j += 1;
  return text[j] === '\n';
}

function lineEnd(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end === -1 ? text.length : end;
}

/** Scans the block whose `{` is at `open`. */
export function scanRawBlock(text: string, open: number, language: RawLanguage): RawScan {
  const skip = SKIPPERS[language];
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const next = skip(text, i);
    if (next === 'unclosed') return { end: text.length, unterminated: true, openQuote: i };
    if (next !== i) {
      i = next;
      continue;
    }
    const c = text[i];
    if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return { end: i + 1, unterminated: false };
    }
    i += 1;
  }
  return { end: text.length, unterminated: true };
}

/** How many lines of the text between a block's braces come before its code. */
export function leadingBlankLines(inner: string): number {
  const lines = inner.split('\n');
  let n = 0;
  while (n < lines.length - 1 && lines[n]!.trim() === '') n += 1;
  return n;
}

/**
 * The code of a block from the text between its braces: trailing spaces of each line, the
 * blank lines at its start and end, and the indentation common to its lines are removed.
 */
export function rawBlockCode(inner: string): string {
  const lines = inner.split('\n').map((line) => line.trimEnd());
  const first = leadingBlankLines(inner);
  let last = lines.length;
  while (last > first && lines[last - 1] === '') last -= 1;
  const kept = lines.slice(first, last);
  let common: string | undefined;
  for (const line of kept) {
    if (line === '') continue;
    const indent = /^[ \t]*/.exec(line)![0];
    if (common === undefined) common = indent;
    else {
      let n = 0;
      while (n < common.length && n < indent.length && common[n] === indent[n]) n += 1;
      common = common.slice(0, n);
    }
  }
  const cut = common?.length ?? 0;
  return kept.map((line) => line.slice(cut)).join('\n');
}
