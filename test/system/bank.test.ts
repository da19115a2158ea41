// The bank proof (issue 4): a workload that moves money as two separate transactions keeps
// running while Stillpoint backs it up with the btrfs provider and a `command` writer that
// pauses it between transfers. Every one of at least 20 backups, restored, must balance.
// And a writer that hangs in freeze: the window ends at freeze-timeout, the bank runs again,
// and the run fails naming the writer.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux, root } from './../support/requirements.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { ACCOUNTS, OPENING, events, restoredBooks, snapshotIds, startBank, stillpoint, writeBankScript, type Bank } from './bank/harness.ts';

const BACKUPS = 20;

describeWith('bank proof: writers make btrfs backups application-consistent', [linux(), root(), command('mkfs.btrfs'), command('btrfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let work: string;
  let bank: Bank;
  let volume: string;
  const env = () => ({ STILLPOINT_STATE_DIR: join(work, 'state') });

  beforeAll(async () => {
    fs = createLoopFilesystem('btrfs', 512);
    work = mkdtempSync(join(tmpdir(), 'sp-bank-'));
    volume = join(fs.mountPoint, 'bank');
    execFileSync('btrfs', ['subvolume', 'create', volume], { stdio: 'ignore' });
    bank = await startBank(join(volume, 'bank.db'), join(work, 'control.sock'));
  }, 60_000);

  afterAll(async () => {
    await bank?.stop();
    fs?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`takes ${BACKUPS} backups under continuous transfers, and every restored copy balances`, async () => {
    const target = join(work, 'backups');
    const script = join(work, 'bank.still');
    writeBankScript(script, { volume, socket: bank.socket, target, writer: true });
    for (let i = 0; i < BACKUPS; i++) {
      const run = stillpoint(['run', script, '--json'], env());
      expect(run.status, `run ${i + 1} failed:\n${run.stderr}\n${run.stdout.slice(-2000)}`).toBe(0);
      const ended = events(run.stdout).find((e) => e.type === 'freeze.ended');
      expect(ended).toMatchObject({ timedOut: false, writers: [{ writer: 'bank' }] });
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 100));
    }
    const ids = snapshotIds(target);
    expect(ids).toHaveLength(BACKUPS);
    const totals = ids.map((id, i) => {
      const to = join(work, `restored-${i}`);
      mkdirSync(to);
      return restoredBooks(target, id, to);
    });
    expect(totals).toEqual(ids.map(() => ({ accounts: ACCOUNTS, total: ACCOUNTS * OPENING })));
  }, 600_000);

  it('ends the window at freeze-timeout when a writer hangs in freeze: the bank runs again, the run names the writer', () => {
    const script = join(work, 'hang.still');
    writeBankScript(script, { volume, socket: bank.socket, target: join(work, 'hang-backups'), writer: true, hangingWriter: true, freezeTimeout: '2s' });
    const run = stillpoint(['run', script, '--json'], env());
    expect(run.status).toBe(1);
    const all = events(run.stdout);
    const ended = all.find((e) => e.type === 'freeze.ended') as { windowMs: number; timedOut: boolean } | undefined;
    expect(ended?.timedOut).toBe(true);
    expect(ended!.windowMs).toBeGreaterThanOrEqual(2000);
    expect(ended!.windowMs).toBeLessThan(6000);
    const finished = all.find((e) => e.type === 'job.finished') as { status: string; error?: string } | undefined;
    expect(finished?.status).toBe('failed');
    expect(finished?.error).toMatch(/"stuck"|stuck/);
    expect(all.some((e) => e.type === 'writer.state' && e.writer === 'bank' && e.state === 'thawed')).toBe(true);
    // Running again: it answers a pause at once (a paused bank would never answer).
    for (const request of ['pause', 'resume']) {
      const control = spawnSync(process.execPath, [join(import.meta.dirname, 'bank/control.ts'), bank.socket, request], { timeout: 5000, encoding: 'utf8' });
      expect(control.status, control.stderr).toBe(0);
    }
  }, 120_000);
});
