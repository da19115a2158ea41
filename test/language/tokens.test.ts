// TOKEN_DEFINITIONS is what highlighters are generated from: each definition's pattern must
// match what the lexer makes a token of that type.

import { describe, expect, it } from 'vitest';
import { TOKEN_DEFINITIONS } from '../../src/language/tokens.ts';
import { lex } from '../../src/language/lexer.ts';
import { rangeMaker } from '../../src/language/positions.ts';

const SAMPLES: Record<string, string> = {
  WhiteSpace: ' \t',
  Comment: '# note',
  LCurly: '{',
  RCurly: '}',
  LParen: '(',
  RParen: ')',
  LBracket: '[',
  RBracket: ']',
  Comma: ',',
  Semicolon: ';',
  EqualEqual: '==',
  NotEqual: '!=',
  Assign: '=',
  Coalesce: '??',
  StringLiteral: '"a\\"b"',
  RawStringLiteral: "'D:\\x'",
  DurationLiteral: '500ms',
  SizeLiteral: '5GiB',
  PercentLiteral: '20%',
  UnknownUnitLiteral: '5min',
  NumberLiteral: '0.5',
  DriveLiteral: 'C:',
  If: 'if',
  Else: 'else',
  For: 'for',
  In: 'in',
  Let: 'let',
  Not: 'not',
  And: 'and',
  Or: 'or',
  True: 'true',
  False: 'false',
  None: 'none',
  Identifier: 'before-snapshot',
};

describe('TOKEN_DEFINITIONS', () => {
  it('has a category and a pattern for every token the lexer makes', () => {
    expect(TOKEN_DEFINITIONS.map((d) => d.name).sort()).toEqual([...Object.keys(SAMPLES), 'RawBlock'].sort());
  });

  for (const definition of TOKEN_DEFINITIONS.filter((d) => d.name !== 'RawBlock' && d.name !== 'WhiteSpace' && d.name !== 'Comment')) {
    it(`${definition.name} (${definition.category}): the pattern matches what the lexer reads`, () => {
      const sample = SAMPLES[definition.name]!;
      const tokens = lex(sample, rangeMaker(sample, 't')).tokens;
      expect(tokens.map((t) => t.tokenType.name)).toEqual([definition.name]);
      expect(new RegExp(`^(?:${definition.pattern.source})$`).test(sample)).toBe(true);
    });
  }

  it('the raw block pattern finds the brace after sh, pwsh and cmd only', () => {
    const raw = TOKEN_DEFINITIONS.find((d) => d.name === 'RawBlock')!;
    expect(raw.category).toBe('embedded');
    expect(raw.pattern.test('hook x pwsh {')).toBe(true);
    expect(raw.pattern.test('job "a" {')).toBe(false);
  });
});
