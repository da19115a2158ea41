// A `pwsh { }` hook inside the freeze window (fsfreeze on a loop-device XFS): PowerShell's
// start-up (seconds) happens before the freeze, never inside it, as the events' times show.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StillpointEvent } from '../../src/events/types.ts';
import { startCli } from '../engine/support/cli.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { pwsh, pwshStartupMs } from '../support/pwsh.ts';
import { command, describeWith, linux, root } from '../support/requirements.ts';

describeWith('pwsh hooks and the freeze window', [linux(), root(), command('mkfs.xfs'), command('losetup'), pwsh()], () => {
  let fs: LoopFilesystem;
  let dir: string;

  beforeAll(async () => {
    fs = createLoopFilesystem('xfs');
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-pwsh-freeze-'));
  });

  afterAll(async () => {
    fs?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('a during-freeze pwsh block runs in a session started before the freeze', async () => {
    await writeFile(join(fs.mountPoint, 'data.txt'), 'data\n');
    const file = join(dir, 'freeze.still');
    await writeFile(
      file,
      `job "frozen" {
  volume '${fs.mountPoint}'
  provider fsfreeze
  freeze-timeout 30s
  writer "app" command {
    freeze "true"
    thaw "true"
  }
  hook during-freeze pwsh { "in the freeze: $env:STILLPOINT_STAGE" }
  target tree '${join(dir, 'backups')}'
}
`,
    );
    const { code, events, stderr } = await startCli(['run', file, '--json'], { STILLPOINT_STATE_DIR: join(dir, 'state') }).done;
    expect(code, stderr).toBe(0);
    const at = (e: StillpointEvent | undefined) => Date.parse(e!.time);
    const hookStarted = events.find((e) => e.type === 'hook.started' && e.stage === 'during-freeze');
    const hookFinished = events.find((e) => e.type === 'hook.finished' && e.stage === 'during-freeze');
    expect(events.filter((e) => e.type === 'hook.output').map((e) => e.type === 'hook.output' && e.line)).toEqual(['in the freeze: DURING_FREEZE']);
    const window = at(events.find((e) => e.type === 'freeze.ended')) - at(events.find((e) => e.type === 'freeze.started'));
    // PowerShell takes 2-5 s to start (more on a loaded machine); one line in a running session
    // takes a fraction of that, and so does the whole window around it.
    const startup = await pwshStartupMs();
    expect(at(hookFinished) - at(hookStarted)).toBeLessThan(startup / 2);
    expect(window).toBeLessThan(startup);
  }, 120_000);
});
