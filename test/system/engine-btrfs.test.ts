// The whole product on real btrfs: `stillpoint run` on two subvolumes of a loop-device btrfs
// takes one snapshot set, copies the point-in-time content to a tree target, releases the
// snapshots, and `stillpoint restore` gives back exactly what the volumes held at the
// snapshot. A run killed with SIGKILL after its snapshot leaves it behind; `stillpoint
// cleanup` finds and releases it. A target on a read-only filesystem fails the run cleanly.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listSnapshots, volumeFolder } from '../../src/targets/tree/layout.ts';
import { startCli } from '../engine/support/cli.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { command, describeWith, linux, root } from '../support/requirements.ts';

/** Regular files under a folder, relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

describeWith('stillpoint run with the btrfs provider on a loop device', [linux(), root(), command('mkfs.btrfs'), command('btrfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let dir: string;
  let ledger: string;
  let mail: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Room for several runs' bulk data while btrfs frees deleted snapshots in the background.
    fs = createLoopFilesystem('btrfs', 1024);
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-engine-btrfs-'));
    env = { STILLPOINT_STATE_DIR: join(dir, 'state') };
    ledger = join(fs.mountPoint, 'ledger');
    mail = join(fs.mountPoint, 'mail');
    for (const subvolume of [ledger, mail]) execFileSync('btrfs', ['subvolume', 'create', subvolume], { stdio: 'ignore' });
  });

  afterAll(async () => {
    fs?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string): Promise<string> {
    const file = join(dir, `${name}.still`);
    await writeFile(
      file,
      `job "${name}" {
  volumes '${ledger}', '${mail}'
  providers btrfs, copy
${body}
}
`,
    );
    return file;
  }

  it('backs up two subvolumes in one snapshot set, point in time, and restores them byte for byte', async () => {
    const backups = join(dir, 'nightly-backups');
    await mkdir(join(ledger, 'books'), { recursive: true });
    await writeFile(join(ledger, 'books', 'q3.txt'), 'before the snapshot\n');
    await writeFile(join(mail, 'inbox.mbox'), Buffer.alloc(3 * 1024 * 1024 + 17, 'm'));
    const db = new DatabaseSync(join(ledger, 'books.db'));
    db.exec("PRAGMA journal_mode=WAL; CREATE TABLE entry(amount INTEGER); INSERT INTO entry VALUES (100), (-40);");
    db.close();
    const expected = new Map<string, Buffer>();
    const file = await script(
      'nightly',
      `  writer "books" sqlite '${join(ledger, 'books.db')}'
  hook before-backup sh { echo "$STILLPOINT_VOLUME_IDS" > '${join(dir, 'volume-ids')}' }
  hook after-snapshot sh {
    echo "$STILLPOINT_SNAPSHOT_PATHS" > '${join(dir, 'snapshot-paths')}'
    echo 'after the snapshot' > '${join(ledger, 'books', 'q3.txt')}'
  }
  target tree '${backups}'`,
    );
    const run = startCli(['run', file, '--json'], env);
    const { code, events, stderr } = await run.done;
    expect(code, stderr).toBe(0);

    // before-backup hooks already know the filesystem of each volume.
    const uuid = execFileSync('blkid', ['-o', 'value', '-s', 'UUID', fs.device], { encoding: 'utf8' }).trim();
    expect((await readFile(join(dir, 'volume-ids'), 'utf8')).trim()).toBe(`${uuid},${uuid}`);
    const chosen = events.filter((e) => e.type === 'provider.chosen');
    expect(chosen).toEqual([expect.objectContaining({ provider: 'btrfs', volumes: [ledger, mail], setId: 'set-1' })]);
    const created = events.find((e) => e.type === 'snapshot-set.created');
    const snapshotPaths = created?.type === 'snapshot-set.created' ? created.snapshots.map((s) => s.snapshotPath) : [];
    expect((await readFile(join(dir, 'snapshot-paths'), 'utf8')).trim()).toBe(snapshotPaths.join(','));
    expect(events.filter((e) => e.type === 'writer.state' && e.writer === 'books').map((e) => e.type === 'writer.state' && e.state)).toContain('frozen');
    // Released: no snapshot is left in either subvolume.
    for (const path of snapshotPaths) expect(existsSync(path)).toBe(false);
    expect(execFileSync('btrfs', ['subvolume', 'list', '-o', fs.mountPoint], { encoding: 'utf8' })).not.toMatch(/stillpoint-/);

    // Every file as it was at the snapshot: the live volumes now, except what after-snapshot changed.
    for (const volume of [ledger, mail]) {
      for (const path of await filesUnder(volume)) {
        if (!path.startsWith('books.db')) expected.set(join(volumeFolder(volume), path), await readFile(join(volume, path)));
      }
    }
    expected.set(join(volumeFolder(ledger), 'books', 'q3.txt'), Buffer.from('before the snapshot\n'));
    const restored = join(dir, 'restored');
    const restore = await startCli(['restore', backups, '--to', restored], env).done;
    expect(restore.code, restore.stderr).toBe(0);
    const restoredFiles = (await filesUnder(restored)).filter((path) => !path.includes('books.db'));
    expect(restoredFiles.sort()).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) expect((await readFile(join(restored, path))).equals(content), path).toBe(true);
    // The snapshot folder itself is not part of the backup.
    expect(await readdir(join(restored, volumeFolder(ledger)))).not.toContain('.stillpoint');
    // The restored database is whole and has both entries.
    const copy = new DatabaseSync(join(restored, volumeFolder(ledger), 'books.db'));
    expect(copy.prepare('SELECT sum(amount) AS total FROM entry').get()).toEqual({ total: 60 });
    copy.close();
    const verify = await startCli(['verify', backups], env).done;
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 120_000);

  it('volumes of different kinds form one snapshot set per provider, each with its writers frozen', async () => {
    const plainFolder = join(dir, 'plain-folder');
    await mkdir(plainFolder);
    await writeFile(join(plainFolder, 'notes.txt'), 'not on btrfs\n');
    const log = join(dir, 'mixed.log');
    const file = join(dir, 'mixed.still');
    await writeFile(
      file,
      `job "mixed" {
  volumes '${ledger}', '${plainFolder}'
  providers btrfs, copy
  writer "app" command { freeze "echo freeze >> '${log}'"  thaw "echo thaw >> '${log}'" }
  target tree '${join(dir, 'mixed-backups')}'
}
`,
    );
    const { code, events, stderr } = await startCli(['run', file, '--json'], env).done;
    expect(code, stderr).toBe(0);
    expect(events.filter((e) => e.type === 'provider.skipped')).toEqual([
      expect.objectContaining({ provider: 'btrfs', volumes: [plainFolder] }),
    ]);
    expect(events.filter((e) => e.type === 'provider.chosen').map((e) => e.type === 'provider.chosen' && [e.provider, e.volumes, e.setId])).toEqual([
      ['btrfs', [ledger], 'set-1'],
      ['copy', [plainFolder], 'set-2'],
    ]);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['freeze', 'thaw', 'freeze', 'thaw']);
    expect(events.filter((e) => e.type === 'snapshot-set.released').map((e) => e.type === 'snapshot-set.released' && e.setId)).toEqual(['set-2', 'set-1']);
  }, 60_000);

  it('a run killed after its snapshot leaves it behind; `stillpoint cleanup` releases it', async () => {
    const backups = join(dir, 'killed-backups');
    for (let i = 0; i < 200; i++) await writeFile(join(mail, `bulk-${i}.bin`), Buffer.alloc(512 * 1024, i));
    const file = await script('killed', `  target tree '${backups}'`);
    const run = startCli(['run', file, '--json'], env);
    const created = await run.waitFor((e) => e.type === 'snapshot-set.created');
    run.child.kill('SIGKILL');
    await run.done;
    const paths = created.type === 'snapshot-set.created' ? created.snapshots.map((s) => s.snapshotPath) : [];
    expect(paths).toHaveLength(2);
    for (const path of paths) expect(existsSync(path)).toBe(true);
    expect((await listSnapshots(backups)).complete).toEqual([]);

    const cleanup = await startCli(['cleanup', file], env).done;
    expect(cleanup.code, cleanup.stdout + cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toMatch(/job "killed": released/);
    for (const path of paths) expect(existsSync(path)).toBe(false);
    expect(await readdir(join(env.STILLPOINT_STATE_DIR, 'snapshot-sets'))).toEqual([]);

    // The lock of the killed run does not stop the next one.
    const again = await startCli(['run', file, '--json'], env).done;
    expect(again.code, again.stderr).toBe(0);
    for (let i = 0; i < 200; i++) await rm(join(mail, `bulk-${i}.bin`));
  }, 120_000);

  it('SIGINT during the copy releases the btrfs snapshots and publishes no backup', async () => {
    const backups = join(dir, 'interrupted-backups');
    for (let i = 0; i < 200; i++) await writeFile(join(mail, `bulk-${i}.bin`), Buffer.alloc(512 * 1024, i));
    const file = await script('interrupted', `  target tree '${backups}'`);
    const run = startCli(['run', file, '--json'], env);
    const created = await run.waitFor((e) => e.type === 'snapshot-set.created');
    await run.waitFor((e) => e.type === 'copy.progress');
    run.child.kill('SIGINT');
    const { code, events } = await run.done;
    expect(code).toBe(1);
    expect(events.find((e) => e.type === 'job.finished')).toMatchObject({ status: 'cancelled', failedStage: 'copy' });
    const paths = created.type === 'snapshot-set.created' ? created.snapshots.map((s) => s.snapshotPath) : [];
    for (const path of paths) expect(existsSync(path)).toBe(false);
    expect(execFileSync('btrfs', ['subvolume', 'list', '-o', fs.mountPoint], { encoding: 'utf8' })).not.toMatch(/stillpoint-/);
    expect((await listSnapshots(backups)).complete).toEqual([]);
    for (let i = 0; i < 200; i++) await rm(join(mail, `bulk-${i}.bin`));
  }, 120_000);

  it('the next run of a killed job releases what the killed run left, in its release stage', async () => {
    const backups = join(dir, 'next-run-backups');
    for (let i = 0; i < 200; i++) await writeFile(join(mail, `bulk-${i}.bin`), Buffer.alloc(512 * 1024, i));
    const file = await script('rerun', `  target tree '${backups}'`);
    const killed = startCli(['run', file, '--json'], env);
    const created = await killed.waitFor((e) => e.type === 'snapshot-set.created');
    killed.child.kill('SIGKILL');
    await killed.done;
    const left = created.type === 'snapshot-set.created' ? created.snapshots.map((s) => s.snapshotPath) : [];
    for (const path of left) expect(existsSync(path)).toBe(true);

    const next = await startCli(['run', file, '--json'], env).done;
    expect(next.code, next.stderr).toBe(0);
    expect(next.events).toContainEqual(expect.objectContaining({ type: 'snapshot-set.released', setId: `${created.runId}/set-1`, provider: 'btrfs' }));
    expect(next.events.some((e) => e.type === 'snapshot-set.released' && 'error' in e && e.error)).toBe(false);
    for (const path of left) expect(existsSync(path)).toBe(false);
    expect(execFileSync('btrfs', ['subvolume', 'list', '-o', fs.mountPoint], { encoding: 'utf8' })).not.toMatch(/stillpoint-/);
    for (let i = 0; i < 200; i++) await rm(join(mail, `bulk-${i}.bin`));
  }, 120_000);

  it('a target on a read-only filesystem fails the run; snapshots are released and after-backup runs', async () => {
    const backups = join(dir, 'read-only-target');
    await mkdir(backups);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', backups]);
    try {
      const file = await script(
        'readonly',
        `  target tree '${backups}'
  hook after-backup sh { echo "$STILLPOINT_STATUS" > '${join(dir, 'readonly-status')}' }`,
      );
      const { code, events } = await startCli(['run', file, '--json'], env).done;
      expect(code).toBe(1);
      const finished = events.find((e) => e.type === 'job.finished');
      expect(finished).toMatchObject({ status: 'failed', failedStage: 'copy' });
      expect(finished?.type === 'job.finished' && finished.error).toMatch(/read-only|EROFS/);
      expect(finished?.type === 'job.finished' && finished.error).toContain(backups);
      expect(events.filter((e) => e.type === 'snapshot-set.released')).toHaveLength(1);
      expect(await readFile(join(dir, 'readonly-status'), 'utf8')).toBe('failed\n');
      expect(execFileSync('btrfs', ['subvolume', 'list', '-o', fs.mountPoint], { encoding: 'utf8' })).not.toMatch(/stillpoint-/);
    } finally {
      execFileSync('umount', [backups]);
    }
  }, 60_000);
});
