import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../src/language/render-diagnostic.ts';
import { parse } from '../../src/language/parse.ts';

describe('renderDiagnostic', () => {
  it('prints file:line:col, the line, carets under the range and the detail', () => {
    const text = 'job "a" {\n  freeze-timeout 5min\n}\n';
    const [d] = parse(text, 'n.still').diagnostics;
    expect(renderDiagnostic(d!, text)).toBe(
      [
        'n.still:2:18: error: unknown unit `min` in `5min`',
        '  2 |   freeze-timeout 5min',
        '    |                  ^^^^',
        '  help: Did you mean `5m`? Durations take ms, s, m, h, d or w (`5m`); sizes take B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (`5GiB`).',
      ].join('\n'),
    );
  });

  it('prints related ranges as notes with their line', () => {
    const text = 'let q = path(a,\n  b\n';
    const [d] = parse(text, 'n.still').diagnostics;
    const lines = renderDiagnostic(d!, text).split('\n');
    expect(lines.slice(-3)).toEqual(['  n.still:1:13: note: `(` opened here', '    1 | let q = path(a,', '      |             ^']);
  });

  it('keeps tabs so that carets line up, and marks only the first line of a long range', () => {
    const d = { severity: 'warning' as const, summary: 's', detail: '', code: 'c', range: { file: 'f', start: { line: 1, column: 2, offset: 1 }, end: { line: 2, column: 1, offset: 4 } } };
    expect(renderDiagnostic(d, '\tab\ncd')).toBe('f:1:2: warning: s\n  1 | \tab\n    | \t^^');
  });

  it('prints without a range or text, and with colour when asked', () => {
    const d = { severity: 'error' as const, summary: 'x.still does not exist', detail: 'Check the path.', code: 'file-not-found' };
    expect(renderDiagnostic(d)).toBe('error: x.still does not exist\n  help: Check the path.');
    expect(renderDiagnostic(d, undefined, { color: true })).toContain('\u001b[31m');
  });
});
