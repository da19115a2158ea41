// The grammar (Chevrotain CstParser). One instance is built on first use and reused.
//
// Error recovery: a statement that cannot be read is skipped to its end (the next end of
// line or `;` outside brackets, or the `}` of the enclosing block) and parsing goes on, so
// one bad statement gives one diagnostic. Tokens that cannot start a statement are read by
// the `junk` rule, which skips to the end of the statement the same way and records it.

import type { CstNode, IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { CstParser, EOF, isRecognitionException } from './chevrotain.ts';
import * as T from './tokens.ts';
import { tokenEnd } from './lexer.ts';

/** A stretch of tokens the parser skipped because no statement can start with its first token. */
export interface Junk {
  first: IToken;
  last: IToken;
  /** The token before `first`: what the junk follows. */
  previous: IToken | undefined;
}

/** The parser's errors carry JSON in their message (see parse-errors in parse.ts). */
export type ErrorFacts =
  | { kind: 'mismatch'; expected: string; rule: string }
  | { kind: 'no-alternative'; rule: string }
  | { kind: 'early-exit'; rule: string }
  | { kind: 'not-all-input'; rule: string };

const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) => JSON.stringify({ kind: 'mismatch', expected: expected.name, rule: ruleName } satisfies ErrorFacts),
  buildNotAllInputParsedMessage: ({ ruleName }) => JSON.stringify({ kind: 'not-all-input', rule: ruleName } satisfies ErrorFacts),
  buildNoViableAltMessage: ({ ruleName }) => JSON.stringify({ kind: 'no-alternative', rule: ruleName } satisfies ErrorFacts),
  buildEarlyExitMessage: ({ ruleName }) => JSON.stringify({ kind: 'early-exit', rule: ruleName } satisfies ErrorFacts),
};

const OPENERS = new Set<TokenType>([T.LCurly, T.LParen, T.LBracket]);
const CLOSERS = new Set<TokenType>([T.RCurly, T.RParen, T.RBracket]);
const INSERTABLE = new Set<TokenType>([T.RCurly, T.RParen, T.RBracket, T.Assign, T.In]);
const STATEMENT_SEPARATORS = new Set<TokenType>([EOF, T.Terminator, T.Semicolon, T.LCurly]);
const NO_RESYNC = { resyncEnabled: false };

/** Chevrotain internals that statement-level recovery uses. */
interface RecoveryInternals {
  CST_STACK: CstNode[];
  isBackTracking(): boolean;
  invokeRuleCatch(error: unknown, resyncEnabled: boolean, recoveryValue: (e: unknown) => unknown): unknown;
  attemptInRepetitionRecovery: unknown;
}

export class StillParser extends CstParser {
  junk: Junk[] = [];

  /**
   * `checks` runs Chevrotain's checks of the grammar itself (ambiguous alternatives, left
   * recursion, ...). They find mistakes in this file, never in a script, and cost every start
   * some 20 ms, so only test/language/grammar-checks.test.ts asks for them.
   */
  constructor({ checks = false } = {}) {
    super(T.ALL_TOKEN_TYPES, { recoveryEnabled: true, errorMessageProvider, maxLookahead: 2, skipValidations: !checks });
    this.performSelfAnalysis();
    // Chevrotain's in-repetition recovery skips tokens inside a loop and reports what it
    // skipped one by one; statement-level recovery above gives one diagnostic instead.
    (this as unknown as RecoveryInternals).attemptInRepetitionRecovery = () => {};
  }

  /** Sets the tokens and clears the state of the previous parse. */
  begin(tokens: IToken[]): void {
    this.input = tokens;
    this.junk = [];
  }

  /** A statement starts a file, a line, a block, or follows `;`: `let x = a b` is an error, not two statements. */
  private atStatementStart = (): boolean => STATEMENT_SEPARATORS.has(this.LA(0).tokenType);

  file = this.RULE(
    'file',
    () => {
      this.MANY(() => this.OR({ MAX_LOOKAHEAD: 1, DEF: [...this.statementAlternatives(), { ALT: () => this.SUBRULE(this.strayClose) }] }));
    },
    NO_RESYNC,
  );

