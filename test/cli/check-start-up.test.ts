// `stillpoint check` starts fast (issue 15: < 200 ms whole process, bench/startup.ts) because it
// loads only what checking needs. Module hooks in a real `check` process record every package
// and built-in module it imports or requires: one that the check path should not load showing
// up here is a start-up regression, even where a timing would not show it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stillpoint } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-check-start-up-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Prints, at exit, every package and built-in module (not a file) that was resolved.
const hooks = join(dir, 'record-modules.mjs');
writeFileSync(
  hooks,
  `import { registerHooks } from 'node:module';
const modules = new Set();
registerHooks({ resolve(specifier, context, next) {
  if (!/^(\\.|\\/|file:)/.test(specifier)) modules.add(specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
  return next(specifier, context);
} });
process.on('exit', () => process.stderr.write('MODULES ' + JSON.stringify([...modules].sort()) + '\\n'));
`,
);

async function check(files: Record<string, string>): Promise<{ code: number; stdout: string; modules: string[] }> {
  const folder = mkdtempSync(join(dir, 'script-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  const outcome = await stillpoint(['check', join(folder, 'main.still')], { nodeArgs: ['--import', hooks] });
  const line = outcome.stderr.split('\n').find((l) => l.startsWith('MODULES '));
  if (!line) throw new Error(`no module list: ${outcome.stderr}`);
  return { code: outcome.code, stdout: outcome.stdout, modules: JSON.parse(line.slice('MODULES '.length)) as string[] };
}

const JOB = 'job j {\n  volume "data"\n  provider copy\n  target tree "/backups"\n';

describe('stillpoint check loads only what checking needs', () => {
  it('a script without a schedule: the parser and the command line, not the cron parser or node:crypto', async () => {
    const { code, modules } = await check({ 'main.still': `${JOB}}\n` });
    expect(code).toBe(0);
    expect(modules.filter((p) => !p.startsWith('node:'))).toEqual(['chevrotain', 'commander']);
    expect(modules).not.toContain('node:crypto');
  });

  it('a schedule, in the script or in a file it imports, loads the cron parser and is checked with it', async () => {
    const own = await check({ 'main.still': `${JOB}  schedule "61 * * * *"\n}\n` });
    expect(own.code).toBe(2);
    expect(own.stdout).toContain('`61 * * * *` is not a valid cron expression');
    expect(own.modules).toContain('cron-parser');

    const imported = await check({ 'main.still': 'import "defaults.still"\n' + `${JOB}}\n`, 'defaults.still': 'defaults {\n  schedule "0 24 * * *"\n}\n' });
    expect(imported.code).toBe(2);
    expect(imported.stdout).toContain('`0 24 * * *` is not a valid cron expression');
  });
});
