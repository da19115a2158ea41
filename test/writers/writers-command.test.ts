import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.ts';
import { listWriters } from '../../src/cli/writers-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'sp-writers-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stillpoint writers', () => {
  it('lists each writer with kind, subject and state, probing without freezing', async () => {
    new DatabaseSync(join(dir, 'books.db')).exec('CREATE TABLE t(x)');
    const script = join(dir, 'w.still');
    writeFileSync(
      script,
      `job "ledger" {
  volume "${dir}"
  provider copy
  writer "books" sqlite "${dir}/books.db"
  writer "missing" sqlite "${dir}/none.db" { required false }
  writer "app" command { freeze "true"  thaw "echo", "resumed" }
  writer "gone" process { pid 4194305 }
  target tree "${dir}/backups"
}
`,
    );
    const loaded = await loadPlan(script);
    expect(loaded.diagnostics).toEqual([]);
    const rows = await listWriters(loaded.plan!, loaded.secrets, loaded.plan!.jobs);
    expect(rows.map((r) => [r.name, r.kind, r.state, r.subject ?? r.error])).toEqual([
      ['books', 'sqlite', 'stable', `${dir}/books.db`],
      ['missing', 'sqlite', 'failed', expect.stringMatching(/cannot open SQLite database .*none\.db/)],
      ['app', 'command', 'stable', 'freeze: true; thaw: echo resumed'],
      ['gone', 'process', 'failed', 'process 4194305 is not running'],
    ]);
    expect(rows[1]!.required).toBe(false);
    expect(rows[0]!.origin).toBe(`${script}:4:3`);

    // The same through the CLI, as a user sees it: exit 1 because some writers failed.
    const cli = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/stillpoint.js'), 'writers', script], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`Writer name: 'books'\n   Job: ledger\n   Kind: sqlite\n   Subject: ${dir}/books.db\n   State: [1] Stable\n   Last error: No error\n`);
    expect(cli.stdout).toMatch(/Writer name: 'missing'\n   Job: ledger\n   Kind: sqlite \(optional\)\n   State: \[8\] Failed\n   Last error: cannot open SQLite database/);
  });
});
