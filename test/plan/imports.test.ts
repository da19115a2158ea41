import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Setting } from '../../src/language/ast.ts';
import { importPathOf, importTarget } from '../../src/plan/imports.ts';
import { evaluationOf } from './unit.ts';
import { brief, evalFile, evalText, folder } from './helpers.ts';

describe('import', () => {
  it('makes the imported lets, defaults and jobs part of the importing file, paths relative to the importer', async () => {
    const dir = folder({
      'common/site.still': 'import "paths.still"\nlet site = "hq"\ndefaults {\n  provider copy\n  target tree path(root, site, job)\n}\n',
      'common/paths.still': 'let root = "/backups"\n',
      'main.still': 'import "common/site.still"\njob web {\n  volume "/srv/web"\n}\n',
    });
    const result = await evalFile(dir, 'main.still');
    expect(result.diagnostics).toEqual([]);
    expect(result.plan!.jobs[0]!.targets).toMatchObject([{ kind: 'tree', path: '/backups/hq/web' }]);
    expect([...result.sources.keys()]).toEqual([join(dir, 'main.still'), join(dir, 'common/site.still'), join(dir, 'common/paths.still')]);
  });

  it('evaluates a file imported twice once (its jobs are not doubled)', async () => {
    const dir = folder({
      'a.still': 'import "shared.still"\n',
      'shared.still': 'job shared {\n  volume "/srv"\n  provider copy\n  target tree "/b"\n}\n',
      'main.still': 'import "a.still"\nimport "shared.still"\n',
    });
    const result = await evalFile(dir, 'main.still');
    expect(result.diagnostics).toEqual([]);
    expect(result.plan!.jobs.map((j) => j.name)).toEqual(['shared']);
  });

  it("takes an editor's unsaved text of an imported file over the file on disk", async () => {
    const dir = folder({ 'lib.still': 'let root = "/disk"\n' });
    const openFiles = new Map([[join(dir, 'lib.still'), 'let root = "/buffer"\n']]);
    // The library lies outside the script's folder: allowed as an import root, as an editor's workspace folders are.
    const result = await evalText(`import "${join(dir, 'lib.still')}"\njob j {\n  volume root\n  provider copy\n  target tree "/b"\n}\n`, { openFiles, importRoots: [dir] });
    expect(result.diagnostics).toEqual([]);
    expect(result.plan!.jobs[0]!.volumes[0]!.path).toBe('/buffer');
  });

  it('reports a cycle naming the chain, at the import that closes it', async () => {
    const dir = folder({
      'a.still': 'import "b.still"\n',
      'b.still': 'let x = "1"\nimport "a.still"\n',
    });
    const result = await evalFile(dir, 'a.still');
    expect(result.diagnostics.map(brief)).toEqual(['error import-cycle 2:8-2:17 import cycle: a.still -> b.still -> a.still']);
    expect(result.diagnostics[0]!.range!.file).toBe(join(dir, 'b.still'));
  });

  it('reports a missing file at the import', async () => {
    const result = await evalText('import "nope.still"\n');
    expect(result.diagnostics.map(brief)).toEqual([`error file-not-found 1:8-1:20 cannot import: ${join(result.dir, 'nope.still')} does not exist`]);
  });

  it('requires a plain string path at the top level', async () => {
    const result = await evalText('let p = "x.still"\nimport "${p}"\nif true {\n  import "y.still"\n}\n');
    expect(result.diagnostics.map(brief)).toEqual([
      'error import-path-not-literal 2:8-2:14 the path of an `import` must be a plain string',
      'error import-not-top-level 4:3-4:9 `import` may stand only at the top level of a file',
    ]);
  });

  it('reports a name defined by an import and by the importer', async () => {
    const result = await evalText('let root = "/a"\nimport "other.still"\n', {}, { 'other.still': 'let root = "/b"\n' });
    expect(result.diagnostics.map(brief)).toEqual(['error duplicate-let 2:8-2:21 `root` is already defined']);
  });
});

describe('importTarget and importPathOf', () => {
  it('resolves an import against the importing file; an absolute path stays', () => {
    expect(importTarget('/scripts/site/main.still', 'common/a.still')).toEqual({ file: '/scripts/site/common/a.still', resolved: '/scripts/site/common/a.still' });
    expect(importTarget('/scripts/main.still', '/etc/b.still')).toEqual({ file: '/etc/b.still', resolved: '/etc/b.still' });
    expect(importTarget('rel/main.still', '../c.still').resolved).toBe(resolve('c.still'));
  });

  it('reads only a plain string literal as the path', () => {
    const [plain, interpolated] = evaluationOf('import "a.still"\nimport "${hostname}.still"\n').file.statements as Setting[];
    expect(importPathOf(plain!)).toBe('a.still');
    expect(importPathOf(interpolated!)).toBeUndefined();
  });
});
