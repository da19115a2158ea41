// The limits that keep reading an untrusted script finite (src/language/limits.ts), each a
// clear error at its place, and control characters (issue #13).

import { describe, expect, it } from 'vitest';
import { MAX_DIAGNOSTICS, MAX_JOBS, MAX_LOOP_ITERATIONS, MAX_NESTING, MAX_STRING_LENGTH } from '../../src/language/limits.ts';
import { parse } from '../../src/language/parse.ts';
import { renderDiagnostic } from '../../src/language/render-diagnostic.ts';
import { BASE, brief, evalText } from '../plan/helpers.ts';

const codes = (text: string) => parse(text, 'x.still').diagnostics.map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.column}`);

describe('control characters', () => {
  it('a NUL inside a job name is an error at its place', async () => {
    const result = await evalText(`job "a\u0000b" {\n  ${BASE}\n}\n`);
    expect(result.diagnostics.map(brief)).toEqual(['error control-character 1:7-1:8 control character U+0000 in the script']);
  });

  it('in names, paths and strings, and outside them; tab and CRLF are fine', () => {
    expect(codes('job "a" {\r\n\tvolume "/srv/\u001b[31m"\r\n\tprovider co\u0007py\r\n}\r\n')).toEqual(['control-character 2:15', 'control-character 3:13']);
    expect(codes('let x\u0001 = 1\n')).toEqual(['control-character 1:6']);
  });

  it('an excerpt shows them as pictures, not as themselves', () => {
    const [diagnostic] = parse('let x = "a\u001b[2Jb"\n', 'x.still').diagnostics;
    const shown = renderDiagnostic(diagnostic!, 'let x = "a\u001b[2Jb"\n');
    expect(shown).not.toContain('\u001b');
    expect(shown).toContain('1 | let x = "a\u241b[2Jb"\n    |           ^');
  });
});

describe('limits', () => {
  it('a string literal over the limit', () => {
    expect(codes(`let x = "${'a'.repeat(MAX_STRING_LENGTH)}"\n`)).toEqual([]);
    expect(codes(`let x = "${'a'.repeat(MAX_STRING_LENGTH + 1)}"\n`)).toEqual(['string-too-long 1:9']);
  });

  it('a string doubled by let after let stops at the limit', async () => {
    const lets = Array.from({ length: 40 }, (_, i) => `let a${i + 1} = "\${a${i}}\${a${i}}"`).join('\n');
    const started = Date.now();
    const result = await evalText(`let a0 = "${'x'.repeat(1024)}"\n${lets}\n`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.diagnostics.map(brief)).toEqual([`error string-too-long 8:10-8:22 a string longer than 64Ki characters`]);
  });

  it('nesting deeper than the limit', () => {
    const deep = (n: number) => `let x = ${'['.repeat(n)}1${']'.repeat(n)}\n`;
    expect(codes(deep(MAX_NESTING - 10))).toEqual([]);
    expect(codes(deep(MAX_NESTING + 10))[0]).toMatch(/^nesting-too-deep 1:/);
    expect(codes(`let x = ${Array.from({ length: 5_000 }, () => '"a"').join(' ?? ')}\n`)[0]).toMatch(/^nesting-too-deep 1:/);
  });

  it('nested loops stop after the limit of repetitions', async () => {
    const list = `[${Array.from({ length: 300 }, (_, i) => `"${i}"`).join(', ')}]`;
    const started = Date.now();
    const result = await evalText(`let l = ${list}\nfor a in l {\n  for b in l {\n    for c in l {\n      let x = "\${a}\${b}\${c}"\n    }\n  }\n}\n`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.diagnostics.map(brief)).toEqual([`error too-many-iterations 4:5-6:6 the script's \`for\` loops repeat more than ${MAX_LOOP_ITERATIONS} times`]);
  });

  it('more jobs than the limit', async () => {
    const jobs = Array.from({ length: MAX_JOBS + 2 }, (_, i) => `job j${i} {\n  ${BASE}\n}`).join('\n');
    const result = await evalText(jobs);
    expect(result.diagnostics.map(brief)).toEqual([`error too-many-jobs ${MAX_JOBS * 5 + 1}:1-${MAX_JOBS * 5 + 1}:4 more than ${MAX_JOBS} jobs`]);
  });

  it('a script that is mostly errors shows the first ones and counts the rest', async () => {
    const result = await evalText('@ '.repeat(5000));
    expect(result.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(result.diagnostics.at(-1)).toMatchObject({ code: 'too-many-diagnostics', summary: `${5000 - MAX_DIAGNOSTICS} more problems not shown` });
  });
});
