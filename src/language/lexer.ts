// Text to tokens, with the lexical errors as diagnostics.
//
// Newlines are not tokens, but they end statements: the lexer inserts a Terminator token
// before a token that starts a new line, unless the line before ended with a token that
// asks for more (`,` `=` `(` `[` `{` `??` `==` `!=` `and` `or` `not`) or the new line starts
// with a token that cannot start a statement but continues one (`{` `}` `)` `]` `,` `=`
// `??` `==` `!=` `and` `or` `else`).

import type { IToken, TokenType } from 'chevrotain';
import { createTokenInstance, Lexer } from './chevrotain.ts';
import type { Diagnostic } from './diagnostic.ts';
import { MAX_STRING_LENGTH } from './limits.ts';
import type { RangeOf } from './positions.ts';
import * as T from './tokens.ts';

/**
 * The lexer of the token definitions. `checks` runs Chevrotain's checks of the definitions
 * (patterns that can never match, anchors, ...): as for the parser (StillParser), only
 * test/language/grammar-checks.test.ts asks for them, and every start skips them.
 */
export function stillLexer({ checks = false } = {}): InstanceType<typeof Lexer> {
  return new Lexer(
    T.TOKEN_DEFINITIONS.map((d) => d.type),
    { positionTracking: 'onlyOffset', ensureOptimizations: true, skipValidations: !checks },
  );
}

const lexer = stillLexer();

const ASKS_FOR_MORE = new Set<TokenType>([T.Comma, T.Assign, T.LParen, T.LBracket, T.LCurly, T.Coalesce, T.EqualEqual, T.NotEqual, T.And, T.Or, T.Not, T.Semicolon]);
const CONTINUES = new Set<TokenType>([T.LCurly, T.RCurly, T.RParen, T.RBracket, T.Comma, T.Assign, T.Coalesce, T.EqualEqual, T.NotEqual, T.And, T.Or, T.Else, T.RawBlock]);

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  diagnostics: Diagnostic[];
}

export function lex(text: string, rangeOf: RangeOf): LexResult {
  const result = lexer.tokenize(text);
  const diagnostics = controlCharacters(text, rangeOf);
  for (const error of result.errors) if (!isControl(text, error.offset, error.length)) diagnostics.push(unexpectedCharacters(text, error.offset, error.length, rangeOf));
  const tokens: IToken[] = [];
  let previous: IToken | undefined;
  for (const token of result.tokens) {
    if (token.payload !== undefined || token.tokenType === T.RawStringLiteral) {
      const problem = tokenProblem(token, text, rangeOf) ?? stringTooLong(token, rangeOf);
      if (problem !== undefined) diagnostics.push(problem);
    }
    if (previous !== undefined && !ASKS_FOR_MORE.has(previous.tokenType) && !CONTINUES.has(token.tokenType) && newlineBetween(text, tokenEnd(previous), token.startOffset)) {
      tokens.push(terminator(tokenEnd(previous)));
    }
    tokens.push(token);
    previous = token;
  }
  return { tokens, comments: result.groups['comments'] ?? [], diagnostics };
}

/** Lexes the text of an interpolation, which lies at `base` in the file. */
export function lexFragment(fragment: string, base: number, rangeOf: RangeOf): LexResult {
  const result = lexer.tokenize(fragment);
  const diagnostics: Diagnostic[] = [];
  // lex() has reported the fragment's control characters with the rest of the file's.
  for (const error of result.errors) if (!isControl(fragment, error.offset, error.length)) diagnostics.push(unexpectedCharacters(fragment, error.offset, error.length, (s, e) => rangeOf(s + base, e + base)));
  for (const token of result.tokens) {
    token.startOffset += base;
    const payload = token.payload as T.StringPayload | T.RawBlockPayload | undefined;
    if (payload !== undefined) token.payload = shiftPayload(payload, base);
  }
  return { tokens: result.tokens, comments: [], diagnostics };
}

function shiftPayload(payload: T.StringPayload | T.RawBlockPayload, base: number): T.StringPayload | T.RawBlockPayload {
  if (payload.kind === 'raw') return { ...payload, end: payload.end + base, ...(payload.openQuote === undefined ? {} : { openQuote: payload.openQuote + base }) };
  const parts = payload.parts.map((part) =>
    part.kind === 'text'
      ? { ...part, start: part.start + base, end: part.end + base }
      : { ...part, start: part.start + base, end: part.end + base, innerStart: part.innerStart + base, innerEnd: part.innerEnd + base },
  );
  return { ...payload, end: payload.end + base, parts };
}

