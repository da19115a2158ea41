// The CST -> AST visitor: one function per grammar rule, each returning AST nodes with exact
// ranges. Literal problems (unknown unit, unknown escape, empty interpolation) are reported
// here because only here is a token's text taken apart.

import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { RangeOf } from './positions.ts';
import { tokenEnd } from './lexer.ts';
import { decodeEscapes } from './string-literal.ts';
import { leadingBlankLines, rawBlockCode } from './raw-block.ts';
import type { RawBlockPayload, StringPayload } from './tokens.ts';
import { meant } from './suggest.ts';

export interface BuildContext {
  text: string;
  rangeOf: RangeOf;
  diagnostics: Diagnostic[];
  /** Parses the expression of an interpolation whose text is [start, end). */
  parseInterpolation(start: number, end: number): A.Expr;
}

const NOTHING: never[] = [];
const children = (node: CstNode, key: string) => (node.children[key] ?? NOTHING) as CstNode[];
const tokensOf = (node: CstNode, key: string) => (node.children[key] ?? NOTHING) as IToken[];
const isReal = (token: IToken | undefined): token is IToken => token !== undefined && !token.isInsertedInRecovery && token.startOffset >= 0;
const endOf = (node: A.NodeBase) => node.range.end.offset;

export function buildStatements(node: CstNode, context: BuildContext): A.Statement[] {
  const statements: A.Statement[] = [];
  for (const statement of children(node, 'statement')) {
    // A statement the parser skipped has been reported; a half-read one would only cause echoes.
    if (statement.recoveredNode) continue;
    const built = buildStatement(statement, context);
    if (built !== undefined) statements.push(built);
  }
  return statements;
}

function buildStatement(node: CstNode, context: BuildContext): A.Statement | undefined {
  const [setting] = children(node, 'setting');
  if (setting !== undefined) return buildSetting(setting, context);
  const [letStatement] = children(node, 'letStatement');
  if (letStatement !== undefined) return buildLet(letStatement, context);
  const [ifStatement] = children(node, 'ifStatement');
  if (ifStatement !== undefined) return buildIf(ifStatement, context);
  const [forStatement] = children(node, 'forStatement');
  if (forStatement !== undefined) return buildFor(forStatement, context);
  return undefined;
}

function identifier(token: IToken, context: BuildContext): A.Identifier {
  return { kind: 'Identifier', name: token.image, range: context.rangeOf(token.startOffset, tokenEnd(token)) };
}

function buildSetting(node: CstNode, context: BuildContext): A.Setting {
  const keyword = identifier(tokensOf(node, 'Identifier')[0]!, context);
  const args = children(node, 'argGroup').map((group) => children(group, 'expression').map((e) => buildExpression(e, context)));
  const [assignmentNode] = children(node, 'expression');
  const assignment = assignmentNode === undefined ? undefined : buildExpression(assignmentNode, context);
  const [blockNode] = children(node, 'block');
  const [rawToken] = tokensOf(node, 'RawBlock');
  const body = blockNode !== undefined ? buildBlock(blockNode, context) : rawToken !== undefined ? buildRawBlock(rawToken, context) : undefined;
  let end = endOf(keyword);
  for (const group of args) for (const item of group) end = Math.max(end, endOf(item));
  if (assignment !== undefined) end = Math.max(end, endOf(assignment));
  if (body !== undefined) end = Math.max(end, endOf(body));
  return {
    kind: 'Setting',
    keyword,
    args,
    ...(assignment === undefined ? {} : { assignment }),
    ...(body === undefined ? {} : { body }),
    range: context.rangeOf(keyword.range.start.offset, end),
  };
}

function buildRawBlock(token: IToken, context: BuildContext): A.RawBlock {
  const payload = token.payload as RawBlockPayload;
  const inner = token.image.slice(1, payload.unterminated ? undefined : -1);
  const range = context.rangeOf(token.startOffset, tokenEnd(token));
  return { kind: 'RawBlock', language: payload.language, code: rawBlockCode(inner), codeLine: range.start.line + leadingBlankLines(inner), range };
}

