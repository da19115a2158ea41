// The canonical layout of a .still file (like gofmt): two-space indentation, one statement
// per line, `a, b`, `{` on the statement's line, at most one blank line kept between
// statements and always one around top-level statements with a block, raw blocks re-indented
// but otherwise verbatim, strings quoted as written, comments kept. A block with one short
// statement written on one line stays on one line. A line break after a comma between
// arguments is kept (continuation lines are indented four more spaces), and a list written
// with a line break after its `[` is printed one item per line.
// Text with syntax errors is not formatted: its diagnostics are returned instead.

import type * as A from './ast.ts';
import { hasErrors, type Diagnostic } from './diagnostic.ts';
import { nestingTooDeep, parse } from './parse.ts';

export interface FormatResult {
  /** The formatted text; the input unchanged when there are syntax errors. */
  text: string;
  diagnostics: Diagnostic[];
}

export function format(text: string, file: string): FormatResult {
  const parsed = parse(text, file);
  if (hasErrors(parsed.diagnostics)) return { text, diagnostics: parsed.diagnostics };
  try {
    return { text: printFile(parsed.file, text), diagnostics: parsed.diagnostics };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return { text, diagnostics: [nestingTooDeep(parsed.file.range)] };
  }
}

const INDENT = '  ';
const CONTINUATION = '    ';

