// What the cursor stands in, for completion: which block, and where in a statement. Text
// being typed rarely parses, so this reads tokens, not the tree: the lexer runs on the text
// before the cursor with a placeholder word at the cursor, which lets the lexer's own rules
// decide whether a new statement starts there (a newline ends a statement unless the line
// asks for more), and tells a cursor inside a string, comment or raw block (the placeholder
// is swallowed) from one in code.

import type { IToken } from 'chevrotain';
import { BLOCKS, RAW_LANGUAGES, bodyBlockKind, statementSpec, type ArgItem, type BlockKind, type StatementSpec } from '../language/catalog.ts';
import { lex } from '../language/lexer.ts';
import { rangeMaker } from '../language/positions.ts';
import * as T from '../language/tokens.ts';

export type CursorContext =
  /** A statement may start here. */
  | { kind: 'statement'; block: BlockKind }
  /** Past the last item of a statement: only another statement of the block on the same line. */
  | { kind: 'next'; block: BlockKind }
  /** An argument item of a statement. */
  | { kind: 'item'; block: BlockKind; spec: StatementSpec; item: ArgItem }
  /** The key of a `keep last N, daily N` pair. */
  | { kind: 'keys'; keys: readonly string[] }
  /** Any expression: names, functions, literals. */
  | { kind: 'expression' }
  /** `else |`. */
  | { kind: 'else' }
  /** Nothing to offer: a string, a comment, a raw block, a name being declared. */
  | { kind: 'none' };

export interface CursorWord {
  /** The word typed so far, which completion replaces. */
  start: number;
  end: number;
}

const PLACEHOLDER = 'stillpoint_cursor';
const PARTIAL_WORD = /[A-Za-z_][A-Za-z0-9_-]*$/;
const OPERATORS = new Set([T.Coalesce, T.EqualEqual, T.NotEqual, T.And, T.Or, T.Not]);
const ENDS_STATEMENT = new Set([T.Terminator, T.Semicolon, T.LCurly, T.RCurly]);

/** The word under construction at `offset` (possibly empty). */
export function wordBefore(text: string, offset: number): CursorWord {
  const match = PARTIAL_WORD.exec(text.slice(Math.max(0, offset - 200), offset));
  const start = match ? offset - match[0].length : offset;
  // `5m` is a duration being typed, not the word `m`.
  return match && /[0-9.]/.test(text[start - 1] ?? '') ? { start: offset, end: offset } : { start, end: offset };
}

export function cursorContext(text: string, offset: number): CursorContext {
  const word = wordBefore(text, offset);
  const prefix = text.slice(0, word.start) + PLACEHOLDER;
  const tokens = lex(prefix, rangeMaker(prefix, '')).tokens;
  const last = tokens.at(-1);
  if (last?.tokenType === T.StringLiteral && insideInterpolation(prefix, last.startOffset, word.start)) return { kind: 'expression' };
  if (last === undefined || last.tokenType !== T.Identifier || last.startOffset !== word.start) return { kind: 'none' };

  const blocks: (BlockKind | undefined)[] = ['file'];
  let statement: IToken[] = [];
  for (const token of tokens.slice(0, -1)) {
    if (token.tokenType === T.LCurly) {
      blocks.push(innerBlock(blocks.at(-1), statement));
      statement = [];
    } else if (token.tokenType === T.RCurly) {
      if (blocks.length > 1) blocks.pop();
      statement = [];
    } else if (ENDS_STATEMENT.has(token.tokenType)) {
      statement = [];
    } else {
      statement.push(token);
    }
  }
  const block = blocks.at(-1);
  if (block === undefined) return { kind: 'none' };
  return statementContext(block, statement);
}

/** Whether `offset` is inside a `${...}` of the double-quoted string that starts at `start`. */
function insideInterpolation(text: string, start: number, offset: number): boolean {
  const open = text.lastIndexOf('${', offset);
  return open > start && !text.slice(open, offset).includes('}');
}

