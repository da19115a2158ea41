import { describe, expect, it } from 'vitest';
import { BASE, brief, errors, evalText, job } from './helpers.ts';
import { BUILTIN_VALUE_NAMES, Scope } from '../../src/plan/scope.ts';

describe('let, names and built-in values', () => {
  it('binds a let and uses it in interpolation with the built-in values', async () => {
    const j = await job(`let site = "nas"\njob "web" {\n  ${BASE}\n  target tree "/b/\${site}/\${hostname}/\${job}/\${platform}"\n}`);
    expect(j.targets[1]).toMatchObject({ kind: 'tree', path: '/b/nas/host1/web/linux' });
  });

  it('refuses to bind a name twice in one block, naming the first', async () => {
    const result = await evalText(`let a = "1"\nlet a = "2"\n`);
    expect(result.diagnostics.map(brief)).toEqual(['error duplicate-let 2:5-2:6 `a` is already defined']);
    expect(result.diagnostics[0]!.related![0]!.range.start.line).toBe(1);
  });

  it('refuses a let that hides a built-in value', async () => {
    expect(await errors('let hostname = "x"')).toEqual(['error let-builtin 1:5-1:13 `hostname` is a built-in value']);
  });
});

describe('Scope', () => {
  it('looks a name up through the enclosing scopes, the nearest first', () => {
    const range = { file: 'f', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };
    const outer = new Scope();
    outer.vars.set('a', { value: { type: 'number', value: 1 }, range });
    outer.vars.set('b', { value: { type: 'number', value: 2 }, range });
    const inner = new Scope(outer);
    inner.vars.set('a', { value: { type: 'number', value: 3 }, range });
    expect(inner.lookup('a')?.value).toEqual({ type: 'number', value: 3 });
    expect(inner.lookup('b')?.value).toEqual({ type: 'number', value: 2 });
    expect(inner.lookup('c')).toBeUndefined();
    expect(outer.lookup('a')?.value).toEqual({ type: 'number', value: 1 });
    expect(inner.names()).toEqual(['a', 'a', 'b']);
  });

  it('knows the built-in values, whose names a let may not take', () => {
    expect(BUILTIN_VALUE_NAMES.has('hostname')).toBe(true);
    expect(BUILTIN_VALUE_NAMES.has('root')).toBe(false);
  });
});
