// `target restic` end to end: a btrfs snapshot of a loop-device volume, taken by `stillpoint
// run` (the real CLI), handed to the real restic binary; `restic restore` gives back the same
// bytes under the volume's original path; `keep last 2` prunes; a wrong password fails the run
// without the password showing anywhere.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCli } from '../engine/support/cli.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { command, describeWith, linux, root } from '../support/requirements.ts';

const PASSWORD = 'restic-secret-Zq81';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describeWith('stillpoint run with target restic on a btrfs snapshot', [linux(), root(), command('restic'), command('mkfs.btrfs'), command('btrfs'), command('losetup'), command('unshare')], () => {
  let fs: LoopFilesystem;
  let dir: string;
  let volume: string;
  let repository: string;

  beforeAll(async () => {
    fs = createLoopFilesystem('btrfs', 400);
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-restic-btrfs-'));
    volume = join(fs.mountPoint, 'data');
    execFileSync('btrfs', ['subvolume', 'create', volume], { stdio: 'ignore' });
    execFileSync('mkdir', ['-p', join(volume, 'ledger', '2026'), join(volume, 'mail')]);
    await writeFile(join(volume, 'ledger', '2026', 'q3.csv'), 'account,amount\n1001,42.00\n');
    await writeFile(join(volume, 'mail', 'inbox.mbox'), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff)));
    await writeFile(join(volume, 'empty'), '');
    repository = join(dir, 'repository');
    restic(['init']);
  }, 60_000);

  afterAll(async () => {
    fs?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  function restic(args: string[], password = PASSWORD): string {
    return execFileSync('restic', args, { env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async function run(password: string) {
    const file = join(dir, 'backup.still');
    await writeFile(
      file,
      `job "ledger" {
  volume '${volume}'
  provider btrfs
  target restic '${repository}' {
    password secret(env("RESTIC_PW"))
    keep last 2
  }
}
`,
    );
    return startCli(['run', file, '--json'], { STILLPOINT_STATE_DIR: join(dir, 'state'), RESTIC_PW: password }).done;
  }

  interface ResticSnapshot {
    short_id: string;
    paths: string[];
    tags?: string[];
  }

  it('backs up the snapshot under the original paths; restic restore gives the same bytes', async () => {
    const { code, events, stderr } = await run(PASSWORD);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const copied = events.find((e) => e.type === 'copy.finished');
    expect(copied).toMatchObject({ kind: 'restic', status: 'succeeded', files: 3 });
    // The copy read a btrfs snapshot, not the live volume.
    const created = events.find((e) => e.type === 'snapshot-set.created');
    expect(created).toMatchObject({ provider: 'btrfs' });
    const snapshotPath = created?.type === 'snapshot-set.created' ? created.snapshots[0]!.snapshotPath : '';
    expect(snapshotPath).not.toBe(volume);

    const snapshots = JSON.parse(restic(['snapshots', '--json'])) as ResticSnapshot[];
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.paths).toEqual([volume]);
    expect(snapshots[0]!.tags).toEqual(expect.arrayContaining(['stillpoint', 'stillpoint-job=ledger']));
    const stored = restic(['ls', '--json', 'latest'])
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { path?: string; type?: string })
      .filter((node) => node.type === 'file')
      .map((node) => node.path!);
    expect(stored.sort()).toEqual([join(volume, 'empty'), join(volume, 'ledger/2026/q3.csv'), join(volume, 'mail/inbox.mbox')]);
    expect(stored.some((p) => p.includes('.stillpoint') || p.startsWith(snapshotPath))).toBe(false);

    const restored = join(dir, 'restored');
    restic(['restore', 'latest', '--target', restored]);
    const restoredVolume = join(restored, volume);
    expect(await filesUnder(restoredVolume)).toEqual(await filesUnder(volume));
    for (const file of await filesUnder(volume)) {
      expect((await readFile(join(restoredVolume, file))).equals(await readFile(join(volume, file))), file).toBe(true);
    }
  }, 120_000);

  it('keep last 2 leaves the two newest restic snapshots after three runs', async () => {
    for (let i = 0; i < 2; i++) {
      await writeFile(join(volume, 'ledger', `run-${i}.txt`), `run ${i}\n`);
      const { code, events } = await run(PASSWORD);
      expect(code).toBe(0);
      expect(events.find((e) => e.type === 'stage.finished' && e.stage === 'retention')).toMatchObject({ status: 'succeeded' });
    }
    const snapshots = JSON.parse(restic(['snapshots', '--json'])) as ResticSnapshot[];
    expect(snapshots).toHaveLength(2);
    const names = restic(['ls', '--json', snapshots.at(-1)!.short_id]);
    expect(names).toContain(join(volume, 'ledger', 'run-1.txt'));
  }, 180_000);

  it('a wrong password fails the run clearly, exit 1, and the password is nowhere in the output', async () => {
    const wrong = 'not-the-password-Kp27';
    const { code, stdout, stderr, events } = await run(wrong);
    expect(code).toBe(1);
    const finished = events.find((e) => e.type === 'job.finished');
    expect(finished).toMatchObject({ status: 'failed', failedStage: 'copy' });
    expect(finished?.type === 'job.finished' ? finished.error : '').toMatch(/password/i);
    for (const text of [stdout, stderr]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(PASSWORD);
    }
    // Still two snapshots: the failed run added none and pruned none.
    expect(JSON.parse(restic(['snapshots', '--json']))).toHaveLength(2);
  }, 120_000);
});
