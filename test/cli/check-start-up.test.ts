// `stillpoint check` starts fast (issue 15: < 200 ms whole process, bench/startup.ts) because it
// loads only what checking needs. Which packages a real `check` process loads is recorded by
// module hooks that see every import and require; a package that the check path should not
// load showing up here is a start-up regression even when a timing would not show it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stillpoint } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-check-start-up-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Prints, at exit, every package (not a relative file, not node:) that was resolved.
const hooks = join(dir, 'record-packages.mjs');
writeFileSync(
  hooks,
  `import { registerHooks } from 'node:module';
const packages = new Set();
registerHooks({ resolve(specifier, context, next) {
  if (!/^(\\.|\\/|file:|node:)/.test(specifier)) packages.add(specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
  return next(specifier, context);
} });
process.on('exit', () => process.stderr.write('PACKAGES ' + JSON.stringify([...packages].sort()) + '\\n'));
`,
);

async function check(files: Record<string, string>): Promise<{ code: number; stdout: string; packages: string[] }> {
  const folder = mkdtempSync(join(dir, 'script-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  const outcome = await stillpoint(['check', join(folder, 'main.still')], { nodeArgs: ['--import', hooks] });
  const line = outcome.stderr.split('\n').find((l) => l.startsWith('PACKAGES '));
  if (!line) throw new Error(`no package list: ${outcome.stderr}`);
  return { code: outcome.code, stdout: outcome.stdout, packages: JSON.parse(line.slice('PACKAGES '.length)) as string[] };
}

const JOB = 'job j {\n  volume "data"\n  provider copy\n  target tree "/backups"\n';

describe('stillpoint check loads only what checking needs', () => {
  it('a script without a schedule: the parser and the command line, not the cron parser', async () => {
    const { code, packages } = await check({ 'main.still': `${JOB}}\n` });
    expect(code).toBe(0);
    expect(packages).toEqual(['chevrotain', 'commander']);
  });

  it('a schedule, in the script or in a file it imports, loads the cron parser and is checked with it', async () => {
    const own = await check({ 'main.still': `${JOB}  schedule "61 * * * *"\n}\n` });
    expect(own.code).toBe(2);
    expect(own.stdout).toContain('`61 * * * *` is not a valid cron expression');
    expect(own.packages).toContain('cron-parser');

    const imported = await check({ 'main.still': 'import "defaults.still"\n' + `${JOB}}\n`, 'defaults.still': 'defaults {\n  schedule "0 24 * * *"\n}\n' });
    expect(imported.code).toBe(2);
    expect(imported.stdout).toContain('`0 24 * * *` is not a valid cron expression');
  });
});
