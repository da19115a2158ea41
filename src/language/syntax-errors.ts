// The parser's errors and skipped junk as diagnostics, worded like a compiler's: what was
// expected, what was found, and how to fix it.

import type { IRecognitionException, IToken } from 'chevrotain';
import { EOF } from './chevrotain.ts';
import type { Diagnostic, SourceRange } from './diagnostic.ts';
import type { RangeOf } from './positions.ts';
import { tokenEnd } from './lexer.ts';
import type { ErrorFacts, Junk } from './parser.ts';
import * as T from './tokens.ts';

export interface SyntaxErrorContext {
  text: string;
  tokens: IToken[];
  rangeOf: RangeOf;
  /** Offsets of characters the lexer rejected: a parse error right after one is its echo, not news. */
  lexerErrorOffsets: number[];
  /** True when an unterminated string or block ran to the end of the file. */
  swallowedToEnd: boolean;
}

const VALUE_KINDS = 'a string ("..." or \'...\'), a number, a duration (5s), a size (5GiB), a name, a call (path(a, b)) or a list ([a, b])';
const NAME_RULE = 'a name starts with a letter or `_` and continues with letters, digits, `_` or `-`';

const isReal = (token: IToken | undefined): token is IToken =>
  token !== undefined && token.tokenType !== EOF && !token.isInsertedInRecovery && Number.isFinite(token.startOffset) && token.startOffset >= 0;
const endsLine = (token: IToken) => token.tokenType === EOF || token.tokenType === T.Terminator || !isReal(token);

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  if (token.tokenType === T.Terminator) return 'the end of the line';
  const image = token.image.length > 24 ? `${token.image.slice(0, 21)}...` : token.image;
  if (token.tokenType === T.StringLiteral || token.tokenType === T.RawStringLiteral) return `the string ${image}`;
  if (token.tokenType === T.RawBlock) return 'a raw block';
  return `\`${image}\``;
}

export function syntaxErrorDiagnostics(errors: IRecognitionException[], junk: Junk[], context: SyntaxErrorContext): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (errors.length === 0 && junk.length === 0) return [];
  const unclosed = unclosedBraces(context.tokens);
  for (const error of errors) {
    const previous = (error as IRecognitionException & { previousToken?: IToken }).previousToken;
    if (isEcho(previous, error.token, context)) continue;
    const diagnostic = describeError(error, previous, context, unclosed);
    if (diagnostic !== undefined) diagnostics.push(diagnostic);
  }
  for (const piece of junk) {
    if (isEcho(piece.previous, piece.first, context)) continue;
    diagnostics.push(describeJunk(piece, context.rangeOf));
  }
  return diagnostics.sort((a, b) => a.range!.start.offset - b.range!.start.offset);
}

function isEcho(previous: IToken | undefined, found: IToken, context: SyntaxErrorContext): boolean {
  if (found.tokenType === EOF && context.swallowedToEnd) return true;
  const from = isReal(previous) ? tokenEnd(previous) : 0;
  const to = !isReal(found) ? Infinity : found.tokenType === T.Terminator ? lineEndAfter(context.text, found.startOffset) : found.startOffset;
  return context.lexerErrorOffsets.some((offset) => offset >= from && offset <= to);
}

