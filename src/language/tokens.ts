// The lexical tokens of a .still file. TOKEN_DEFINITIONS lists them with a category so that
// highlighters (the TextMate grammar) are generated from the same definitions as the lexer.

import type { CustomPatternMatcherFunc, IToken, TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.ts';
import type { RawLanguage } from './ast.ts';
import { scanDoubleQuoted, type StringScan } from './string-literal.ts';
import { RAW_LANGUAGES, scanRawBlock, type RawScan } from './raw-block.ts';

export type TokenCategory =
  | 'whitespace'
  | 'comment'
  | 'keyword'
  | 'operator'
  | 'punctuation'
  | 'string'
  | 'literal'
  | 'identifier'
  | 'embedded';

export interface TokenDefinition {
  name: string;
  category: TokenCategory;
  /** A regular expression for the token; for strings and raw blocks, which the lexer scans by hand, an approximation fit for a highlighter. */
  pattern: RegExp;
  type: TokenType;
}

/** What the lexer attaches to a double-quoted string token. */
export interface StringPayload extends StringScan {
  kind: 'string';
}

/** What the lexer attaches to a raw block token. */
export interface RawBlockPayload extends RawScan {
  kind: 'raw';
  language: RawLanguage;
}

/** Every token but the ones that end statements (`;`, `}`, end of line): where no statement may start, the parser reports them as unexpected. */
export const Stray = createToken({ name: 'Stray', pattern: Lexer.NA });

/** Inserted by the lexer where a newline ends a statement (see lexer.ts). */
export const Terminator = createToken({ name: 'Terminator', pattern: Lexer.NA, label: 'end of line' });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /(?:#|\/\/)[^\r\n]*/, group: 'comments' });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_-]*/, categories: [Stray] });

const keyword = (word: string) =>
  createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `\`${word}\``, categories: [Stray] });

export const If = keyword('if');
export const Else = keyword('else');
export const For = keyword('for');
export const In = keyword('in');
export const Let = keyword('let');
export const Not = keyword('not');
export const And = keyword('and');
export const Or = keyword('or');
export const True = keyword('true');
export const False = keyword('false');
export const None = keyword('none');

/** The words that are never identifiers. */
export const RESERVED_WORDS: readonly string[] = ['if', 'else', 'for', 'in', 'let', 'not', 'and', 'or', 'true', 'false', 'none'];

const punctuation = (name: string, text: string, categories: TokenType[] = [Stray]) =>
  createToken({ name, pattern: text, label: `\`${text}\``, categories });

export const RawBlock = createToken({
  name: 'RawBlock',
  label: 'raw block',
  pattern: matchRawBlock as CustomPatternMatcherFunc,
  start_chars_hint: ['{'],
  line_breaks: true,
  categories: [Stray],
});
export const LCurly = punctuation('LCurly', '{');
export const RCurly = punctuation('RCurly', '}', []);
export const LParen = punctuation('LParen', '(');
export const RParen = punctuation('RParen', ')');
export const LBracket = punctuation('LBracket', '[');
export const RBracket = punctuation('RBracket', ']');
export const Comma = punctuation('Comma', ',');
export const Semicolon = punctuation('Semicolon', ';', []);
export const EqualEqual = punctuation('EqualEqual', '==');
export const NotEqual = punctuation('NotEqual', '!=');
export const Assign = punctuation('Assign', '=');
export const Coalesce = punctuation('Coalesce', '??');

