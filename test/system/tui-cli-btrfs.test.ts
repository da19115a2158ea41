// `stillpoint run` as a person runs it: in a terminal (tmux, 80x24), on a real btrfs volume on
// a loop device, with an SQLite writer that freezes, a hook that prints, a tree target and an
// HTML report. The last screen must show the summary and nothing a terminal failed to take;
// `q` in the middle of a run must cancel it cleanly (thaw, release), saying so meanwhile.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { paneEnvironment, shellQuote, STRAY_ESCAPE, TmuxPane } from '../tui/tmux-pane.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'stillpoint.js');

describeWith('stillpoint run in a real terminal on a btrfs loop volume', [linux(), root(), command('tmux'), command('mkfs.btrfs'), command('btrfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let dir: string;
  let volume: string;
  const panes: TmuxPane[] = [];

  beforeAll(async () => {
    fs = createLoopFilesystem('btrfs');
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-tui-cli-'));
    volume = join(fs.mountPoint, 'ledger');
    execFileSync('btrfs', ['subvolume', 'create', volume], { stdio: 'ignore' });
    for (let i = 0; i < 40; i++) await writeFile(join(volume, `entry-${i}.bin`), Buffer.alloc(256 * 1024, i));
    const db = new DatabaseSync(join(volume, 'books.db'));
    db.exec('PRAGMA journal_mode=WAL; CREATE TABLE entry(amount INTEGER); INSERT INTO entry VALUES (100), (-40);');
    db.close();
  });

  afterAll(async () => {
    for (const pane of panes) pane.kill();
    fs?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  async function runInPane(name: string, body: string, extraArgs: string[] = []): Promise<TmuxPane> {
    const file = join(dir, `${name}.still`);
    await writeFile(
      file,
      `job "${name}" {
  volume '${volume}'
  providers btrfs, copy
  writer "books" sqlite '${join(volume, 'books.db')}'
${body}
  target tree '${join(dir, `${name}-backups`)}'
}
`,
    );
    const pane = new TmuxPane();
    panes.push(pane);
    const args = [BIN, 'run', file, ...extraArgs].map(shellQuote).join(' ');
    pane.start(`${shellQuote(process.execPath)} ${args}`, { ...paneEnvironment(), STILLPOINT_STATE_DIR: join(dir, 'state') });
    return pane;
  }

  function leftoverSnapshots(): string {
    return execFileSync('btrfs', ['subvolume', 'list', fs.mountPoint], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('stillpoint'))
      .join('\n');
  }

  it('shows the run live and ends with the summary and the report, with no stray escape sequences', async () => {
    const report = join(dir, 'nightly.html');
    const pane = await runInPane(
      'nightly',
      `  hook after-snapshot sh {
    echo "snapshot taken of $STILLPOINT_VOLUMES"
  }`,
      ['--report', report],
    );
    const screen = await pane.waitFor(/\[exit \d+\]/, 60_000);
    expect(screen).toContain('[exit 0]');
    expect(screen).toMatch(/run succeeded {2}exit 0 {2}in [\d.]+ s {2}[\d.]+ MiB {2}\d+ files {2}0 skipped/);
    expect(screen).toContain(`report: ${report}`);
    expect(screen).toMatch(/^ {2}set-1 {2}btrfs {2}\S+ledger {2}released$/m);
    expect(screen).toMatch(/^books +sqlite +\w+/m);
    expect(screen).toMatch(/^✓ snapshot +[\d.]+ s$/m);
    expect(screen).not.toMatch(STRAY_ESCAPE);
    expect(screen.match(/^snapshot sets$/gm)).toHaveLength(1);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(pane.cursorVisible()).toBe(true);

    const page = await readFile(report, 'utf8');
    expect(page).toMatch(/<table class="writers">[\s\S]*<td>books<\/td><td>sqlite<\/td>/);
    expect(page).toContain('<span class="label">frozen set-1</span>');
    expect(page).toMatch(/<pre>snapshot taken of \S+ledger\n<\/pre>/);
    expect(leftoverSnapshots()).toBe('');
  }, 90_000);

  it('cancels on q while a hook runs after the snapshot: says so, releases the snapshot, ends cancelled', async () => {
    const pane = await runInPane(
      'interrupted',
      `  hook after-snapshot sh {
    echo "waiting in the hook"
    sleep 30
  }
  hook after-backup sh {
    echo "cleaning up after $STILLPOINT_STATUS"
    sleep 2
  }`,
    );
    await pane.waitFor(/after-snapshot\| waiting in the hook/, 60_000);
    expect(leftoverSnapshots()).toMatch(/stillpoint/);
    pane.tmux('send-keys', '-t', 'run', 'q');
    // The after-backup hook keeps the cleanup going for 2 s: the message must be up meanwhile.
    const cancelling = await pane.waitFor(/cancelling: thawing and releasing…/, 10_000);
    expect(cancelling).not.toContain('q cancel');
    const screen = await pane.waitFor(/\[exit \d+\]/, 30_000);
    expect(screen).not.toContain('[exit 0]');
    expect(screen).toMatch(/run cancelled {2}exit \d/);
    expect(screen).not.toMatch(STRAY_ESCAPE);
    expect(pane.cursorVisible()).toBe(true);
    expect(leftoverSnapshots()).toBe('');
  }, 90_000);
});