function describeError(error: IRecognitionException, previous: IToken | undefined, context: SyntaxErrorContext, unclosed: IToken[]): Diagnostic | undefined {
  const facts = JSON.parse(error.message) as ErrorFacts;
  const found = error.token;
  const { rangeOf } = context;
  const atEnd = endsLine(found);
  const where: SourceRange = atEnd && isReal(previous) ? tokenRange(previous, rangeOf) : isReal(found) ? tokenRange(found, rangeOf) : rangeOf(0, 0);
  const after = isReal(previous) ? ` after \`${previous.image.length > 24 ? previous.image.slice(0, 21) + '...' : previous.image}\`` : '';
  const expectedThing = (what: string) => (atEnd ? `expected ${what}${after}` : `expected ${what}, found ${describeToken(found)}`);
  const parent = error.context.ruleStack[error.context.ruleStack.length - 2];
  const make = (summary: string, detail: string, code: string, range = where, related?: Diagnostic['related']): Diagnostic => ({
    severity: 'error',
    summary,
    detail,
    range,
    ...(related === undefined ? {} : { related }),
    code,
  });

  if (facts.kind === 'mismatch') {
    switch (facts.expected) {
      case 'RCurly': {
        const opener = unclosed.shift();
        if (opener !== undefined && found.tokenType === EOF) {
          return make('unclosed `{`', 'Add `}` to close this block: the file ends before it is closed.', 'unclosed-block', tokenRange(opener, rangeOf));
        }
        return make(expectedThing('`}`'), 'Close the block with `}`.', 'expected-token');
      }
      case 'RParen':
      case 'RBracket': {
        const [open, close] = facts.expected === 'RParen' ? [T.LParen, ')'] : [T.LBracket, ']'];
        const opener = findOpener(context.tokens, found, previous, open);
        const what = facts.rule === 'callArguments' ? 'the arguments' : facts.rule === 'list' ? 'the list' : 'the parentheses';
        return make(
          expectedThing(`\`${close}\` to close ${what}`),
          `Add \`${close}\`${facts.rule === 'parenthesized' ? '' : ', and separate the items with commas'}.`,
          'expected-token',
          where,
          opener === undefined ? undefined : [{ message: `\`${opener.image}\` opened here`, range: tokenRange(opener, rangeOf) }],
        );
      }
      case 'Identifier': {
        const statement = facts.rule === 'forStatement' ? 'for' : 'let';
        const shape = statement === 'for' ? '`for NAME in LIST { ... }`' : '`let NAME = value`';
        if (T.RESERVED_WORDS.includes(found.image) && isReal(found)) {
          return make(`\`${found.image}\` is a reserved word and cannot name a variable`, `Choose another name; the reserved words are ${T.RESERVED_WORDS.map((w) => `\`${w}\``).join(', ')}.`, 'reserved-word');
        }
        return make(expectedThing(statement === 'for' ? 'a loop variable name' : 'a variable name'), `Write ${shape}; ${NAME_RULE}.`, 'expected-name');
      }
      case 'Assign':
        return make(expectedThing('`=`'), 'Write `let NAME = value`.', 'expected-token');
      case 'In':
        return make(expectedThing('`in`'), 'Write `for NAME in LIST { ... }`.', 'expected-token');
      case 'LCurly': {
        const owner = parent === 'forStatement' ? '`for`' : '`if`';
        return make(
          expectedThing('`{`'),
          `${owner} is followed by one expression and a block: \`{\`, the statements, \`}\`. Combine conditions with \`and\`, \`or\`, \`==\`, and quote text with spaces.`,
          'expected-block',
        );
      }
      default:
        return make(expectedThing(facts.expected), 'Check the statement against the language reference.', 'syntax-error');
    }
  }
  if (facts.kind === 'no-alternative' && facts.rule === 'ifStatement') {
    return make(expectedThing('`if` or `{`'), 'Write `else { ... }` or `else if CONDITION { ... }`.', 'expected-block');
  }
  if (facts.kind === 'no-alternative' || facts.kind === 'early-exit') {
    const inInterpolation = error.context.ruleStack[0] === 'interpolation';
    return make(
      expectedThing('an expression'),
      `Write ${inInterpolation ? 'an expression inside `${...}`' : 'a value here'}: ${VALUE_KINDS}.`,
      'expected-expression',
    );
  }
  // not-all-input: only the interpolation rule can stop before the end of its tokens.
  return make(
    `unexpected ${describeToken(found)} in the interpolation`,
    'An interpolation holds one expression, such as `${hostname}` or `${env("HOME")}`; write `\\${` for a literal `${`.',
    'syntax-error',
  );
}

function describeJunk(junk: Junk, rangeOf: RangeOf): Diagnostic {
  const range = rangeOf(junk.first.startOffset, tokenEnd(junk.last));
  const make = (summary: string, detail: string): Diagnostic => ({ severity: 'error', summary, detail, range, code: 'unexpected-token' });
  if (junk.first.tokenType === T.RCurly) {
    return make('unexpected `}`', 'It closes no block: remove it, or look above for a block whose `{` is missing.');
  }
  if (junk.first.tokenType === T.Else) {
    return make('`else` without `if`', '`else` must follow the `}` of an `if` block.');
  }
  const type = junk.previous?.tokenType;
  if (type === undefined || type === T.Terminator || type === T.Semicolon || type === T.LCurly) {
    return make(
      `expected a statement, found ${describeToken(junk.first)}`,
      'A statement starts with a keyword such as `job`, `let`, `if` or `for`. If this continues the line above, end that line with `,`.',
    );
  }
  return make(
    `unexpected ${describeToken(junk.first)} after the end of the statement`,
    'Remove it, or start a new statement on a new line (or after `;`).',
  );
}

function lineEndAfter(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end;
}

function tokenRange(token: IToken, rangeOf: RangeOf): SourceRange {
  return rangeOf(token.startOffset, tokenEnd(token));
}

/** The `{` tokens left open at the end of the file, innermost first. */
function unclosedBraces(tokens: IToken[]): IToken[] {
  const open: IToken[] = [];
  for (const token of tokens) {
    if (token.tokenType === T.LCurly) open.push(token);
    else if (token.tokenType === T.RCurly) open.pop();
  }
  return open.reverse();
}

/** The unmatched opener of type `open` before the error. */
function findOpener(tokens: IToken[], found: IToken, previous: IToken | undefined, open: typeof T.LParen): IToken | undefined {
  const limit = isReal(found) ? found.startOffset : isReal(previous) ? tokenEnd(previous) : Infinity;
  const close = open === T.LParen ? T.RParen : T.RBracket;
  let depth = 0;
  let index = tokens.length - 1;
  while (index >= 0 && tokens[index]!.startOffset >= limit) index -= 1;
  for (; index >= 0; index -= 1) {
    const type = tokens[index]!.tokenType;
    if (type === close) depth += 1;
    else if (type === open) {
      if (depth === 0) return tokens[index];
      depth -= 1;
    }
  }
  return undefined;
}
