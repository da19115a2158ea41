import { describe, expect, it } from 'vitest';
import { parse } from '../../src/language/parse.ts';
import type * as A from '../../src/language/ast.ts';
import { expr, parseClean, slice, withoutRanges } from './support.ts';

const name = (n: string) => ({ kind: 'Name', name: n });
const str = (s: string) => ({ kind: 'String', parts: [{ kind: 'Text', value: s, raw: s }] });

describe('literals', () => {
  it('reads numbers and percents', () => {
    expect(expr('16')).toEqual({ kind: 'Number', value: 16, text: '16' });
    expect(expr('0.5')).toEqual({ kind: 'Number', value: 0.5, text: '0.5' });
    expect(expr('20%')).toEqual({ kind: 'Percent', value: 20, text: '20%' });
  });

  it('reads every duration unit in milliseconds', () => {
    const cases: Array<[string, number]> = [['500ms', 500], ['5s', 5000], ['2m', 120_000], ['1h', 3_600_000], ['7d', 604_800_000], ['1w', 604_800_000], ['1.5s', 1500]];
    for (const [text, milliseconds] of cases) expect(expr(text)).toMatchObject({ kind: 'Duration', milliseconds, text });
  });

  it('reads decimal and binary sizes in bytes', () => {
    const cases: Array<[string, number]> = [['1B', 1], ['5KB', 5000], ['2MB', 2e6], ['1GB', 1e9], ['1TB', 1e12], ['1KiB', 1024], ['1MiB', 1024 ** 2], ['5GiB', 5 * 1024 ** 3], ['1TiB', 1024 ** 4]];
    for (const [text, bytes] of cases) expect(expr(text)).toMatchObject({ kind: 'Size', bytes, text });
  });

  it('reads drives, booleans and none', () => {
    expect(expr('C:')).toEqual({ kind: 'Drive', letter: 'C' });
    expect(expr('true')).toEqual({ kind: 'Bool', value: true });
    expect(expr('false')).toEqual({ kind: 'Bool', value: false });
    expect(expr('none')).toEqual({ kind: 'None' });
  });

  it('applies the escapes of double-quoted strings and keeps the raw text', () => {
    expect(expr(String.raw`"a\"b\\c\nd\te\$f"`)).toEqual({
      kind: 'String',
      parts: [{ kind: 'Text', value: 'a"b\\c\nd\te$f', raw: String.raw`a\"b\\c\nd\te\$f` }],
    });
  });

  it('reads single-quoted strings raw', () => {
    expect(expr(String.raw`'D:\Backups\${x}'`)).toEqual({ kind: 'RawString', value: String.raw`D:\Backups\${x}` });
  });

  it('splits interpolations and gives their expressions exact ranges', () => {
    const text = 'let x = "${hostname}-${env("JOB", \'j\')}!"';
    const value = (parseClean(text).statements[0] as A.LetStatement).value as A.StringExpr;
    expect(value.parts.map((p) => p.kind)).toEqual(['Interpolation', 'Text', 'Interpolation', 'Text']);
    const [first, , second] = value.parts as [A.Interpolation, A.StringText, A.Interpolation];
    expect(slice(text, first.range)).toBe('${hostname}');
    expect(slice(text, first.expr.range)).toBe('hostname');
    expect(first.expr.range.start).toEqual({ line: 1, column: 12, offset: 11 });
    const call = second.expr as A.CallExpr;
    expect(slice(text, call.range)).toBe('env("JOB", \'j\')');
    expect(slice(text, call.args[1]!.range)).toBe("'j'");
  });
});

