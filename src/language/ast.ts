// The syntax tree of a .still file.
//
// The syntax is generic, as in HCL: apart from `let`, `if` and `for`, every statement is a
// Setting (a keyword, its arguments, and an optional body). What a keyword means, where it
// may stand and what arguments it takes is not syntax: it lives in src/language/catalog.ts,
// which the evaluator, the language server and the grammar generator all read. That keeps
// the parser small and lets "unknown statement" errors carry a "did you mean" from one list.

import type { SourceRange } from './diagnostic.ts';

export interface NodeBase {
  range: SourceRange;
}

export interface Identifier extends NodeBase {
  kind: 'Identifier';
  name: string;
}

// ---------------------------------------------------------------- expressions

/** Literal text inside a double-quoted string, escapes already applied. */
export interface StringText extends NodeBase {
  kind: 'Text';
  value: string;
  /** The text exactly as written between the quotes (escapes kept), for the formatter. */
  raw: string;
}

export interface Interpolation extends NodeBase {
  kind: 'Interpolation';
  expr: Expr;
}

/** "..." with escapes and ${...} interpolation. */
export interface StringExpr extends NodeBase {
  kind: 'String';
  parts: Array<StringText | Interpolation>;
}

/** '...': raw, no escapes, no interpolation. */
export interface RawStringExpr extends NodeBase {
  kind: 'RawString';
  value: string;
}

export interface NumberExpr extends NodeBase {
  kind: 'Number';
  value: number;
  text: string;
}

/** 20% has value 20. */
export interface PercentExpr extends NodeBase {
  kind: 'Percent';
  value: number;
  text: string;
}

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

export interface DurationExpr extends NodeBase {
  kind: 'Duration';
  value: number;
  unit: DurationUnit;
  milliseconds: number;
  text: string;
}

export type SizeUnit = 'B' | 'KB' | 'MB' | 'GB' | 'TB' | 'KiB' | 'MiB' | 'GiB' | 'TiB';

export interface SizeExpr extends NodeBase {
  kind: 'Size';
  value: number;
  unit: SizeUnit;
  bytes: number;
  text: string;
}

/** C: evaluates to the string "C:". */
export interface DriveExpr extends NodeBase {
  kind: 'Drive';
  letter: string;
}

export interface BoolExpr extends NodeBase {
  kind: 'Bool';
  value: boolean;
}

export interface NoneExpr extends NodeBase {
  kind: 'None';
}

/** A `let` variable, a built-in value, or a keyword in argument position (`sqlite`, `last`). */
export interface NameExpr extends NodeBase {
  kind: 'Name';
  name: string;
}

export interface CallExpr extends NodeBase {
  kind: 'Call';
  callee: Identifier;
  args: Expr[];
}

export interface ListExpr extends NodeBase {
  kind: 'List';
  items: Expr[];
}

export type BinaryOperator = '??' | '==' | '!=' | 'and' | 'or';

export interface BinaryExpr extends NodeBase {
  kind: 'Binary';
  op: BinaryOperator;
  left: Expr;
  right: Expr;
}

export interface NotExpr extends NodeBase {
  kind: 'Not';
  operand: Expr;
}

/** Kept so that the formatter prints the parentheses the author wrote. */
export interface ParenExpr extends NodeBase {
  kind: 'Paren';
  expr: Expr;
}

/** Stands where the parser could not read an expression; evaluates to nothing, reports nothing more. */
export interface ErrorExpr extends NodeBase {
  kind: 'Error';
}

export type Expr =
  | StringExpr
  | RawStringExpr
  | NumberExpr
  | PercentExpr
  | DurationExpr
  | SizeExpr
  | DriveExpr
  | BoolExpr
  | NoneExpr
  | NameExpr
  | CallExpr
  | ListExpr
  | BinaryExpr
  | NotExpr
  | ParenExpr
  | ErrorExpr;

// ---------------------------------------------------------------- statements

export interface Block extends NodeBase {
  kind: 'Block';
  statements: Statement[];
}

export type RawLanguage = 'sh' | 'pwsh' | 'cmd';

/** The verbatim body after `sh`, `pwsh` or `cmd`: not Stillpoint, never parsed. */
export interface RawBlock extends NodeBase {
  kind: 'RawBlock';
  language: RawLanguage;
  /** The code with its first and last blank lines and common indentation removed. */
  code: string;
  /** The line of the file where the code's first line is. */
  codeLine: number;
}

/**
 * Every statement but `let`, `if` and `for`:
 *
 *     keyword item item, item item, item [= expr] [{ block } | { raw }]
 *
 * `args` holds the comma-separated groups of space-separated items:
 * `keep last 16, daily 7` is [[last, 16], [daily, 7]];
 * `writer "books" sqlite "/b.db"` is [["books", sqlite, "/b.db"]];
 * `hook before-backup run "a", "b"` is [[before-backup, run, "a"], ["b"]].
 * `env NAME = expr` has args [[NAME]] and `assignment` expr.
 */
export interface Setting extends NodeBase {
  kind: 'Setting';
  keyword: Identifier;
  args: Expr[][];
  assignment?: Expr;
  body?: Block | RawBlock;
}

export interface LetStatement extends NodeBase {
  kind: 'Let';
  name: Identifier;
  value: Expr;
}

export interface IfBranch extends NodeBase {
  condition: Expr;
  body: Block;
}

export interface IfStatement extends NodeBase {
  kind: 'If';
  /** `if` and every `else if`, in order. */
  branches: IfBranch[];
  elseBody?: Block;
}

export interface ForStatement extends NodeBase {
  kind: 'For';
  variable: Identifier;
  iterable: Expr;
  body: Block;
}

export type Statement = Setting | LetStatement | IfStatement | ForStatement;

export interface Comment extends NodeBase {
  kind: 'Comment';
  /** The comment including its `#` or `//`. */
  text: string;
}

export interface SourceFile extends NodeBase {
  kind: 'File';
  path: string;
  statements: Statement[];
  /** Every comment of the file, in source order; the formatter places them by range. */
  comments: Comment[];
}
