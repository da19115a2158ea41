// `stillpoint run` with the fsfreeze provider on a loop-device XFS: writers freeze, the
// filesystem freezes while the during-freeze hooks run (where a cloud-disk snapshot would be
// taken), then thaws; the copy reads the live volume after the thaw, so what it copies is the
// volume as it is then, not at the freeze.

import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { volumeFolder } from '../../src/targets/tree/layout.ts';
import { startCli } from '../engine/support/cli.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { command, describeWith, linux, root } from '../support/requirements.ts';

describeWith('stillpoint run with the fsfreeze provider on a loop device', [linux(), root(), command('mkfs.xfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let dir: string;

  beforeAll(async () => {
    fs = createLoopFilesystem('xfs');
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-engine-fsfreeze-'));
  });

  afterAll(async () => {
    fs?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs writers and during-freeze hooks inside the freeze, thaws, then copies the live volume', async () => {
    const log = join(dir, 'order.log');
    const backups = join(dir, 'backups');
    await writeFile(join(fs.mountPoint, 'data.txt'), 'at the freeze\n');
    const file = join(dir, 'freeze.still');
    await writeFile(
      file,
      `job "frozen" {
  volume '${fs.mountPoint}'
  provider fsfreeze
  freeze-timeout 20s
  writer "app" command {
    freeze "echo writer-freeze >> '${log}'"
    thaw "echo writer-thaw >> '${log}'"
  }
  hook during-freeze sh { echo "during-freeze $STILLPOINT_STAGE $STILLPOINT_VOLUMES" >> '${log}' }
  hook after-snapshot sh {
    echo after-snapshot >> '${log}'
    echo 'after the thaw' > '${join(fs.mountPoint, 'data.txt')}'
  }
  target tree '${backups}'
}
`,
    );
    const { code, events, stderr } = await startCli(['run', file, '--json'], { STILLPOINT_STATE_DIR: join(dir, 'state') }).done;
    expect(code, stderr).toBe(0);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([
      'writer-freeze',
      `during-freeze DURING_FREEZE ${fs.mountPoint}`,
      'writer-thaw',
      'after-snapshot',
    ]);
    expect(events.find((e) => e.type === 'freeze.ended')).toMatchObject({ timedOut: false, writers: [{ writer: 'app' }] });
    // The copy read the live volume after the thaw.
    const [snapshot] = (await readdir(backups)).filter((n) => !n.startsWith('.'));
    expect(await readFile(join(backups, snapshot!, volumeFolder(fs.mountPoint), 'data.txt'), 'utf8')).toBe('after the thaw\n');
  }, 60_000);
});
