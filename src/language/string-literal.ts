// Double-quoted strings: where one ends, where its ${...} interpolations are, and what its
// escapes mean. Strings end at the end of their line: a newline is written `\n`.

export interface TextPart {
  kind: 'text';
  start: number;
  end: number;
}

export interface InterpolationPart {
  kind: 'interpolation';
  /** Offset of the `$`. */
  start: number;
  /** Offset just after the closing `}` (or where the string stopped, when unterminated). */
  end: number;
  /** The expression text is [innerStart, innerEnd). */
  innerStart: number;
  innerEnd: number;
}

export type StringPart = TextPart | InterpolationPart;

export interface StringScan {
  /** Offset just after the closing quote, or the end of the line when unterminated. */
  end: number;
  unterminated: boolean;
  parts: StringPart[];
}

const isLineEnd = (c: string | undefined) => c === undefined || c === '\n' || c === '\r';

/** Scans the string whose opening `"` is at `start`. */
export function scanDoubleQuoted(text: string, start: number): StringScan {
  const parts: StringPart[] = [];
  let textStart = start + 1;
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (isLineEnd(c)) {
      if (i > textStart) parts.push({ kind: 'text', start: textStart, end: i });
      return { end: i, unterminated: true, parts };
    }
    if (c === '\\') {
      i += isLineEnd(text[i + 1]) ? 1 : 2;
    } else if (c === '"') {
      if (i > textStart) parts.push({ kind: 'text', start: textStart, end: i });
      return { end: i + 1, unterminated: false, parts };
    } else if (c === '$' && text[i + 1] === '{') {
      if (i > textStart) parts.push({ kind: 'text', start: textStart, end: i });
      const inner = scanInterpolation(text, i + 2);
      parts.push({ kind: 'interpolation', start: i, end: inner.closed ? inner.end + 1 : inner.end, innerStart: i + 2, innerEnd: inner.end });
      if (!inner.closed) return { end: inner.end, unterminated: true, parts };
      i = inner.end + 1;
      textStart = i;
    } else {
      i += 1;
    }
  }
}

/** From just after `${` to the offset of its closing `}` (closed) or where the line ends. */
function scanInterpolation(text: string, from: number): { end: number; closed: boolean } {
  let i = from;
  for (;;) {
    const c = text[i];
    if (isLineEnd(c)) return { end: i, closed: false };
    if (c === '}') return { end: i, closed: true };
    if (c === '"') {
      const nested = scanDoubleQuoted(text, i);
      if (nested.unterminated) return { end: nested.end, closed: false };
      i = nested.end;
    } else if (c === "'") {
      let j = i + 1;
      while (!isLineEnd(text[j]) && text[j] !== "'") j += 1;
      if (text[j] !== "'") return { end: j, closed: false };
      i = j + 1;
    } else {
      i += 1;
    }
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', $: '$' };

export interface DecodedText {
  value: string;
  /** Offsets (relative to the raw text) of backslashes that start no known escape. */
  badEscapes: number[];
}

export function decodeEscapes(raw: string): DecodedText {
  if (!raw.includes('\\')) return { value: raw, badEscapes: [] };
  let value = '';
  const badEscapes: number[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i]!;
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = raw[i + 1];
    // A backslash that ends the text can only end a string cut off by the line's end, which the
    // lexer reports as unterminated; a second diagnostic would cascade.
    if (next === undefined) break;
    const escaped = ESCAPES[next];
    if (escaped === undefined) {
      badEscapes.push(i);
      value += next;
    } else {
      value += escaped;
    }
    i += 1;
  }
  return { value, badEscapes };
}
