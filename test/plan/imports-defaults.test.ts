import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

describe('defaults', () => {
  const SCRIPT = (job: string) => `defaults {
  volume "/etc"
  exclude "*.tmp"
  providers btrfs, copy
  freeze-timeout 20s
  hook before-backup run "echo", "default", job
  target tree path("/b", job)
  schedule "0 1 * * *"
}
job web {
${job}
}`;

  it('applies to every job; `job` is the job it is applied to', async () => {
    const result = await evalText(SCRIPT('  volume "/srv/web"'));
    expect(result.diagnostics).toEqual([]);
    const j = result.plan!.jobs[0]!;
    expect(j.volumes.map((v) => v.path)).toEqual(['/etc', '/srv/web']);
    expect(j.exclude).toEqual(['*.tmp']);
    expect(j.providers.map((p) => p.name)).toEqual(['btrfs', 'copy']);
    expect(j.freezeTimeoutMs).toBe(20_000);
    expect(j.hooks[0]!.actions[0]).toEqual({ kind: 'run', argv: ['echo', 'default', 'web'] });
    expect(j.targets).toMatchObject([{ path: '/b/web' }]);
    expect(j.schedules).toEqual(['0 1 * * *']);
  });

  it("a job's own statement replaces the default; lists append after the defaults", async () => {
    const own = '  volume "/srv/web"\n  exclude "*.log"\n  provider fsfreeze\n  freeze-timeout 5s\n  hook before-backup run "mine"\n  target tree "/elsewhere"\n  schedule "0 3 * * *"';
    const j = (await evalText(SCRIPT(own))).plan!.jobs[0]!;
    expect(j.volumes.map((v) => v.path)).toEqual(['/etc', '/srv/web']);
    expect(j.exclude).toEqual(['*.tmp', '*.log']);
    expect(j.providers.map((p) => p.name)).toEqual(['fsfreeze']);
    expect(j.freezeTimeoutMs).toBe(5_000);
    expect(j.hooks.map((h) => h.actions[0])).toEqual([
      { kind: 'run', argv: ['echo', 'default', 'web'] },
      { kind: 'run', argv: ['mine'] },
    ]);
    expect(j.targets).toMatchObject([{ path: '/b/web' }, { path: '/elsewhere' }]);
    expect(j.schedules).toEqual(['0 3 * * *']);
  });

  it('of an importing file do not reach the jobs of the imported file', async () => {
    const result = await evalText('import "lib.still"\ndefaults {\n  freeze-timeout 30s\n}\njob mine {\n  volume "/a"\n  provider copy\n  target tree "/b"\n}\n', {}, { 'lib.still': 'job theirs {\n  volume "/c"\n  provider copy\n  target tree "/b"\n}\n' });
    expect(result.plan!.jobs.map((j) => [j.name, j.freezeTimeoutMs])).toEqual([
      ['theirs', 10_000],
      ['mine', 30_000],
    ]);
  });

  it('are checked even when no job uses them, and an error in them is reported once for all jobs', async () => {
    expect((await evalText('defaults {\n  freeze-timeout 5GB\n}\n')).diagnostics.map(brief)).toEqual(['error type-mismatch 2:18-2:21 expected a duration, found a size `5GB`']);
    const twoJobs = await evalText('defaults {\n  freeze-timeout 5GB\n}\njob a {\n  volume "/a"\n}\njob b {\n  volume "/b"\n}\n');
    expect(twoJobs.diagnostics.map(brief)).toEqual(['error type-mismatch 2:18-2:21 expected a duration, found a size `5GB`']);
  });
});
