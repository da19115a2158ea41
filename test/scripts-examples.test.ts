// Every example script is a promise made to a reader: it must check clean, be formatted
// canonically, and plan into JSON that the schema accepts, through the real CLI.

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { format } from '../src/language/formatter.ts';
import { validatePlan } from '../src/plan/validate.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'scripts-examples');

function stillFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return stillFiles(path);
    return entry.name.endsWith('.still') ? [relative(ROOT, path)] : [];
  });
}

const scripts = stillFiles(EXAMPLES);
const cli = (...args: string[]) => run(process.execPath, [join(ROOT, 'bin/stillpoint.js'), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });

describe('scripts-examples', () => {
  it('holds the scripts the README and the language issue promise', () => {
    for (const name of ['quickstart', 'linux-btrfs-sqlite', 'windows-workstation-vss', 'cloud-vm-fsfreeze', 'rdrive-aux-migration', 'multi-job', 'common/site']) {
      expect(scripts).toContain(`scripts-examples/${name}.still`);
    }
  });

  it('all pass `stillpoint check` without errors or warnings', async () => {
    const { stdout } = await cli('check', '--format', 'json', ...scripts);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it.each(scripts)('%s starts with a comment saying what it does', (script) => {
    expect(readFileSync(join(ROOT, script), 'utf8')).toMatch(/^# \S+\.still: .+/);
  });

  it.each(scripts)('%s is fmt-clean', (script) => {
    const text = readFileSync(join(ROOT, script), 'utf8');
    const formatted = format(text, script);
    expect(formatted.diagnostics).toEqual([]);
    expect(formatted.text).toBe(text);
  });

  it.each(scripts)('%s plans into JSON that the schema accepts', async (script) => {
    const { stdout } = await cli('plan', '--json', script);
    const plan = JSON.parse(stdout);
    expect(await validatePlan(plan)).toEqual([]);
    expect(plan.script).toBe(script);
  });

  it('the quickstart backs up the sample data into backups/quickstart at the repository root', async () => {
    const { stdout } = await cli('plan', '--json', 'scripts-examples/quickstart.still');
    const job = JSON.parse(stdout).jobs[0];
    expect(job.volumes[0].path).toBe(join(EXAMPLES, 'sample-data'));
    expect(job.targets[0].path).toBe(join(ROOT, 'backups', 'quickstart'));
    expect(job.providers.map((p: { name: string }) => p.name)).toEqual(['copy']);
    expect(readdirSync(join(EXAMPLES, 'sample-data')).length).toBeGreaterThan(0);
  });
});