/** Prints a parsed file; `text` is its source, consulted for blank lines and line breaks. */
export function printFile(file: A.SourceFile, text: string): string {
  const printer = new Printer(text, file.comments);
  printer.statements(file.statements, '', true, text.length);
  const lines = printer.lines;
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

class Printer {
  readonly lines: string[] = [];
  private next = 0;
  private readonly text: string;
  private readonly comments: A.Comment[];

  constructor(text: string, comments: A.Comment[]) {
    this.text = text;
    this.comments = comments;
  }

  /** Prints statements (and the comments among them, up to `end`) at `indent`. */
  statements(statements: A.Statement[], indent: string, topLevel: boolean, end: number): void {
    let previousEnd: number | undefined;
    let previous: A.Statement | undefined;
    for (const statement of statements) {
      const start = statement.range.start.offset;
      // The first thing printed for a statement (its first leading comment, or itself) gets
      // the blank line that separates it from the previous one.
      let separate = topLevel && previous !== undefined && (hasBlock(previous) || hasBlock(statement));
      while (this.pendingBefore(start)) {
        const comment = this.take();
        if (previousEnd !== undefined && (separate || this.blankBetween(previousEnd, comment.range.start.offset))) this.lines.push('');
        this.lines.push(indent + comment.text);
        previousEnd = comment.range.end.offset;
        separate = false;
      }
      if (previousEnd !== undefined && (separate || this.blankBetween(previousEnd, start))) this.lines.push('');
      this.statement(statement, indent);
      this.trailing(statement.range.end.offset);
      previousEnd = statement.range.end.offset;
      previous = statement;
    }
    while (this.pendingBefore(end)) {
      const comment = this.take();
      if (previousEnd !== undefined && this.blankBetween(previousEnd, comment.range.start.offset)) this.lines.push('');
      this.lines.push(indent + comment.text);
      previousEnd = comment.range.end.offset;
    }
  }

  private pendingBefore(offset: number): boolean {
    const comment = this.comments[this.next];
    return comment !== undefined && comment.range.start.offset < offset;
  }

  private take(): A.Comment {
    return this.comments[this.next++]!;
  }

  /** Appends the comment that follows `offset` on the same source line to the last printed line. */
  private trailing(offset: number): void {
    const comment = this.comments[this.next];
    if (comment !== undefined && !this.text.slice(offset, comment.range.start.offset).includes('\n')) {
      this.next += 1;
      this.lines[this.lines.length - 1] += ` ${comment.text}`;
    }
  }

  private blankBetween(from: number, to: number): boolean {
    return /\n[ \t\r\f\v]*\n/.test(this.text.slice(from, to));
  }

  private statement(statement: A.Statement, indent: string): void {
    // Comments inside a statement's header have no place on its one line: they go above it.
    const headerEnd = headerEndOf(statement);
    while (this.pendingBefore(headerEnd) && !this.isBreakComment(statement, this.comments[this.next]!)) this.lines.push(indent + this.take().text);
    switch (statement.kind) {
      case 'Let':
        this.lines.push(`${indent}let ${statement.name.name} = ${expression(statement.value, { text: this.text, indent })}`);
        return;
      case 'For':
        this.lines.push(`${indent}for ${statement.variable.name} in ${expression(statement.iterable, { text: this.text, indent })}`);
        this.block(statement.body, indent);
        return;
      case 'If':
        statement.branches.forEach((branch, index) => {
          if (index === 0) this.lines.push(`${indent}if ${expression(branch.condition, { text: this.text, indent })}`);
          else this.lines[this.lines.length - 1] += ` else if ${expression(branch.condition, { text: this.text, indent })}`;
          this.block(branch.body, indent);
        });
        if (statement.elseBody !== undefined) {
          this.lines[this.lines.length - 1] += ' else';
          this.block(statement.elseBody, indent);
        }
        return;
      case 'Setting':
        this.setting(statement, indent);
    }
  }

  /** A comment right after a comma where the author broke the line: it stays at that line's end. */
  private isBreakComment(statement: A.Statement, comment: A.Comment): boolean {
    if (statement.kind !== 'Setting') return false;
    return statement.args.some((group, index) => {
      const nextGroup = statement.args[index + 1];
      return nextGroup !== undefined && comment.range.start.offset > endOf(group) && comment.range.end.offset <= nextGroup[0]!.range.start.offset;
    });
  }

  private setting(setting: A.Setting, indent: string): void {
    let line = `${indent}${setting.keyword.name}`;
    setting.args.forEach((group, index) => {
      const items = group.map((item) => expression(item, { text: this.text, indent })).join(' ');
      if (index === 0) {
        line += ` ${items}`;
        return;
      }
      const previousEnd = endOf(setting.args[index - 1]!);
      const breaks = this.text.slice(previousEnd, group[0]!.range.start.offset).includes('\n');
      if (!breaks) {
        line += `, ${items}`;
        return;
      }
      line += ',';
      while (this.pendingBefore(group[0]!.range.start.offset)) line += ` ${this.take().text}`;
      this.lines.push(line);
      line = `${indent}${CONTINUATION}${items}`;
    });
    if (setting.assignment !== undefined) line += ` = ${expression(setting.assignment, { text: this.text, indent })}`;
    this.lines.push(line);
    if (setting.body?.kind === 'Block') this.block(setting.body, indent);
    else if (setting.body?.kind === 'RawBlock') this.rawBlock(setting.body, indent);
  }

  /** Prints ` {`, the statements and `}`; the opening brace goes on the current last line. */
  private block(block: A.Block, indent: string): void {
    const close = block.range.end.offset;
    const [only] = block.statements;
    const onOneLine =
      block.range.start.line === block.range.end.line &&
      block.statements.length === 1 &&
      only!.kind === 'Setting' &&
      only!.body === undefined &&
      !this.pendingBefore(close);
    if (block.statements.length === 0 && !this.pendingBefore(close)) {
      this.lines[this.lines.length - 1] += ' {}';
      return;
    }
    if (onOneLine) {
      const before = this.lines.length;
      this.setting(only as A.Setting, '');
      const inner = this.lines.splice(before).join(' ');
      this.lines[this.lines.length - 1] += ` { ${inner} }`;
      return;
    }
    this.lines[this.lines.length - 1] += ' {';
    const first = this.comments[this.next];
    const firstStatement = block.statements[0]?.range.start.offset ?? close;
    if (first !== undefined && first.range.start.offset < firstStatement && first.range.start.line === block.range.start.line) {
      this.lines[this.lines.length - 1] += ` ${this.take().text}`;
    }
    this.statements(block.statements, indent + INDENT, false, close);
    this.lines.push(`${indent}}`);
  }

  private rawBlock(raw: A.RawBlock, indent: string): void {
    if (raw.code === '') {
      this.lines[this.lines.length - 1] += ' {}';
      return;
    }
    if (!raw.code.includes('\n') && raw.range.start.line === raw.range.end.line) {
      this.lines[this.lines.length - 1] += ` { ${raw.code} }`;
      return;
    }
    this.lines[this.lines.length - 1] += ' {';
    for (const line of raw.code.split('\n')) this.lines.push(line === '' ? '' : indent + INDENT + line);
    this.lines.push(`${indent}}`);
  }
}

function endOf(group: A.Expr[]): number {
  return group[group.length - 1]!.range.end.offset;
}

function hasBlock(statement: A.Statement | undefined): boolean {
  if (statement === undefined) return false;
  if (statement.kind === 'Setting') return statement.body?.kind === 'Block' && statement.body.statements.length > 0;
  return statement.kind !== 'Let';
}

/** Where the part of a statement printed on its first line ends. */
function headerEndOf(statement: A.Statement): number {
  switch (statement.kind) {
    case 'Let':
      return statement.range.end.offset;
    case 'For':
      return statement.body.range.start.offset;
    case 'If':
      return statement.branches[0]!.body.range.start.offset;
    case 'Setting':
      return statement.body?.range.start.offset ?? statement.range.end.offset;
  }
}

/** Where an expression is printed: its statement's indentation, and the source for the author's line breaks. */
export interface Layout {
  text: string;
  indent: string;
}

/** An expression on one line, except a list written with a line break after its `[`: one item per line. */
export function expression(expr: A.Expr, layout?: Layout): string {
  const inner = (e: A.Expr) => expression(e, layout);
  switch (expr.kind) {
    case 'String':
      return `"${expr.parts.map((part) => (part.kind === 'Text' ? part.raw : `\${${expression(part.expr)}}`)).join('')}"`;
    case 'RawString':
      return `'${expr.value}'`;
    case 'Number':
    case 'Percent':
    case 'Duration':
    case 'Size':
      return expr.text;
    case 'Drive':
      return `${expr.letter}:`;
    case 'Bool':
      return String(expr.value);
    case 'None':
      return 'none';
    case 'Name':
      return expr.name;
    case 'Call':
      return `${expr.callee.name}(${expr.args.map(inner).join(', ')})`;
    case 'List':
      if (layout !== undefined && expr.items.length > 0 && layout.text.slice(expr.range.start.offset, expr.items[0]!.range.start.offset).includes('\n')) {
        const nested = { text: layout.text, indent: layout.indent + INDENT };
        return `[\n${expr.items.map((item) => `${nested.indent}${expression(item, nested)},`).join('\n')}\n${layout.indent}]`;
      }
      return `[${expr.items.map(inner).join(', ')}]`;
    case 'Binary':
      return `${inner(expr.left)} ${expr.op} ${inner(expr.right)}`;
    case 'Not':
      return `not ${inner(expr.operand)}`;
    case 'Paren':
      return `(${inner(expr.expr)})`;
    case 'Error':
      return '';
  }
}
