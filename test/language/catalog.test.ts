import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Setting } from '../../src/language/ast.ts';
import { BLOCKS, BLOCK_KINDS, FUNCTIONS, HOOK_STAGES, PROVIDERS, TARGET_KINDS, VALUES, WRITER_KINDS, blockKindAt, bodyBlockKind, splitSetting, statementSpec } from '../../src/language/catalog.ts';
import { catalogReference, withCurrentReference } from '../../src/language/catalog-reference.ts';
import { parse } from '../../src/language/parse.ts';
import { BUILTIN_FUNCTIONS } from '../../src/plan/builtins.ts';

const doc = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');

describe('catalog', () => {
  it('has one spec per keyword in each block, and a merge rule for every job statement', () => {
    for (const kind of BLOCK_KINDS) {
      const keywords = BLOCKS[kind].statements.map((s) => s.keyword);
      expect(new Set(keywords).size, kind).toBe(keywords.length);
      expect(BLOCKS[kind].kind).toBe(kind);
    }
    for (const statement of BLOCKS.job.statements) expect(statement.merge, statement.keyword).toMatch(/^(replace|append)$/);
  });

  it('gives every provider, writer kind and target kind its own options block', () => {
    const provider = statementSpec('job', 'provider')!;
    const writer = statementSpec('job', 'writer')!;
    const target = statementSpec('job', 'target')!;
    for (const p of PROVIDERS) expect(bodyBlockKind(provider, [p.name])).toBe(`provider:${p.name}`);
    for (const w of WRITER_KINDS) expect(bodyBlockKind(writer, ['name', w.name])).toBe(`writer:${w.name}`);
    for (const t of TARGET_KINDS) expect(bodyBlockKind(target, [t.name])).toBe(`target:${t.name}`);
    expect(bodyBlockKind(provider, ['nope'])).toBeUndefined();
  });

  it('implements every function it lists, and lists every function implemented', () => {
    expect(Object.keys(BUILTIN_FUNCTIONS).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
  });
});

describe('docs/language.md', () => {
  it('carries the reference generated from the current catalog (run `node scripts/language-doc.ts`)', () => {
    expect(withCurrentReference(doc)).toBe(doc);
  });

  it('mentions every keyword, word and built-in of the catalog', () => {
    const reference = catalogReference();
    const words = [
      ...BLOCK_KINDS.flatMap((k) => BLOCKS[k].statements.map((s) => s.keyword)),
      ...PROVIDERS.map((p) => p.name),
      ...WRITER_KINDS.map((w) => w.name),
      ...HOOK_STAGES.map((h) => h.name),
      ...TARGET_KINDS.map((t) => t.name),
      ...FUNCTIONS.map((f) => `${f.name}(`),
      ...VALUES.map((v) => v.name),
    ];
    for (const word of words) expect(reference, word).toContain(`\`${word}`);
  });

  it('has the section that lists the choices made where LANGUAGE.md is silent', () => {
    expect(doc).toContain('## Choices this implementation made');
  });
});

describe('splitSetting', () => {
  const settingOf = (text: string): Setting => {
    const parsed = parse(`quiesce {\n  ${text}\n}`, 'x.still');
    expect(parsed.diagnostics).toEqual([]);
    const quiesce = parsed.file.statements[0] as Setting;
    return (quiesce.body as { statements: Setting[] }).statements[0]!;
  };
  const shape = (settings: Setting[]) => settings.map((s) => [s.keyword.name, s.args.map((g) => g.length)]);

  it('starts a new statement where one has all its items and a keyword of the block follows', () => {
    const split = splitSetting(settingOf('idle 3s  within 2m  on-timeout fail'), 'quiesce');
    expect(shape(split)).toEqual([
      ['idle', [1]],
      ['within', [1]],
      ['on-timeout', [1]],
    ]);
    expect(split[1]!.keyword.range.start.column).toBe(12);
    expect(split[0]!.range.end.column).toBe(10);
  });

  it('leaves alone a statement whose items are not keywords of the block', () => {
    const setting = settingOf('idle 3s 4s');
    expect(splitSetting(setting, 'quiesce')).toEqual([setting]);
  });

  it('splits after a list and keeps the body with the last statement', () => {
    const parsed = parse('job j {\n  exclude "a", "b" provider vss { timeout 1m }\n}', 'x.still');
    const setting = (parsed.file.statements[0] as Setting).body as { statements: Setting[] };
    const split = splitSetting(setting.statements[0]!, 'job');
    expect(shape(split)).toEqual([
      ['exclude', [1, 1]],
      ['provider', [1]],
    ]);
    expect(split[0]!.body).toBeUndefined();
    expect(split[1]!.body?.kind).toBe('Block');
  });
});

describe('blockKindAt', () => {
  const TEXT = 'job j {\n  provider vss {\n    timeout 1m\n  }\n  if true {\n    writer "w" command {\n      freeze "x"\n    }\n  }\n  hook before-backup sh {\n    echo\n  }\n  provider nope {\n    x 1\n  }\n}\n';
  const parsed = parse(TEXT, 'x.still');
  const at = (marker: string) => blockKindAt(parsed.file.statements, TEXT.indexOf(marker));

  it('names the block around a position, through if and for', () => {
    expect(at('job j')).toBe('file');
    expect(at('provider vss')).toBe('job');
    expect(at('timeout 1m')).toBe('provider:vss');
    expect(at('freeze "x"')).toBe('writer:command');
  });

  it('is undefined inside raw code and inside blocks the catalog does not know', () => {
    expect(at('echo')).toBeUndefined();
    expect(at('x 1')).toBeUndefined();
  });
});
