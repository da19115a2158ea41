import { describe, expect, it } from 'vitest';
import { format } from '../../src/language/formatter.ts';

const fmt = (text: string) => {
  const result = format(text, 'f.still');
  expect(result.diagnostics).toEqual([]);
  return result.text;
};

describe('format', () => {
  it('indents by two spaces, one statement per line, `a, b` spacing, `{` on the statement line', () => {
    expect(fmt('job "a"\n{\nproviders btrfs ,copy;   quiesce {idle 3s;within 2m}\n}')).toBe(
      'job "a" {\n  providers btrfs, copy\n  quiesce {\n    idle 3s\n    within 2m\n  }\n}\n',
    );
  });

  it('keeps at most one blank line, and puts one between top-level blocks', () => {
    expect(fmt('let a = 1\n\n\n\nlet b = 2\njob "x" { }\njob "y" {\n  provider copy\n}\nlet c = 3')).toBe(
      'let a = 1\n\nlet b = 2\njob "x" {}\n\njob "y" {\n  provider copy\n}\n\nlet c = 3\n',
    );
  });

  it('keeps a one-line block with one short statement on one line', () => {
    expect(fmt('target tree "/t" {   keep last 16,daily 7 }')).toBe('target tree "/t" { keep last 16, daily 7 }\n');
    expect(fmt('target tree "/t" {\n  keep last 16\n}')).toBe('target tree "/t" {\n  keep last 16\n}\n');
  });

  it('keeps comments on their own lines and at line ends', () => {
    const text = '# head\n\njob "a" { # opens\n  # inside\n  provider copy   // after\n  # last\n}\n# tail';
    expect(fmt(text)).toBe('# head\n\njob "a" { # opens\n  # inside\n  provider copy // after\n  # last\n}\n# tail\n');
  });

  it('keeps a line break after a comma between arguments, with its comment', () => {
    expect(fmt('hook before-backup run "systemctl", # program\n   "start",   "x"')).toBe('hook before-backup run "systemctl", # program\n    "start", "x"\n');
  });

  it('prints a list one item per line when its `[` ends a line', () => {
    expect(fmt('job "a" {\n  volumes [ "/a",\n  "/b" ]\n  let v = [\n "/a", [\n 1,2]]\n}')).toBe(
      'job "a" {\n  volumes ["/a", "/b"]\n  let v = [\n    "/a",\n    [\n      1,\n      2,\n    ],\n  ]\n}\n',
    );
  });

  it('re-indents raw blocks and leaves their text alone', () => {
    expect(fmt('job "a" {\nhook x sh {\n        echo "}"\n          exit 0\n      }\n}')).toBe('job "a" {\n  hook x sh {\n    echo "}"\n      exit 0\n  }\n}\n');
    expect(fmt('sh {   true   }')).toBe('sh { true }\n');
  });

  it('prints else and else if after the closing brace', () => {
    expect(fmt('if a {\nx\n}\nelse if b {\ny\n}\nelse {\nz\n}')).toBe('if a {\n  x\n} else if b {\n  y\n} else {\n  z\n}\n');
  });

  it('keeps string quoting, escapes, literal spelling and parentheses as written', () => {
    expect(fmt("let a = [ 'D:\\x' ,\"t\\n${ env( \"A\" ) }\", 1.50, 5GiB, 20%, c:, (x or y) and not z ]")).toBe(
      'let a = [\'D:\\x\', "t\\n${env("A")}", 1.50, 5GiB, 20%, c:, (x or y) and not z]\n',
    );
  });

  it('is idempotent on its own output', () => {
    const once = fmt('job "a" {   # c\n\n\n  volume "/x" { exclude "a", "b" }\n  if x {\n  } else { sh {\n echo\n } }\n}');
    expect(fmt(once)).toBe(once);
  });

  it('refuses text with syntax errors and returns it unchanged with the diagnostics', () => {
    const result = format('job "a" {\n  volume =\n', 'f.still');
    expect(result.text).toBe('job "a" {\n  volume =\n');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['unclosed-block', 'expected-expression']);
  });

  it('reads CRLF line ends and writes LF', () => {
    expect(fmt('# c\r\njob "a" {\r\n  sh {\r\n    echo\r\n  }\r\n\r\n\r\n  cwd "x" # t\r\n}\r\n')).toBe('# c\njob "a" {\n  sh {\n    echo\n  }\n\n  cwd "x" # t\n}\n');
  });

  it('formats a file of comments only, and an empty file to nothing', () => {
    expect(fmt('  # only\n\n')).toBe('# only\n');
    expect(fmt('')).toBe('');
  });
});