/** The block a `{` opens after `statement` in `block`. */
function innerBlock(block: BlockKind | undefined, statement: IToken[]): BlockKind | undefined {
  const head = statement[0];
  if (block === undefined || head === undefined) return undefined;
  if (head.tokenType === T.If || head.tokenType === T.Else || head.tokenType === T.For) return block;
  const spec = statementSpec(block, head.image);
  if (spec === undefined) return undefined;
  const words = firstGroup(statement.slice(1)).map(wordOf);
  return bodyBlockKind(spec, words);
}

function firstGroup(tokens: IToken[]): IToken[] {
  const comma = tokens.findIndex((t) => t.tokenType === T.Comma);
  return comma === -1 ? tokens : tokens.slice(0, comma);
}

function wordOf(token: IToken): string | undefined {
  if (token.tokenType === T.Identifier) return token.image;
  if (token.tokenType === T.StringLiteral || token.tokenType === T.RawStringLiteral) return token.image.slice(1, -1);
  return undefined;
}

function statementContext(block: BlockKind, statement: IToken[]): CursorContext {
  const head = statement[0];
  if (head === undefined) return { kind: 'statement', block };
  const previous = statement.at(-1)!;
  if (head.tokenType === T.Else) return statement.length === 1 ? { kind: 'else' } : statement[1]!.tokenType === T.If ? { kind: 'expression' } : { kind: 'none' };
  if (head.tokenType === T.Let) return statement.some((t) => t.tokenType === T.Assign) ? { kind: 'expression' } : { kind: 'none' };
  if (head.tokenType === T.If) return { kind: 'expression' };
  if (head.tokenType === T.For) return statement.some((t) => t.tokenType === T.In) ? { kind: 'expression' } : { kind: 'none' };
  const spec = statementSpec(block, head.image);
  if (spec === undefined) return { kind: 'none' };

  let depth = 0;
  let group = 0;
  let index = 0;
  let assigned = false;
  for (const token of statement.slice(1)) {
    if (token.tokenType === T.LParen || token.tokenType === T.LBracket) depth += 1;
    else if (token.tokenType === T.RParen || token.tokenType === T.RBracket) depth -= 1;
    else if (depth > 0) continue;
    else if (token.tokenType === T.Comma) {
      group += 1;
      index = 0;
      continue;
    } else if (token.tokenType === T.Assign) assigned = true;
    if (depth === 0 && !OPERATORS.has(token.tokenType) && token.tokenType !== T.RParen && token.tokenType !== T.RBracket) index += 1;
  }
  if (depth > 0 || assigned || OPERATORS.has(previous.tokenType)) return { kind: 'expression' };
  // `hook before-backup sh |`: only the raw block may follow.
  if (statement.length > 1 && (RAW_LANGUAGES as readonly string[]).includes(previous.image)) return { kind: 'none' };
  return argumentContext(block, spec, group, index);
}

/** What item `index` of comma group `group` of `spec` is; past the last item, a new statement on the same line. */
function argumentContext(block: BlockKind, spec: StatementSpec, group: number, index: number): CursorContext {
  const args = spec.args;
  const item = (value: ArgItem | undefined): CursorContext => (value ? { kind: 'item', block, spec, item: value } : { kind: 'next', block });
  switch (args.kind) {
    case 'none':
      return { kind: 'next', block };
    case 'flag':
      return index === 0 ? { kind: 'item', block, spec, item: { kind: 'word', name: 'BOOL', words: ['true', 'false'], noun: 'bool' } } : { kind: 'next', block };
    case 'one':
      return item(group === 0 && index === 0 ? args.item : undefined);
    case 'list':
      return item(index === 0 ? args.item : undefined);
    case 'pairs':
      return index === 0 ? { kind: 'keys', keys: args.keys } : index === 1 ? { kind: 'expression' } : { kind: 'next', block };
    case 'sequence':
      return item(group === 0 ? args.items[index] : index === 0 ? args.more : undefined);
    case 'assignment':
      return { kind: 'none' };
  }
}

/** Every statement keyword valid in `block`. */
export function statementsOf(block: BlockKind): readonly StatementSpec[] {
  return BLOCKS[block].statements;
}
