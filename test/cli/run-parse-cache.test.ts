// A scheduled run of an unchanged script loads no parser: `run` keeps each file's syntax tree in
// the state directory (language/parse-cache.ts). Module hooks in real `run` processes record
// whether Chevrotain was loaded; a changed script is parsed again and its change takes effect.
// `check` never reads or writes the cache (SECURITY.md).

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stillpoint } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-run-parse-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hooks = join(dir, 'record-chevrotain.mjs');
writeFileSync(
  hooks,
  `import { registerHooks } from 'node:module';
let loaded = false;
registerHooks({ resolve(specifier, context, next) {
  const result = next(specifier, context);
  if (/chevrotain\\.mjs$/.test(result.url)) loaded = true;
  return result;
} });
process.on('exit', () => process.stderr.write('CHEVROTAIN ' + loaded + '\\n'));
`,
);

const state = join(dir, 'state');
const script = join(dir, 'job.still');
const job = (keep: number) => `job j {\n  volume "data"\n  provider copy\n  target tree "backups" {\n    keep last ${keep}\n  }\n}\n`;

async function run(args: string[]): Promise<{ code: number; chevrotain: boolean; stdout: string }> {
  const outcome = await stillpoint(args, { cwd: dir, nodeArgs: ['--import', hooks], env: { STILLPOINT_STATE_DIR: state } });
  const line = outcome.stderr.split('\n').find((l) => l.startsWith('CHEVROTAIN '));
  if (!line) throw new Error(`no record: ${outcome.stderr}`);
  return { code: outcome.code, chevrotain: line.endsWith('true'), stdout: outcome.stdout };
}

describe('stillpoint run keeps the syntax tree of an unchanged script', () => {
  it('parses on the first run, not on the next, and again once the script changed', async () => {
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'a.txt'), 'a');
    writeFileSync(script, job(1));

    const checked = await run(['check', script]);
    expect(checked.code).toBe(0);
    expect(existsSync(join(state, 'parse-cache'))).toBe(false);

    const first = await run(['run', script, '--json']);
    expect(first.code).toBe(0);
    expect(first.chevrotain).toBe(true);
    const second = await run(['run', script, '--json']);
    expect(second.code).toBe(0);
    expect(second.chevrotain).toBe(false);
    // keep last 1: one snapshot after two runs
    expect(readdirSync(join(dir, 'backups')).filter((n) => !n.startsWith('.'))).toHaveLength(1);

    writeFileSync(script, job(3));
    const changed = await run(['run', script, '--json']);
    expect(changed.code).toBe(0);
    expect(changed.chevrotain).toBe(true);
    await run(['run', script, '--json']);
    expect(readdirSync(join(dir, 'backups')).filter((n) => !n.startsWith('.'))).toHaveLength(3);
  }, 120_000);
});
