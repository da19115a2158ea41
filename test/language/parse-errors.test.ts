import { describe, expect, it } from 'vitest';
import { parse } from '../../src/language/parse.ts';
import { format } from '../../src/language/formatter.ts';
import type * as A from '../../src/language/ast.ts';

/** The diagnostics as `line:col-line:col summary` and the text under each range. */
function problems(text: string) {
  return parse(text, 't.still').diagnostics.map((d) => ({
    at: `${d.range!.start.line}:${d.range!.start.column}-${d.range!.end.line}:${d.range!.end.column}`,
    summary: d.summary,
    code: d.code,
    under: text.slice(d.range!.start.offset, d.range!.end.offset),
  }));
}

describe('syntax diagnostics', () => {
  it('a missing expression after `=` points at the `=`', () => {
    expect(problems('let x =\n')).toEqual([{ at: '1:7-1:8', summary: 'expected an expression after `=`', code: 'expected-expression', under: '=' }]);
  });

  it('an unexpected token where an expression belongs is named', () => {
    expect(problems('let x = = 3')).toEqual([{ at: '1:9-1:10', summary: 'expected an expression, found `=`', code: 'expected-expression', under: '=' }]);
  });

  it('tells the fix in the detail', () => {
    const [d] = parse('let x =', 't').diagnostics;
    expect(d!.detail).toMatch(/^Write a value here: a string/);
  });

  it('a reserved word cannot name a variable', () => {
    expect(problems('let in = 4')).toEqual([{ at: '1:5-1:7', summary: '`in` is a reserved word and cannot name a variable', code: 'reserved-word', under: 'in' }]);
  });

  it('a missing `=` in let is reported once and the rest is read', () => {
    const result = parse('let x 3\nlet y = 1', 't');
    expect(result.diagnostics.map((d) => d.summary)).toEqual(['expected `=`, found `3`']);
    expect(result.file.statements.map((s) => (s as A.LetStatement).name.name)).toEqual(['x', 'y']);
  });

  it('an unclosed block points at its `{`', () => {
    expect(problems('job "a" {\n  provider copy\n')).toEqual([{ at: '1:9-1:10', summary: 'unclosed `{`', code: 'unclosed-block', under: '{' }]);
  });

  it('an unclosed call names the `(` as related', () => {
    const [d] = parse('let q = path(a, b\nlet z = 1', 't').diagnostics;
    expect(d).toMatchObject({ summary: 'expected `)` to close the arguments after `b`', range: { start: { line: 1, column: 17 } } });
    expect(d!.related).toEqual([{ message: '`(` opened here', range: expect.objectContaining({ start: { line: 1, column: 13, offset: 12 } }) }]);
  });

  it('an unclosed list', () => {
    expect(problems('let q = [1, 2\n')[0]).toMatchObject({ summary: 'expected `]` to close the list after `2`', under: '2' });
  });

  it('a stray `}` at the top level', () => {
    expect(problems('job "a" { }\n}')).toEqual([{ at: '2:1-2:2', summary: 'unexpected `}`', code: 'unexpected-token', under: '}' }]);
  });

  it('a value on its own line is not a statement', () => {
    expect(problems('job "a" {\n  run "x"\n    "y" "z"\n}')).toEqual([
      { at: '3:5-3:12', summary: 'expected a statement, found the string "y"', code: 'unexpected-token', under: '"y" "z"' },
    ]);
  });

  it('tokens after the end of a statement', () => {
    expect(problems('let z = 1 2 3')).toEqual([{ at: '1:11-1:14', summary: 'unexpected `2` after the end of the statement', code: 'unexpected-token', under: '2 3' }]);
  });

  it('else without if', () => {
    expect(problems('else { x }')).toEqual([{ at: '1:1-1:11', summary: '`else` without `if`', code: 'unexpected-token', under: 'else { x }' }]);
  });

  it('if needs a block after one expression', () => {
    expect(problems('if a b { x }')).toEqual([{ at: '1:6-1:7', summary: 'expected `{`, found `b`', code: 'expected-block', under: 'b' }]);
  });

  it('else must be followed by if or a block', () => {
    expect(problems('if a { x } else y')[0]).toMatchObject({ summary: 'expected `if` or `{`, found `y`', under: 'y' });
  });

  it('a trailing comma wants one more value', () => {
    expect(problems('job "a" { keep last 16, }')).toEqual([{ at: '1:25-1:26', summary: 'expected an expression, found `}`', code: 'expected-expression', under: '}' }]);
  });
});