describe('expressions', () => {
  it('needs the parenthesis right after the name for a call', () => {
    expect(expr('path(a, b)')).toEqual({ kind: 'Call', callee: { kind: 'Identifier', name: 'path' }, args: [name('a'), name('b')] });
    const setting = parseClean('target tree (x)').statements[0] as A.Setting;
    expect(withoutRanges(setting.args)).toEqual([[name('tree'), { kind: 'Paren', expr: name('x') }]]);
  });

  it('reads lists, with a trailing comma too', () => {
    expect(expr('[1, "a",]')).toEqual({ kind: 'List', items: [{ kind: 'Number', value: 1, text: '1' }, str('a')] });
    expect(expr('[]')).toEqual({ kind: 'List', items: [] });
  });

  it('binds or < and < not < == != < ??', () => {
    const binary = (op: string, left: unknown, right: unknown) => ({ kind: 'Binary', op, left, right });
    expect(expr('not a == b ?? c and d or e')).toEqual(
      binary('or', binary('and', { kind: 'Not', operand: binary('==', name('a'), binary('??', name('b'), name('c'))) }, name('d')), name('e')),
    );
    expect(expr('a != b == c')).toEqual(binary('==', binary('!=', name('a'), name('b')), name('c')));
    expect(expr('(a or b) and c')).toEqual(binary('and', { kind: 'Paren', expr: binary('or', name('a'), name('b')) }, name('c')));
  });

  it('continues an expression on the next line after an operator', () => {
    expect(expr('a ??\n  b')).toEqual({ kind: 'Binary', op: '??', left: name('a'), right: name('b') });
  });
});

describe('statements', () => {
  it('reads let, with the range of the whole statement', () => {
    const text = '  let root = \'/srv\'  ';
    const statement = parseClean(text).statements[0] as A.LetStatement;
    expect(statement.name.name).toBe('root');
    expect(slice(text, statement.range)).toBe("let root = '/srv'");
  });

  it('reads if / else if / else into branches', () => {
    const text = 'if a { x } else if b { y } else { z }';
    const statement = parseClean(text).statements[0] as A.IfStatement;
    expect(statement.branches.map((b) => withoutRanges(b.condition))).toEqual([name('a'), name('b')]);
    expect(slice(text, statement.branches[1]!.range)).toBe('if b { y }');
    expect(withoutRanges(statement.elseBody!.statements)).toEqual([{ kind: 'Setting', keyword: { kind: 'Identifier', name: 'z' }, args: [] }]);
    expect(slice(text, statement.range)).toBe(text);
  });

  it('reads else on the line after the closing brace', () => {
    const statement = parseClean('if a {\n  x\n}\nelse {\n  y\n}').statements[0] as A.IfStatement;
    expect(statement.elseBody?.statements).toHaveLength(1);
  });

  it('reads for', () => {
    const statement = parseClean('for v in [C:, D:] { volume v }').statements[0] as A.ForStatement;
    expect(statement.variable.name).toBe('v');
    expect(withoutRanges(statement.iterable)).toEqual({ kind: 'List', items: [{ kind: 'Drive', letter: 'C' }, { kind: 'Drive', letter: 'D' }] });
    expect(statement.body.statements).toHaveLength(1);
  });

  it('groups setting arguments by comma and items by space', () => {
    const setting = parseClean('hook before-backup run "a", "b"').statements[0] as A.Setting;
    expect(withoutRanges(setting.args)).toEqual([[name('before-backup'), name('run'), str('a')], [str('b')]]);
    const keep = parseClean('keep last 16, daily 7').statements[0] as A.Setting;
    expect(keep.args.map((g) => g.length)).toEqual([2, 2]);
  });

  it('reads an assignment and a body', () => {
    const env = parseClean('env NAME = "v"').statements[0] as A.Setting;
    expect(withoutRanges(env)).toEqual({ kind: 'Setting', keyword: { kind: 'Identifier', name: 'env' }, args: [[name('NAME')]], assignment: str('v') });
    const text = 'job "a" {\n  volume "/x" { exclude "tmp/**" }\n}';
    const job = parseClean(text).statements[0] as A.Setting;
    expect(job.body?.kind).toBe('Block');
    expect(slice(text, job.range)).toBe(text);
    expect(slice(text, (job.body as A.Block).statements[0]!.range)).toBe('volume "/x" { exclude "tmp/**" }');
  });

  it('ends a statement at the end of its line unless the line asks for more', () => {
    const file = parseClean('hook after-backup {\n  allow-failure\n  cwd "/tmp"\n}\nrun "a",\n  "b"\nexclude "x"; include "y"');
    const hook = (file.statements[0] as A.Setting).body as A.Block;
    expect(hook.statements.map((s) => (s as A.Setting).keyword.name)).toEqual(['allow-failure', 'cwd']);
    expect((hook.statements[0] as A.Setting).args).toEqual([]);
    expect((file.statements[1] as A.Setting).args).toHaveLength(2);
    expect(file.statements.map((s) => (s as A.Setting).keyword.name)).toEqual(['hook', 'run', 'exclude', 'include']);
  });

  it('takes a block whose brace is on the next line', () => {
    const job = parseClean('job "a"\n{\n  provider copy\n}').statements[0] as A.Setting;
    expect((job.body as A.Block).statements).toHaveLength(1);
  });

  it('keeps comments of both kinds with their ranges', () => {
    const text = '# top\njob "a" { // inside\n}';
    const file = parseClean(text);
    expect(file.comments.map((c) => c.text)).toEqual(['# top', '// inside']);
    expect(slice(text, file.comments[1]!.range)).toBe('// inside');
  });

  it('counts columns in UTF-16 code units', () => {
    const text = 'let a = "😀" ; let b = 1';
    const statement = parseClean(text).statements[1] as A.LetStatement;
    expect(statement.range.start).toEqual({ line: 1, column: 16, offset: 15 });
  });

  it('gives the file range and path', () => {
    const result = parse('let a = 1\n', 'dir/x.still');
    expect(result.file.path).toBe('dir/x.still');
    expect(result.file.range.end).toEqual({ line: 2, column: 1, offset: 10 });
  });
});

