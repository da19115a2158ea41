// The quiesce gate inside a run, on a loop-device filesystem whose block device counters the
// kernel keeps: a busy volume fails the gate under `on-timeout fail`, a quiet one passes.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCli } from '../engine/support/cli.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { command, describeWith, linux, root } from '../support/requirements.ts';

describeWith('the quiesce gate in stillpoint run', [linux(), root(), command('mkfs.xfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    fs = createLoopFilesystem('xfs');
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-engine-quiesce-'));
    await writeFile(join(fs.mountPoint, 'data.txt'), 'data\n');
    file = join(dir, 'quiesce.still');
    await writeFile(
      file,
      `job "gated" {
  volume '${fs.mountPoint}'
  provider copy
  quiesce { idle 500ms  within 3s  on-timeout fail }
  target tree '${join(dir, 'backups')}'
}
`,
    );
  });

  afterAll(async () => {
    fs?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the job at the gate while something keeps writing to the device', async () => {
    // Direct I/O reaches the device at once, so the kernel's sector counter keeps moving.
    const writer = spawn('sh', ['-c', `while :; do dd if=/dev/zero of='${join(fs.mountPoint, 'busy')}' bs=64k count=1 oflag=direct conv=notrunc 2>/dev/null; done`], {
      stdio: 'ignore',
    });
    try {
      const { code, events } = await startCli(['run', file, '--json'], { STILLPOINT_STATE_DIR: join(dir, 'state') }).done;
      expect(code).toBe(1);
      expect(events.find((e) => e.type === 'job.finished')).toMatchObject({
        status: 'failed',
        failedStage: 'quiesce',
        error: 'the volumes were not quiet for 500ms within 3s (quiesce on-timeout fail)',
      });
      expect(events.some((e) => e.type === 'copy.started')).toBe(false);
    } finally {
      writer.kill('SIGKILL');
    }
  }, 60_000);

  it('passes the gate once the device is quiet', async () => {
    const { code, events } = await startCli(['run', file, '--json'], { STILLPOINT_STATE_DIR: join(dir, 'state') }).done;
    expect(code).toBe(0);
    expect(events.find((e) => e.type === 'stage.finished' && e.stage === 'quiesce')).toMatchObject({ status: 'succeeded' });
  }, 60_000);
});
