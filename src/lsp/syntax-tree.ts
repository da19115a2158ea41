// Finding things in a parsed script by position: the statement keyword, the name or call
// under the cursor, and the `let`s in force there. Hover, definition and completion share it.

import type { Block, Expr, LetStatement, Setting, SourceFile, Statement } from '../language/ast.ts';
import { bodyBlockKind, literalText, statementSpec, type BlockKind } from '../language/catalog.ts';
import type { SourceRange } from '../language/diagnostic.ts';

interface Ranged {
  range: { start: { offset: number }; end: { offset: number } };
}

const covers = (node: Ranged, offset: number) => node.range.start.offset <= offset && offset <= node.range.end.offset;

export type NodeAt =
  | { kind: 'keyword'; setting: Setting; block: BlockKind }
  | { kind: 'name'; name: string; node: Ranged; setting?: Setting; block?: BlockKind }
  | { kind: 'callee'; name: string }
  | { kind: 'let'; statement: LetStatement };

/** The statement keyword, name, callee or `let` name at `offset`, innermost first. */
export function nodeAt(file: SourceFile, offset: number): NodeAt | undefined {
  return inStatements(file.statements, offset, 'file');
}

function inStatements(statements: readonly Statement[], offset: number, block: BlockKind | undefined): NodeAt | undefined {
  for (const statement of statements) {
    if (!covers(statement, offset)) continue;
    switch (statement.kind) {
      case 'Let':
        if (covers(statement.name, offset)) return { kind: 'let', statement };
        return inExpr(statement.value, offset);
      case 'If':
        for (const branch of statement.branches) {
          const found = covers(branch.condition, offset) ? inExpr(branch.condition, offset) : covers(branch.body, offset) ? inStatements(branch.body.statements, offset, block) : undefined;
          if (found) return found;
        }
        return statement.elseBody && covers(statement.elseBody, offset) ? inStatements(statement.elseBody.statements, offset, block) : undefined;
      case 'For':
        if (covers(statement.iterable, offset)) return inExpr(statement.iterable, offset);
        return covers(statement.body, offset) ? inStatements(statement.body.statements, offset, block) : undefined;
      case 'Setting':
        return inSetting(statement, offset, block);
    }
  }
  return undefined;
}

function inSetting(setting: Setting, offset: number, block: BlockKind | undefined): NodeAt | undefined {
  if (block !== undefined && covers(setting.keyword, offset)) return { kind: 'keyword', setting, block };
  for (const item of setting.args.flat()) {
    if (!covers(item, offset)) continue;
    const found = inExpr(item, offset);
    return found?.kind === 'name' && block !== undefined ? { ...found, setting, block } : found;
  }
  if (setting.assignment && covers(setting.assignment, offset)) return inExpr(setting.assignment, offset);
  const body = setting.body;
  if (body?.kind !== 'Block' || !covers(body, offset)) return undefined;
  const spec = block && statementSpec(block, setting.keyword.name);
  const inner = spec && bodyBlockKind(spec, (setting.args[0] ?? []).map((e) => (e.kind === 'Name' ? e.name : literalText(e))));
  return inStatements(body.statements, offset, inner);
}

function inExpr(expr: Expr, offset: number): NodeAt | undefined {
  switch (expr.kind) {
    case 'Name':
      return { kind: 'name', name: expr.name, node: expr };
    case 'Call':
      if (covers(expr.callee, offset)) return { kind: 'callee', name: expr.callee.name };
      return firstIn(expr.args, offset);
    case 'List':
      return firstIn(expr.items, offset);
    case 'Binary':
      return firstIn([expr.left, expr.right], offset);
    case 'Not':
      return inExpr(expr.operand, offset);
    case 'Paren':
      return inExpr(expr.expr, offset);
    case 'String':
      for (const part of expr.parts) if (part.kind === 'Interpolation' && covers(part, offset)) return inExpr(part.expr, offset);
      return undefined;
    default:
      return undefined;
  }
}

function firstIn(exprs: readonly Expr[], offset: number): NodeAt | undefined {
  const hit = exprs.find((e) => covers(e, offset));
  return hit && inExpr(hit, offset);
}

/**
 * The `let`s visible at `offset`: those of the enclosing blocks written before it, the
 * innermost and latest last. `for` variables are not values known before a run and are left out.
 */
export function letsBefore(file: SourceFile, offset: number): LetStatement[] {
  const lets: LetStatement[] = [];
  const visit = (statements: readonly Statement[]) => {
    for (const statement of statements) {
      if (statement.range.start.offset > offset) break;
      if (statement.kind === 'Let') {
        if (statement.range.end.offset <= offset || !covers(statement.value, offset)) lets.push(statement);
        continue;
      }
      for (const body of bodiesOf(statement)) if (covers(body, offset)) visit(body.statements);
    }
  };
  visit(file.statements);
  return lets;
}

/** The `for` variables whose loop body holds `offset`, outermost first. */
export function loopVariablesAt(file: SourceFile, offset: number): string[] {
  const names: string[] = [];
  const visit = (statements: readonly Statement[]) => {
    for (const statement of statements) {
      if (!covers(statement, offset)) continue;
      if (statement.kind === 'For' && covers(statement.body, offset)) names.push(statement.variable.name);
      for (const body of bodiesOf(statement)) if (covers(body, offset)) visit(body.statements);
    }
  };
  visit(file.statements);
  return names;
}

/** The let that `name` refers to at `offset`. */
export function letNamed(file: SourceFile, name: string, offset: number): LetStatement | undefined {
  return letsBefore(file, offset).findLast((l) => l.name.name === name && !covers(l.name, offset));
}

export function bodiesOf(statement: Statement): Block[] {
  switch (statement.kind) {
    case 'If':
      return [...statement.branches.map((b) => b.body), ...(statement.elseBody ? [statement.elseBody] : [])];
    case 'For':
      return [statement.body];
    case 'Setting':
      return statement.body?.kind === 'Block' ? [statement.body] : [];
    default:
      return [];
  }
}

/** Calls `visit` on every node under `root` (anything with a `kind` and a `range`), parents first. */
export function eachNode(root: unknown, visit: (node: { kind: string; range: SourceRange }) => void): void {
  if (Array.isArray(root)) {
    for (const item of root) eachNode(item, visit);
    return;
  }
  if (typeof root !== 'object' || root === null) return;
  const node = root as { kind?: unknown; range?: SourceRange };
  if (typeof node.kind === 'string' && node.range !== undefined) visit(node as { kind: string; range: SourceRange });
  for (const [key, child] of Object.entries(node)) if (key !== 'range') eachNode(child, visit);
}
