// Text to syntax tree. Never throws: every problem is a diagnostic, and the tree holds what
// could be read (a statement that could not be read is left out and reported once).

import type { CstNode, IRecognitionException } from 'chevrotain';
import type { Expr, SourceFile } from './ast.ts';
import type { Diagnostic, SourceRange } from './diagnostic.ts';
import { MAX_NESTING } from './limits.ts';
import { rangeMaker, type RangeOf } from './positions.ts';
import { lex, lexFragment } from './lexer.ts';
import { stillParser } from './parser.ts';
import { buildExpression, buildStatements, type BuildContext } from './build-ast.ts';
import { syntaxErrorDiagnostics } from './syntax-errors.ts';
import { RESERVED_WORDS } from './tokens.ts';

const LONE_NAME = /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*$/;
const RESERVED = new Set(RESERVED_WORDS);

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

export function parse(text: string, file: string): ParseResult {
  const rangeOf = rangeMaker(text, file);
  try {
    const result = parseText(text, file, rangeOf);
    // The evaluator, the formatter and the language server recurse through the tree: a
    // tree deeper than they can follow is refused here, once, for all of them.
    const deep = nodeBeyond(result.file, MAX_NESTING);
    return deep === undefined ? result : { file: emptyFile(text, file, rangeOf), diagnostics: [nestingTooDeep(deep.range)] };
  } catch (error) {
    // The parser and the tree builder recurse; only absurd nesting exhausts the stack.
    if (!(error instanceof RangeError)) throw error;
    return { file: emptyFile(text, file, rangeOf), diagnostics: [nestingTooDeep(rangeOf(0, 0))] };
  }
}

/** For a script nested so deeply that the stack runs out while reading or printing it. */
export function nestingTooDeep(range: Diagnostic['range']): Diagnostic {
  return {
    severity: 'error',
    summary: `the script nests more than ${MAX_NESTING} levels deep`,
    detail: 'Flatten the deepest brackets, blocks or operator chains: use `let` for parts of a long expression.',
    range,
    code: 'nesting-too-deep',
  };
}

/** The first syntax node found nested deeper than `limit` nodes, walked without recursion. */
function nodeBeyond(file: SourceFile, limit: number): { range: SourceRange } | undefined {
  // Two parallel stacks rather than one of pairs: a 1 MiB script has a million nodes.
  const values: unknown[] = [file];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop() as Record<string, unknown> | unknown[];
    const depth = depths.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) values.push(item), depths.push(depth);
      continue;
    }
    const node = 'kind' in value;
    if (node && depth > limit) return value as unknown as { range: SourceRange };
    for (const key in value) {
      const child = value[key];
      if (key !== 'range' && typeof child === 'object' && child !== null) values.push(child), depths.push(node ? depth + 1 : depth);
    }
  }
  return undefined;
}

function emptyFile(text: string, file: string, rangeOf: RangeOf): SourceFile {
  return { kind: 'File', path: file, statements: [], comments: [], range: rangeOf(0, text.length) };
}

function parseText(text: string, file: string, rangeOf: RangeOf): ParseResult {
  const lexed = lex(text, rangeOf);
  const parser = stillParser();
  parser.begin(lexed.tokens);
  const cst = parser.file();
  const lexerErrorOffsets = lexed.diagnostics.filter((d) => d.code === 'unexpected-character').map((d) => d.range!.start.offset);
  const swallowedToEnd = lexed.diagnostics.some((d) => d.code === 'unterminated-raw-block');
  const diagnostics = [
    ...lexed.diagnostics,
    ...syntaxErrorDiagnostics([...parser.errors], parser.junk, { text, tokens: lexed.tokens, rangeOf, lexerErrorOffsets, swallowedToEnd }),
  ];

  const context: BuildContext = {
    text,
    rangeOf,
    diagnostics,
    parseInterpolation(start, end) {
      // Most interpolations are one name (`${hostname}`): no need to run the parser for those.
      const name = LONE_NAME.exec(text.slice(start, end));
      if (name !== null && !RESERVED.has(name[1]!)) {
        const at = start + name.index + name[0].indexOf(name[1]!);
        return { kind: 'Name', name: name[1]!, range: rangeOf(at, at + name[1]!.length) } satisfies Expr;
      }
      const fragment = lexFragment(text.slice(start, end), start, rangeOf);
      diagnostics.push(...fragment.diagnostics);
      parser.begin(fragment.tokens);
      const node = parser.interpolation();
      const errors: IRecognitionException[] = [...parser.errors];
      if (errors.length > 0 || fragment.diagnostics.length > 0) {
        diagnostics.push(...syntaxErrorDiagnostics(errors, [], { text, tokens: fragment.tokens, rangeOf, lexerErrorOffsets: fragment.diagnostics.map((d) => d.range!.start.offset), swallowedToEnd: false }));
        return { kind: 'Error', range: rangeOf(start, end) } satisfies Expr;
      }
      return buildExpression(node.children['expression']![0] as CstNode, context);
    },
  };
  const statements = buildStatements(cst, context);
  const comments = lexed.comments.map((token) => ({
    kind: 'Comment' as const,
    text: token.image,
    range: rangeOf(token.startOffset, token.startOffset + token.image.length),
  }));
  diagnostics.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  return { file: { kind: 'File', path: file, statements, comments, range: rangeOf(0, text.length) }, diagnostics };
}