describe('raw blocks', () => {
  const raw = (text: string) => {
    const setting = parseClean(text).statements[0] as A.Setting;
    return setting.body as A.RawBlock;
  };

  it('makes the word before the block an item and the block the body', () => {
    const setting = parseClean('hook before-snapshot pwsh { Suspend-Service x }').statements[0] as A.Setting;
    expect(withoutRanges(setting.args)).toEqual([[name('before-snapshot'), name('pwsh')]]);
    expect(withoutRanges(setting.body)).toEqual({ kind: 'RawBlock', language: 'pwsh', code: 'Suspend-Service x' });
    const lone = parseClean('sh { true }').statements[0] as A.Setting;
    expect(lone.keyword.name).toBe('sh');
    expect(lone.args).toEqual([]);
  });

  it('knows the line of the code\'s first line, for error messages that point into the block', () => {
    expect(raw('pwsh { "one line" }').codeLine).toBe(1);
    expect(raw('\n\npwsh {\n\n  "first"\n  "second"\n}').codeLine).toBe(5);
    expect(raw('pwsh {   "same line"\n  "next"\n}').codeLine).toBe(1);
  });

  it('ignores braces inside sh quotes, escapes and comments', () => {
    const block = raw(`sh {\n  echo "}" '{' \\} # }\n  if true; then echo "\${HOME}"; fi\n}`);
    expect(block.code).toBe(`echo "}" '{' \\} # }\nif true; then echo "\${HOME}"; fi`);
  });

  it('ignores braces inside pwsh strings, here-strings and comments', () => {
    const text = "pwsh {\n  Write-Host 'it''s {' \"`\"}\" # }\n  <# } #>\n  $s = @'\n}\n'@\n  if ($x) { 1 }\n}";
    // The here-string's lines start in column 1, so there is no common indentation to remove.
    expect(raw(text).code).toBe("  Write-Host 'it''s {' \"`\"}\" # }\n  <# } #>\n  $s = @'\n}\n'@\n  if ($x) { 1 }");
  });

  it('ignores braces inside cmd quotes and after ^', () => {
    expect(raw('cmd { echo "}" ^} }').code).toBe('echo "}" ^}');
  });

  it('removes the first and last blank lines and the common indentation', () => {
    expect(raw('sh {\n\n      a\n        b\n\n    }').code).toBe('a\n  b');
  });

  it('has the range of the braces', () => {
    const text = 'sh { x }';
    expect(slice(text, raw(text).range)).toBe('{ x }');
  });
});