export const StringLiteral = createToken({
  name: 'StringLiteral',
  label: 'string',
  pattern: matchString as CustomPatternMatcherFunc,
  start_chars_hint: ['"'],
  line_breaks: false,
  categories: [Stray],
});
/** '...' raw strings; an unterminated one runs to the end of its line and is reported by the lexer. */
export const RawStringLiteral = createToken({ name: 'RawStringLiteral', label: 'string', pattern: /'[^'\r\n]*'?/, categories: [Stray] });

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const END_OF_WORD = String.raw`(?![A-Za-z0-9_-])`;
export const DurationLiteral = createToken({ name: 'DurationLiteral', label: 'duration', pattern: new RegExp(`${NUMBER}(?:ms|s|m|h|d|w)${END_OF_WORD}`), categories: [Stray] });
export const SizeLiteral = createToken({ name: 'SizeLiteral', label: 'size', pattern: new RegExp(`${NUMBER}(?:[KMGT]iB|[KMGT]B|B)${END_OF_WORD}`), categories: [Stray] });
export const PercentLiteral = createToken({ name: 'PercentLiteral', label: 'percent', pattern: new RegExp(`${NUMBER}%`), categories: [Stray] });
/** A number with a unit that is neither a duration nor a size unit (`5min`): reported when the tree is built. */
export const UnknownUnitLiteral = createToken({ name: 'UnknownUnitLiteral', label: 'number', pattern: new RegExp(`${NUMBER}[A-Za-z_][A-Za-z0-9_-]*`), categories: [Stray] });
export const NumberLiteral = createToken({ name: 'NumberLiteral', label: 'number', pattern: new RegExp(NUMBER), categories: [Stray] });
export const DriveLiteral = createToken({ name: 'DriveLiteral', label: 'drive', pattern: /[A-Za-z]:/, categories: [Stray] });

function matchString(text: string, offset: number): ReturnType<CustomPatternMatcherFunc> {
  if (text[offset] !== '"') return null;
  const scan = scanDoubleQuoted(text, offset);
  const match: [string] & { payload?: StringPayload } = [text.slice(offset, scan.end)];
  match.payload = { kind: 'string', ...scan };
  return match;
}

function matchRawBlock(text: string, offset: number, tokens: IToken[]): ReturnType<CustomPatternMatcherFunc> {
  if (text[offset] !== '{') return null;
  const previous = tokens[tokens.length - 1];
  if (previous === undefined || previous.tokenType !== Identifier) return null;
  const language = previous.image as RawLanguage;
  if (!RAW_LANGUAGES.includes(language)) return null;
  const scan = scanRawBlock(text, offset, language);
  const match: [string] & { payload?: RawBlockPayload } = [text.slice(offset, scan.end)];
  match.payload = { kind: 'raw', language, ...scan };
  return match;
}

/** In the order the lexer tries them. */
export const TOKEN_DEFINITIONS: readonly TokenDefinition[] = (
  [
  { type: WhiteSpace, category: 'whitespace', pattern: /[ \t\r\n]+/ },
  { type: Comment, category: 'comment', pattern: /(?:#|\/\/).*$/ },
  { type: RawBlock, category: 'embedded', pattern: /(?<=\b(?:sh|pwsh|cmd)\s*)\{/ },
  { type: LCurly, category: 'punctuation', pattern: /\{/ },
  { type: RCurly, category: 'punctuation', pattern: /\}/ },
  { type: LParen, category: 'punctuation', pattern: /\(/ },
  { type: RParen, category: 'punctuation', pattern: /\)/ },
  { type: LBracket, category: 'punctuation', pattern: /\[/ },
  { type: RBracket, category: 'punctuation', pattern: /\]/ },
  { type: Comma, category: 'punctuation', pattern: /,/ },
  { type: Semicolon, category: 'punctuation', pattern: /;/ },
  { type: EqualEqual, category: 'operator', pattern: /==/ },
  { type: NotEqual, category: 'operator', pattern: /!=/ },
  { type: Assign, category: 'operator', pattern: /=/ },
  { type: Coalesce, category: 'operator', pattern: /\?\?/ },
  { type: StringLiteral, category: 'string', pattern: /"(?:[^"\\\r\n]|\\.)*"?/ },
  { type: RawStringLiteral, category: 'string', pattern: /'[^'\r\n]*'?/ },
  { type: DurationLiteral, category: 'literal', pattern: DurationLiteral.PATTERN as RegExp },
  { type: SizeLiteral, category: 'literal', pattern: SizeLiteral.PATTERN as RegExp },
  { type: PercentLiteral, category: 'literal', pattern: PercentLiteral.PATTERN as RegExp },
  { type: UnknownUnitLiteral, category: 'literal', pattern: UnknownUnitLiteral.PATTERN as RegExp },
  { type: NumberLiteral, category: 'literal', pattern: NumberLiteral.PATTERN as RegExp },
  { type: DriveLiteral, category: 'literal', pattern: DriveLiteral.PATTERN as RegExp },
  ...[If, Else, For, In, Let, Not, And, Or].map((type) => ({ type, category: 'keyword' as const, pattern: new RegExp(`\\b${(type.PATTERN as RegExp).source}\\b(?!-)`) })),
  ...[True, False, None].map((type) => ({ type, category: 'literal' as const, pattern: new RegExp(`\\b${(type.PATTERN as RegExp).source}\\b(?!-)`) })),
  { type: Identifier, category: 'identifier', pattern: Identifier.PATTERN as RegExp },
  ] satisfies Omit<TokenDefinition, 'name'>[]
).map((definition) => ({ ...definition, name: definition.type.name }));

/** Every token type the parser knows, virtual ones included. */
export const ALL_TOKEN_TYPES: TokenType[] = [...TOKEN_DEFINITIONS.map((d) => d.type), Terminator, Stray];