  statements = this.RULE(
    'statements',
    () => {
      this.MANY(() => this.OR({ MAX_LOOKAHEAD: 1, DEF: this.statementAlternatives() }));
    },
    NO_RESYNC,
  );

  /** One token decides: a statement where one may start, a separator, else junk. */
  private statementAlternatives() {
    return [
      { GATE: this.atStatementStart, ALT: () => this.SUBRULE(this.statement) },
      { ALT: () => this.CONSUME(T.Terminator) },
      { ALT: () => this.CONSUME(T.Semicolon) },
      { ALT: () => this.SUBRULE(this.junk_), IGNORE_AMBIGUITIES: true },
    ];
  }

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letStatement) },
      { ALT: () => this.SUBRULE(this.ifStatement) },
      { ALT: () => this.SUBRULE(this.forStatement) },
      { ALT: () => this.SUBRULE(this.setting) },
    ]);
  });

  junk_ = this.RULE(
    'junk',
    () => {
      const first = this.CONSUME(T.Stray);
      this.ACTION(() => {
        const previous = this.LA(-1);
        const last = this.skipStatementRest(OPENERS.has(first.tokenType) ? 1 : 0) ?? first;
        this.junk.push({ first, last, previous: previous.tokenType === EOF ? undefined : previous });
      });
    },
    NO_RESYNC,
  );

  strayClose = this.RULE(
    'strayClose',
    () => {
      const token = this.CONSUME(T.RCurly);
      this.ACTION(() => this.junk.push({ first: token, last: token, previous: undefined }));
    },
    NO_RESYNC,
  );

  letStatement = this.RULE(
    'letStatement',
    () => {
      this.CONSUME(T.Let);
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Assign);
      this.SUBRULE(this.expression);
    },
    NO_RESYNC,
  );

  ifStatement = this.RULE(
    'ifStatement',
    () => {
      this.CONSUME(T.If);
      this.SUBRULE(this.expression);
      this.SUBRULE(this.block);
      this.OPTION(() => {
        this.CONSUME(T.Else);
        this.OR([{ ALT: () => this.SUBRULE(this.ifStatement) }, { ALT: () => this.SUBRULE2(this.block) }]);
      });
    },
    NO_RESYNC,
  );

  forStatement = this.RULE(
    'forStatement',
    () => {
      this.CONSUME(T.For);
      this.CONSUME(T.Identifier);
      this.CONSUME(T.In);
      this.SUBRULE(this.expression);
      this.SUBRULE(this.block);
    },
    NO_RESYNC,
  );

  setting = this.RULE(
    'setting',
    () => {
      this.CONSUME(T.Identifier);
      this.OPTION(() => {
        this.SUBRULE(this.argGroup);
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.argGroup);
        });
      });
      this.OPTION2(() => {
        this.CONSUME(T.Assign);
        this.SUBRULE(this.expression);
      });
      this.OPTION3(() => this.OR([{ ALT: () => this.SUBRULE(this.block) }, { ALT: () => this.CONSUME(T.RawBlock) }]));
    },
    NO_RESYNC,
  );

  argGroup = this.RULE('argGroup', () => this.AT_LEAST_ONE(() => this.SUBRULE(this.expression)), NO_RESYNC);

  block = this.RULE(
    'block',
    () => {
      this.CONSUME(T.LCurly);
      this.SUBRULE(this.statements);
      this.CONSUME(T.RCurly);
    },
    NO_RESYNC,
  );

  /** The top rule for the text of a `${...}` interpolation. */
  interpolation = this.RULE('interpolation', () => this.SUBRULE(this.expression), NO_RESYNC);

  /**
   * Operands and operators as a flat sequence: `not a == b ?? c and d`. The precedence
   * (or < and < not < == != < ??) is applied when the tree is built (build-ast.ts): one CST
   * node per expression instead of one per precedence level keeps parsing fast.
   */
  expression = this.RULE(
    'expression',
    () => {
      this.MANY(() => this.CONSUME(T.Not));
      this.SUBRULE(this.primary);
      this.MANY2(() => {
        this.OR([
          { ALT: () => this.CONSUME(T.Or) },
          { ALT: () => this.CONSUME(T.And) },
          { ALT: () => this.CONSUME(T.EqualEqual) },
          { ALT: () => this.CONSUME(T.NotEqual) },
          { ALT: () => this.CONSUME(T.Coalesce) },
        ]);
        this.MANY3(() => this.CONSUME2(T.Not));
        this.SUBRULE2(this.primary);
      });
    },
    NO_RESYNC,
  );

  primary = this.RULE(
    'primary',
    () => {
      this.OR([
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.RawStringLiteral) },
        { ALT: () => this.CONSUME(T.NumberLiteral) },
        { ALT: () => this.CONSUME(T.PercentLiteral) },
        { ALT: () => this.CONSUME(T.DurationLiteral) },
        { ALT: () => this.CONSUME(T.SizeLiteral) },
        { ALT: () => this.CONSUME(T.UnknownUnitLiteral) },
        { ALT: () => this.CONSUME(T.DriveLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.CONSUME(T.None) },
        {
          ALT: () => {
            this.CONSUME(T.Identifier);
            // A call needs its `(` right after the name: `tree (x)` is two items.
            this.OPTION({
              GATE: () => this.LA(1).startOffset === tokenEnd(this.LA(0)),
              DEF: () => this.SUBRULE(this.callArguments),
            });
          },
        },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.parenthesized) },
      ]);
    },
    NO_RESYNC,
  );

  callArguments = this.RULE(
    'callArguments',
    () => {
      this.CONSUME(T.LParen);
      this.SUBRULE(this.expressionList);
      this.CONSUME(T.RParen);
    },
    NO_RESYNC,
  );

  list = this.RULE(
    'list',
    () => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expressionList);
      this.CONSUME(T.RBracket);
    },
    NO_RESYNC,
  );

  /** `a, b, c` with an optional trailing comma. */
  expressionList = this.RULE(
    'expressionList',
    () => {
      this.OPTION(() => {
        this.SUBRULE(this.expression);
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.OPTION2(() => this.SUBRULE2(this.expression));
        });
      });
    },
    NO_RESYNC,
  );

  parenthesized = this.RULE(
    'parenthesized',
    () => {
      this.CONSUME(T.LParen);
      this.SUBRULE(this.expression);
      this.CONSUME(T.RParen);
    },
    NO_RESYNC,
  );

  // Only tokens that carry no value may be made up: an invented name would reach the tree.
  protected override canTokenTypeBeInsertedInRecovery(type: TokenType): boolean {
    return INSERTABLE.has(type);
  }

  /**
   * Skips to the end of the current statement: an end of line or `;` outside brackets, the
   * `}` that closes the enclosing block (not consumed), or the end of the file. Returns the
   * last token skipped.
   */
  private skipStatementRest(depth: number): IToken | undefined {
    let last: IToken | undefined;
    for (;;) {
      const token = this.LA(1);
      const type = token.tokenType;
      if (type === EOF) return last;
      if (depth === 0 && (type === T.Terminator || type === T.Semicolon || type === T.RCurly)) return last;
      if (OPENERS.has(type)) depth += 1;
      else if (CLOSERS.has(type) && depth > 0) depth -= 1;
      last = token;
      this.SKIP_TOKEN();
    }
  }

  // Chevrotain calls this when a rule throws. Only `statement` has resync enabled: it skips
  // to the statement's end and keeps the partial node, marked `recoveredNode`.
  invokeRuleCatch(error: unknown, resyncEnabled: boolean, recoveryValue: (e: unknown) => unknown): unknown {
    const internals = this as unknown as RecoveryInternals;
    if (resyncEnabled && isRecognitionException(error as Error) && !internals.isBackTracking()) {
      this.skipStatementRest(0);
      const partial = internals.CST_STACK[internals.CST_STACK.length - 1] as { recoveredNode?: boolean };
      partial.recoveredNode = true;
      return partial;
    }
    return (CstParser.prototype as unknown as RecoveryInternals).invokeRuleCatch.call(this, error, resyncEnabled, recoveryValue);
  }
}

let shared: StillParser | undefined;

/** The parser, built once: building it analyses the grammar, which takes far longer than a parse. */
export function stillParser(): StillParser {
  shared ??= new StillParser();
  return shared;
}