function buildBlock(node: CstNode, context: BuildContext): A.Block {
  const open = tokensOf(node, 'LCurly')[0]!;
  const close = tokensOf(node, 'RCurly')[0];
  const [statementsNode] = children(node, 'statements');
  const statements = statementsNode === undefined ? [] : buildStatements(statementsNode, context);
  const end = isReal(close) ? tokenEnd(close) : Math.max(tokenEnd(open), ...statements.map(endOf));
  return { kind: 'Block', statements, range: context.rangeOf(open.startOffset, end) };
}

function buildLet(node: CstNode, context: BuildContext): A.LetStatement {
  const letToken = tokensOf(node, 'Let')[0]!;
  const name = identifier(tokensOf(node, 'Identifier')[0]!, context);
  const value = expressionOrError(children(node, 'expression')[0], name, context);
  return { kind: 'Let', name, value, range: context.rangeOf(letToken.startOffset, endOf(value)) };
}

function buildIf(node: CstNode, context: BuildContext): A.IfStatement {
  const branches: A.IfBranch[] = [];
  let elseBody: A.Block | undefined;
  let current: CstNode | undefined = node;
  const start = tokensOf(node, 'If')[0]!.startOffset;
  while (current !== undefined) {
    const ifToken = tokensOf(current, 'If')[0]!;
    const blocks = children(current, 'block');
    const body = buildBlock(blocks[0]!, context);
    const condition = expressionOrError(children(current, 'expression')[0], identifier(ifToken, context), context);
    branches.push({ condition, body, range: context.rangeOf(ifToken.startOffset, endOf(body)) });
    if (blocks[1] !== undefined) elseBody = buildBlock(blocks[1], context);
    current = children(current, 'ifStatement')[0];
  }
  const last = elseBody ?? branches[branches.length - 1]!.body;
  return { kind: 'If', branches, ...(elseBody === undefined ? {} : { elseBody }), range: context.rangeOf(start, endOf(last)) };
}

function buildFor(node: CstNode, context: BuildContext): A.ForStatement {
  const forToken = tokensOf(node, 'For')[0]!;
  const variable = identifier(tokensOf(node, 'Identifier')[0]!, context);
  const iterable = expressionOrError(children(node, 'expression')[0], variable, context);
  const body = buildBlock(children(node, 'block')[0]!, context);
  return { kind: 'For', variable, iterable, body, range: context.rangeOf(forToken.startOffset, endOf(body)) };
}

function expressionOrError(node: CstNode | undefined, before: A.NodeBase, context: BuildContext): A.Expr {
  if (node !== undefined) return buildExpression(node, context);
  return { kind: 'Error', range: context.rangeOf(endOf(before), endOf(before)) };
}

// ---------------------------------------------------------------- expressions

const PRECEDENCE: Record<string, number> = { or: 1, and: 2, '==': 4, '!=': 4, '??': 5 };
/** `not` binds looser than comparisons: `not a == b` is `not (a == b)`. */
const NOT_PRECEDENCE = 3;

type Piece = { operator: IToken } | { operand: A.Expr };

export function buildExpression(node: CstNode, context: BuildContext): A.Expr {
  const operands = children(node, 'primary').map((n) => buildPrimary(n, context));
  const operators: IToken[] = [];
  for (const key of ['Not', 'Or', 'And', 'EqualEqual', 'NotEqual', 'Coalesce']) {
    const found = node.children[key] as IToken[] | undefined;
    if (found !== undefined) operators.push(...found);
  }
  const pieces: Piece[] = operands.map((operand) => ({ operand }));
  if (operators.length > 0) {
    for (const operator of operators) pieces.push({ operator });
    const offset = (piece: Piece) => ('operator' in piece ? piece.operator.startOffset : piece.operand.range.start.offset);
    pieces.sort((a, b) => offset(a) - offset(b));
  }
  const reader = { pieces, index: 0 };
  return climb(reader, 0, context);
}

/** Precedence climbing over the flat sequence of one expression. */
function climb(reader: { pieces: Piece[]; index: number }, minimum: number, context: BuildContext): A.Expr {
  let left = prefix(reader, context);
  for (;;) {
    const piece = reader.pieces[reader.index];
    if (piece === undefined || !('operator' in piece)) return left;
    const precedence = PRECEDENCE[piece.operator.image]!;
    if (precedence < minimum) return left;
    reader.index += 1;
    const right = climb(reader, precedence + 1, context);
    left = { kind: 'Binary', op: piece.operator.image as A.BinaryOperator, left, right, range: context.rangeOf(left.range.start.offset, endOf(right)) };
  }
}

