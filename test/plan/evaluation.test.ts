import { describe, expect, it } from 'vitest';
import { evaluationOf, SCRIPT } from './unit.ts';

describe('Evaluation', () => {
  it('reports a diagnostic once, but counts every failure', () => {
    const { ev, file } = evaluationOf('let x = 1\n');
    const range = file.statements[0]!.range;
    ev.error('some-code', 'a summary', 'a detail', range);
    ev.error('some-code', 'a summary', 'a detail', range);
    ev.warn('other-code', 'a warning', 'a detail', range);
    expect(ev.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['error some-code', 'warning other-code']);
    expect(ev.failures).toBe(2);
  });

  it('quotes source text on one line, shortened past 40 characters, and names origins file:line:col', () => {
    const { ev, file } = evaluationOf(`job j {\n  volume "/srv/${'a'.repeat(50)}"\n}\n`);
    const job = file.statements[0]!;
    expect(ev.quote(job.range)).toMatch(/^job j \{ volume "\/srv\/a+…$/);
    expect(ev.quote(job.range)).toHaveLength(40);
    expect(ev.origin(job.range)).toBe(`${SCRIPT}:1:1`);
    expect(ev.baseDir(job.range)).toBe('/scripts');
  });

  it('keeps a secret in the store and only its shown form in the plan text', () => {
    const { ev, secrets } = evaluationOf('');
    const text = ev.planText({ type: 'string', value: 'hunter2', shown: '***' });
    expect(text).toEqual({ secret: expect.any(String), shown: '***' });
    expect(secrets.reveal(text)).toBe('hunter2');
    expect(ev.planText({ type: 'string', value: 'plain' })).toBe('plain');
  });
});