function terminator(offset: number): IToken {
  return createTokenInstance(T.Terminator, '', offset, offset - 1, NaN, NaN, NaN, NaN);
}

/** The offset just after a token (the lexer tracks start offsets only, for speed). */
export function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}

function newlineBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (text.charCodeAt(i) === 10) return true;
  return false;
}

/**
 * Control characters: C0 except tab and the line ends, and DEL. Invisible in an editor and a
 * review, they could hide text in a name, path or string, or drive the terminal that prints a
 * diagnostic; none has a use in a script.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+/g;

function isControl(text: string, offset: number, length: number): boolean {
  return text.slice(offset, offset + length).replace(CONTROL, '') === '';
}


function controlCharacters(text: string, rangeOf: RangeOf): Diagnostic[] {
  return [...text.matchAll(CONTROL)].map((match) => ({
    severity: 'error',
    summary: `control character U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}${match[0].length > 1 ? ` and ${match[0].length - 1} more` : ''} in the script`,
    detail: 'Delete it: a control character is invisible and has no place in a name, path or string. Inside quotes, write `\\t` for a tab and `\\n` for a line break.',
    range: rangeOf(match.index, match.index + match[0].length),
    code: 'control-character',
  }));
}

const CHARACTER_ADVICE: Record<string, string> = {
  '&&': 'Write `and` to combine conditions.',
  '||': 'Write `or` to combine conditions.',
  '!': 'Write `not` to negate a condition, or `!=` to compare.',
  '$': 'Interpolation works inside double quotes only: write "${name}".',
  ':': 'A colon belongs inside a quoted string, e.g. "host:port"; only a drive letter (`C:`) stands alone.',
};

function unexpectedCharacters(text: string, offset: number, length: number, rangeOf: RangeOf): Diagnostic {
  const characters = text.slice(offset, offset + length);
  const shown = [...characters].length === 1 ? `character \`${characters}\`` : `characters \`${characters}\``;
  return {
    severity: 'error',
    summary: `unexpected ${shown}`,
    detail: CHARACTER_ADVICE[characters.trim()] ?? 'Remove it, or put the text in quotes if it is part of a value.',
    range: rangeOf(offset, offset + length),
    code: 'unexpected-character',
  };
}

function tokenProblem(token: IToken, text: string, rangeOf: RangeOf): Diagnostic | undefined {
  const payload = token.payload as T.StringPayload | T.RawBlockPayload | undefined;
  const start = token.startOffset;
  if (token.tokenType === T.RawStringLiteral && (token.image.length < 2 || !token.image.endsWith("'"))) {
    return unterminatedString(rangeOf(start, start + token.image.length), "'");
  }
  if (payload?.kind === 'string' && payload.unterminated) {
    return unterminatedString(rangeOf(start, payload.end), '"');
  }
  if (payload?.kind === 'raw' && payload.unterminated) {
    const quote = payload.openQuote;
    return {
        severity: 'error',
        summary: `unterminated \`${payload.language}\` block`,
        detail:
          quote === undefined
            ? `Close the block with \`}\`: its braces must balance (braces inside ${payload.language} quotes and comments do not count).`
            : `A quote or comment inside the block is never closed, so the braces after it do not count: close it, then close the block with \`}\`.`,
        range: rangeOf(start, start + 1),
        related: quote === undefined ? undefined : [{ message: 'never closed', range: rangeOf(quote, quote + (text[quote] === '@' || text[quote] === '<' ? 2 : 1)) }],
        code: 'unterminated-raw-block',
    };
  }
  return undefined;
}

function stringTooLong(token: IToken, rangeOf: RangeOf): Diagnostic | undefined {
  const payload = token.payload as T.StringPayload | T.RawBlockPayload | undefined;
  if (payload?.kind === 'raw' || token.image.length - 2 <= MAX_STRING_LENGTH) return undefined;
  return {
    severity: 'error',
    summary: `a string longer than ${MAX_STRING_LENGTH / 1024}Ki characters`,
    detail: 'Names, paths and commands are short: is part of a file pasted into the script? Keep long text in a file the job reads.',
    range: rangeOf(token.startOffset, token.startOffset + 1),
    code: 'string-too-long',
  };
}

function unterminatedString(range: Diagnostic['range'], quote: string): Diagnostic {
  return {
    severity: 'error',
    summary: 'unterminated string',
    detail: `Close the string with \`${quote}\` on the same line; a string cannot span lines${quote === '"' ? ' (write `\\n` for a line break)' : ''}.`,
    range,
    code: 'unterminated-string',
  };
}