function prefix(reader: { pieces: Piece[]; index: number }, context: BuildContext): A.Expr {
  const piece = reader.pieces[reader.index];
  if (piece === undefined) {
    const before = reader.pieces[reader.index - 1];
    const at = before === undefined ? 0 : 'operator' in before ? tokenEnd(before.operator) : endOf(before.operand);
    return { kind: 'Error', range: context.rangeOf(at, at) };
  }
  reader.index += 1;
  if ('operand' in piece) return piece.operand;
  const operand = climb(reader, NOT_PRECEDENCE, context);
  return { kind: 'Not', operand, range: context.rangeOf(piece.operator.startOffset, Math.max(tokenEnd(piece.operator), endOf(operand))) };
}

function errorAt(node: CstNode, context: BuildContext): A.ErrorExpr {
  const offset = node.location?.startOffset ?? 0;
  return { kind: 'Error', range: context.rangeOf(offset, offset) };
}

const DURATION_MS: Record<A.DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_BYTES: Record<A.SizeUnit, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
const UNIT_TYPOS: Record<string, string> = { sec: 's', secs: 's', second: 's', seconds: 's', min: 'm', mins: 'm', minute: 'm', minutes: 'm', hr: 'h', hrs: 'h', hour: 'h', hours: 'h', day: 'd', days: 'd', week: 'w', weeks: 'w' };

function splitNumber(text: string): { value: number; unit: string } {
  const digits = /^\d+(?:\.\d+)?/.exec(text)![0];
  return { value: Number(digits), unit: text.slice(digits.length) };
}

function buildPrimary(node: CstNode, context: BuildContext): A.Expr {
  const [list] = children(node, 'list');
  if (list !== undefined) return buildList(list, context);
  const [parenthesized] = children(node, 'parenthesized');
  if (parenthesized !== undefined) return buildParenthesized(parenthesized, context);
  let token: IToken | undefined;
  for (const key in node.children) if (key !== 'callArguments') token = node.children[key]![0] as IToken;
  if (token === undefined) return errorAt(node, context);
  const range = context.rangeOf(token.startOffset, tokenEnd(token));
  const text = token.image;
  switch (token.tokenType.name) {
    case 'StringLiteral':
      return buildString(token, context);
    case 'RawStringLiteral':
      return { kind: 'RawString', value: text.slice(1, text.length > 1 && text.endsWith("'") ? -1 : undefined), range };
    case 'NumberLiteral':
      return { kind: 'Number', value: Number(text), text, range };
    case 'PercentLiteral':
      return { kind: 'Percent', value: Number(text.slice(0, -1)), text, range };
    case 'DurationLiteral': {
      const { value, unit } = splitNumber(text);
      return { kind: 'Duration', value, unit: unit as A.DurationUnit, milliseconds: value * DURATION_MS[unit as A.DurationUnit], text, range };
    }
    case 'SizeLiteral': {
      const { value, unit } = splitNumber(text);
      return { kind: 'Size', value, unit: unit as A.SizeUnit, bytes: value * SIZE_BYTES[unit as A.SizeUnit], text, range };
    }
    case 'UnknownUnitLiteral':
      context.diagnostics.push(unknownUnit(text, range));
      return { kind: 'Error', range };
    case 'DriveLiteral':
      return { kind: 'Drive', letter: text[0]!, range };
    case 'True':
    case 'False':
      return { kind: 'Bool', value: text === 'true', range };
    case 'None':
      return { kind: 'None', range };
    case 'Identifier': {
      const [argumentsNode] = children(node, 'callArguments');
      if (argumentsNode === undefined) return { kind: 'Name', name: text, range };
      const args = children(children(argumentsNode, 'expressionList')[0] ?? argumentsNode, 'expression').map((e) => buildExpression(e, context));
      const close = tokensOf(argumentsNode, 'RParen')[0];
      const open = tokensOf(argumentsNode, 'LParen')[0]!;
      const end = isReal(close) ? tokenEnd(close) : Math.max(tokenEnd(open), ...args.map(endOf));
      return { kind: 'Call', callee: identifier(token, context), args, range: context.rangeOf(token.startOffset, end) };
    }
    default:
      return { kind: 'Error', range };
  }
}