describe('lexical diagnostics', () => {
  it('an unexpected character, with advice for the common ones', () => {
    const [d] = parse('if a && b { x }', 't').diagnostics;
    expect(d).toMatchObject({ summary: 'unexpected characters `&&`', code: 'unexpected-character', detail: 'Write `and` to combine conditions.' });
    expect(d!.range!.start.column).toBe(6);
    expect(parse('if a && b { x }', 't').diagnostics).toHaveLength(1);
  });

  it('an unterminated double-quoted string runs to the end of its line', () => {
    expect(problems('volume "abc\nprovider copy')).toEqual([{ at: '1:8-1:12', summary: 'unterminated string', code: 'unterminated-string', under: '"abc' }]);
  });

  it('an unterminated single-quoted string', () => {
    expect(problems("let p = 'D:\\x")).toEqual([{ at: '1:9-1:14', summary: 'unterminated string', code: 'unterminated-string', under: "'D:\\x" }]);
  });

  it('an unterminated raw block points at its brace and at the open quote', () => {
    const [d, ...rest] = parse("job \"a\" {\n  hook x sh { echo 'oops }\n}\n", 't').diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ summary: 'unterminated `sh` block', code: 'unterminated-raw-block', range: { start: { line: 2, column: 13 } } });
    expect(d!.related![0]!.range.start).toMatchObject({ line: 2, column: 20 });
  });

  it('an unknown unit suggests the right one', () => {
    const [d] = parse('freeze-timeout 5min', 't').diagnostics;
    expect(d).toMatchObject({ summary: 'unknown unit `min` in `5min`', code: 'unknown-unit' });
    expect(d!.detail).toMatch(/^Did you mean `5m`\?/);
    expect(parse('lvm { size 5gib }', 't').diagnostics[0]!.detail).toMatch(/^Did you mean `5GiB`\?/);
  });

  it('an unknown escape has the range of the escape', () => {
    expect(problems('let p = "a\\qb"')).toEqual([{ at: '1:11-1:13', summary: 'unknown escape `\\q`', code: 'unknown-escape', under: '\\q' }]);
  });

  it('a string cut off after a backslash is one unterminated string, inside the text (fast-check found `A"\\`)', () => {
    expect(problems('let p = "a\\')).toEqual([{ at: '1:9-1:12', summary: 'unterminated string', code: 'unterminated-string', under: '"a\\' }]);
    expect(problems('let p = "a\\\nlet q = 1')).toEqual([{ at: '1:9-1:12', summary: 'unterminated string', code: 'unterminated-string', under: '"a\\' }]);
  });

  it('an empty interpolation', () => {
    expect(problems('let p = "a${ }b"')).toEqual([{ at: '1:11-1:15', summary: 'empty interpolation', code: 'empty-interpolation', under: '${ }' }]);
  });

  it('errors inside an interpolation have ranges in the file', () => {
    expect(problems('let p = "${a b}"')).toEqual([{ at: '1:14-1:15', summary: 'unexpected `b` in the interpolation', code: 'syntax-error', under: 'b' }]);
  });
});

describe('recovery', () => {
  it('reports independent errors once each and keeps the good statements', () => {
    const text = [
      'let a = = 1', // 1
      'job "one" {',
      '  volume "/x" )', // 3
      '  provider copy',
      '  if { x }', // 5
      '  target tree "/t" { keep last 16 }',
      '}',
      'let in = 2', // 8
      'job "two" {',
      '  volume "/two"',
      '  exclude 5min', // 11
      '}',
    ].join('\n');
    const result = parse(text, 't');
    expect(result.diagnostics.map((d) => d.range!.start.line)).toEqual([1, 3, 5, 8, 11]);
    expect(result.file.statements.map((s) => s.kind === 'Setting' && s.keyword.name)).toEqual(['job', 'job']);
    const one = (result.file.statements[0] as A.Setting).body as A.Block;
    expect(one.statements.map((s) => (s as A.Setting).keyword.name)).toEqual(['volume', 'provider', 'target']);
  });

  it('a name after a complete statement on the same line is an error, not a second statement', () => {
    expect(problems('let x = a b')).toEqual([{ at: '1:11-1:12', summary: 'unexpected `b` after the end of the statement', code: 'unexpected-token', under: 'b' }]);
  });

  it('an `=` at the end of a line takes the next line as its value', () => {
    expect(problems('job "a" {\n  volume =\n  provider copy\n}')).toEqual([
      { at: '3:12-3:16', summary: 'unexpected `copy` after the end of the statement', code: 'unexpected-token', under: 'copy' },
    ]);
  });

  it('a bad character does not also cause a parse error', () => {
    expect(parse('let x = @\nlet y = 1 @ 2', 't').diagnostics.map((d) => d.code)).toEqual(['unexpected-character', 'unexpected-character']);
  });
});

describe('absurd nesting', () => {
  it('is one diagnostic, not a stack overflow, and the parser works afterwards', () => {
    const deep = `let x = ${'('.repeat(5000)}1${')'.repeat(5000)}`;
    expect(parse(deep, 't').diagnostics.map((d) => d.code)).toEqual(['nesting-too-deep']);
    expect(format(`job {`.repeat(3000) + '}'.repeat(3000), 't').diagnostics.map((d) => d.code)).toEqual(['nesting-too-deep']);
    const chain = `let x = ${'1 ?? '.repeat(20000)}1`;
    expect(format(chain, 't')).toEqual({ text: chain, diagnostics: [expect.objectContaining({ code: 'nesting-too-deep' })] });
    expect(parse('let y = (1)', 't').diagnostics).toEqual([]);
  });
});
