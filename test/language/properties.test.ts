import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from '../../src/language/parse.ts';
import { format } from '../../src/language/formatter.ts';
import { script } from './script-generator.ts';
import { withoutRanges } from './support.ts';

describe('generated scripts', () => {
  it('parse without diagnostics', () => {
    fc.assert(fc.property(script, (text) => {
          expect(parse(text, 'g.still').diagnostics).toEqual([]);
        }), { numRuns: 300 });
  });

  it('format idempotently, to text that parses to the same tree and keeps every comment', () => {
    fc.assert(
      fc.property(script, (text) => {
        const once = format(text, 'g.still');
        expect(once.diagnostics).toEqual([]);
        expect(format(once.text, 'g.still').text).toBe(once.text);
        const before = parse(text, 'g.still').file;
        const after = parse(once.text, 'g.still').file;
        expect(withoutRanges(after.statements)).toEqual(withoutRanges(before.statements));
        expect(after.comments.map((c) => c.text).sort()).toEqual(before.comments.map((c) => c.text).sort());
      }),
      { numRuns: 300 },
    );
  });
});

/** Every diagnostic range lies inside the text. */
function checkRanges(text: string) {
  const result = parse(text, 'soup.still');
  for (const d of result.diagnostics) {
    expect(d.range!.start.offset).toBeGreaterThanOrEqual(0);
    expect(d.range!.end.offset).toBeLessThanOrEqual(text.length);
    expect(d.range!.start.offset).toBeLessThanOrEqual(d.range!.end.offset);
    expect(d.summary).not.toBe('');
  }
  format(text, 'soup.still');
}

describe('any input', () => {
  it('random bytes never throw, only produce diagnostics', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          checkRanges(new TextDecoder().decode(bytes));
        }), { numRuns: 500 });
  });

  it('random token soups never throw, only produce diagnostics', () => {
    const samples = ['job', 'let', 'if', 'else', 'for', 'in', 'not', 'and', 'or', '{', '}', '(', ')', '[', ']', ',', ';', '=', '==', '!=', '??', '"a${x}"', '"${', "'r'", '5s', '5GiB', '20%', 'C:', '5min', 'sh {', 'pwsh', '# c', '\n', '@', '"', "'", 'x(', 'true', 'none', '\\'];
    const soup = fc.array(fc.tuple(fc.constantFrom(...samples), fc.constantFrom(' ', '', '\n', '  ')), { maxLength: 60 }).map((parts) => parts.map(([t, s]) => t + s).join(''));
    fc.assert(
      fc.property(soup, (text) => {
        checkRanges(text);
      }),
      { numRuns: 1000 },
    );
  });

});