function unknownUnit(text: string, range: A.NodeBase['range']): Diagnostic {
  const { value, unit } = splitNumber(text);
  const known = [...Object.keys(DURATION_MS), ...Object.keys(SIZE_BYTES)];
  const suggestion = UNIT_TYPOS[unit.toLowerCase()] ?? known.find((k) => k.toLowerCase() === unit.toLowerCase());
  return {
    severity: 'error',
    summary: `unknown unit \`${unit}\` in \`${text}\``,
    detail: `${suggestion === undefined ? '' : `${meant(`${value}${suggestion}`)} `}Durations take ms, s, m, h, d or w (\`5m\`); sizes take B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (\`5GiB\`).`,
    range,
    code: 'unknown-unit',
  };
}

function buildList(node: CstNode, context: BuildContext): A.ListExpr {
  const items = children(children(node, 'expressionList')[0] ?? node, 'expression').map((e) => buildExpression(e, context));
  const open = tokensOf(node, 'LBracket')[0]!;
  const close = tokensOf(node, 'RBracket')[0];
  const end = isReal(close) ? tokenEnd(close) : Math.max(tokenEnd(open), ...items.map(endOf));
  return { kind: 'List', items, range: context.rangeOf(open.startOffset, end) };
}

function buildParenthesized(node: CstNode, context: BuildContext): A.ParenExpr {
  const open = tokensOf(node, 'LParen')[0]!;
  const [inner] = children(node, 'expression');
  const expr = inner === undefined ? { kind: 'Error' as const, range: context.rangeOf(tokenEnd(open), tokenEnd(open)) } : buildExpression(inner, context);
  const close = tokensOf(node, 'RParen')[0];
  const end = isReal(close) ? tokenEnd(close) : endOf(expr);
  return { kind: 'Paren', expr, range: context.rangeOf(open.startOffset, end) };
}

function buildString(token: IToken, context: BuildContext): A.StringExpr {
  const payload = token.payload as StringPayload;
  const { text, rangeOf } = context;
  const parts: A.StringExpr['parts'] = payload.parts.map((part) => {
    if (part.kind === 'text') {
      const raw = text.slice(part.start, part.end);
      const decoded = decodeEscapes(raw);
      for (const at of decoded.badEscapes) context.diagnostics.push(unknownEscape(raw.slice(at, at + 2), rangeOf(part.start + at, part.start + at + 2)));
      return { kind: 'Text', value: decoded.value, raw, range: rangeOf(part.start, part.end) };
    }
    const closed = text[part.innerEnd] === '}';
    let expr: A.Expr;
    if (!closed) expr = { kind: 'Error', range: rangeOf(part.innerStart, part.innerEnd) };
    else if (text.slice(part.innerStart, part.innerEnd).trim() === '') {
      context.diagnostics.push({
        severity: 'error',
        summary: 'empty interpolation',
        detail: 'Put an expression between `${` and `}`, e.g. `${hostname}`, or write `\\${` for a literal `${`.',
        range: rangeOf(part.start, part.end),
        code: 'empty-interpolation',
      });
      expr = { kind: 'Error', range: rangeOf(part.innerStart, part.innerEnd) };
    } else {
      expr = context.parseInterpolation(part.innerStart, part.innerEnd);
    }
    return { kind: 'Interpolation', expr, range: rangeOf(part.start, part.end) };
  });
  return { kind: 'String', parts, range: rangeOf(token.startOffset, tokenEnd(token)) };
}

function unknownEscape(escape: string, range: A.NodeBase['range']): Diagnostic {
  return {
    severity: 'error',
    summary: `unknown escape \`${escape}\``,
    detail: "The escapes are \\\" \\\\ \\n \\t \\$. Write `\\\\` for a backslash, or use a '...' string, which has no escapes ('D:\\Backups').",
    range,
    code: 'unknown-escape',
  };
}
