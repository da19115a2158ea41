// The TUI in a real terminal: tmux runs a pane of 80x24, the renderer draws into it, and the
// pane's text is captured at the end. What a person would see must be there (the summary),
// and nothing a terminal failed to interpret (stray escape sequences) may be left on screen.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith } from '../support/requirements.ts';
import { paneEnvironment, shellQuote, STRAY_ESCAPE, TmuxPane } from '../tui/tmux-pane.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DRIVER = join(ROOT, 'test', 'tui', 'drive-tui.ts');

describeWith('TUI in a real terminal (tmux, 80x24)', [command('tmux', 'apt-get install tmux')], () => {
  let dir: string;
  const panes: TmuxPane[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-tmux-'));
  });
  afterAll(async () => {
    for (const pane of panes) pane.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('draws a scripted run live and leaves the summary on screen, with no stray escape sequences', async () => {
    const pane = new TmuxPane();
    panes.push(pane);
    const control = await mkdtemp(join(dir, 'succeeded-'));
    pane.start(`${shellQuote(process.execPath)} ${shellQuote(DRIVER)} succeeded ${shellQuote(control)}`, paneEnvironment());
    // The driver holds the freeze until told to go on: the timer must count on its own.
    await pane.waitFor(/frozen 1\.\d s of 10 s/);
    const frozen = await pane.waitFor(/frozen 2\.\d s of 10 s/);
    expect(frozen).toMatch(/^books +sqlite +frozen/m);
    expect(frozen).toMatch(/^▸ snapshot +2\.\d s$/m);
    await writeFile(join(control, 'go-frozen'), '');
    const copying = await pane.waitFor(/copying/);
    expect(copying).toMatch(/tree \/srv\/backups\/ledger {2}copying/);
    const screen = await pane.waitFor(/\[exit \d+\]/);
    expect(screen).toContain('[exit 0]');
    expect(screen).toMatch(/run succeeded {2}exit 0 {2}in [\d.]+ s {2}2\.00 GiB {2}50000 files {2}0 skipped/);
    expect(screen).toContain('report: /var/log/stillpoint/ledger.html');
    expect(screen).not.toMatch(STRAY_ESCAPE);
    // Each frame replaced the last: no leftover copies of the live area.
    expect(screen.match(/^snapshot sets$/gm)).toHaveLength(1);
    expect(screen.match(/^writer +kind +state +last error$/gm)).toHaveLength(1);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(pane.cursorVisible()).toBe(true);
  });

  it('cancels on Ctrl-C from the keyboard (raw mode: no SIGINT kills it), says so while it cleans up, and ends cancelled', async () => {
    const pane = new TmuxPane();
    panes.push(pane);
    const control = await mkdtemp(join(dir, 'cancelled-'));
    pane.start(`${shellQuote(process.execPath)} ${shellQuote(DRIVER)} cancelled ${shellQuote(control)}`, paneEnvironment());
    await pane.waitFor(/39% .*\n.*ETA/);
    expect(pane.capture()).toContain('q cancel');
    pane.tmux('send-keys', '-t', 'run', 'C-c');
    const cancelling = await pane.waitFor(/cancelling: thawing and releasing…/, 5000);
    expect(cancelling).not.toContain('q cancel');
    const screen = await pane.waitFor(/\[exit \d+\]/);
    expect(await readFile(join(control, 'cancel.log'), 'utf8')).toBe('cancel\n');
    expect(screen).toMatch(/run cancelled {2}exit 1/);
    expect(screen).toContain('ledger: failed in copy: cancelled by the user');
    expect(screen).not.toMatch(STRAY_ESCAPE);
    expect(pane.cursorVisible()).toBe(true);
  });
});
