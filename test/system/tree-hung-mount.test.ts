// A mount point inside a volume whose filesystem no longer answers (a network server that is
// gone), stood in for by a real FUSE filesystem that never answers a request: excluded, it
// must not hang the backup. Nothing here may look at the mount point itself, not even the
// cleanup, until its filesystem process is killed.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { stillpoint } from '../support/cli.ts';
import { describeWith, linux, root, type Requirement } from '../support/requirements.ts';
import { tempDir, writeTree } from '../targets/tree/fixture.ts';

/** Debian's python3-fusepy, for the system's Python (not one that PATH may name first). */
const PYTHON = '/usr/bin/python3';

/** A filesystem whose every request waits for ever: lstat, readdir, open alike. */
const NEVER_ANSWERS = `
import sys, time, fusepy
class NeverAnswers(fusepy.Operations):
    def __call__(self, op, *args):
        if op in ('init', 'destroy'):
            return super().__call__(op, *args)
        time.sleep(3600)
fusepy.FUSE(NeverAnswers(), sys.argv[1], foreground=True)
`;

function fusepy(): Requirement {
  let ok = true;
  try {
    execFileSync(PYTHON, ['-c', 'import fusepy'], { stdio: 'ignore' });
  } catch {
    ok = false;
  }
  return { ok, reason: 'needs FUSE and python3-fusepy (apt-get install python3-fusepy)' };
}

const mounted = (path: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === path);

let daemon: ChildProcess | undefined;
let mountPoint: string | undefined;
/** Removed last: removing it any earlier would look below the mount point, and wait with it. */
let folder: (Disposable & { path: string }) | undefined;

afterEach(async () => {
  // Killed, the filesystem fails every request (ENOTCONN) instead of holding it: the mount can go.
  daemon?.kill('SIGKILL');
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) await new Promise((resolve) => daemon!.once('exit', resolve));
  if (mountPoint && mounted(mountPoint)) execFileSync('umount', ['--lazy', mountPoint]);
  folder?.[Symbol.dispose]();
  daemon = undefined;
  mountPoint = undefined;
  folder = undefined;
});

describeWith('tree target: an excluded mount point that never answers', [linux(), root(), fusepy()], () => {
  it('is passed over: the backup finishes and holds everything else', { timeout: 60_000 }, async () => {
    const dir = (folder = tempDir('hung'));
    const volume = join(dir.path, 'volume');
    writeTree(volume, { 'a.txt': 'a', 'docs/b.txt': 'b', 'z.txt': 'z' });
    mountPoint = join(volume, 'stale');
    mkdirSync(mountPoint);
    daemon = spawn(PYTHON, ['-c', NEVER_ANSWERS, mountPoint], { stdio: 'ignore' });
    for (let waited = 0; !mounted(mountPoint); waited += 50) {
      if (waited > 10_000) throw new Error('the FUSE filesystem did not mount');
      await sleep(50);
    }
    // The hazard is real: a look at the mount point waits, and not even SIGKILL ends the wait
    // (the request is with the filesystem); it ends when the filesystem's process does.
    const look = spawn('stat', [mountPoint], { stdio: 'ignore' });
    await sleep(1000);
    look.kill('SIGKILL');
    await sleep(200);
    expect(look.exitCode ?? look.signalCode).toBeNull();

    const target = join(dir.path, 'backups');
    const script = join(dir.path, 'stale.still');
    writeFileSync(script, `job stale {\n  volume ${JSON.stringify(volume)} { exclude "/stale" }\n  provider copy\n  target tree ${JSON.stringify(target)}\n}\n`);
    // Not the run's own timeout: a process waiting on the mount point does not die of SIGKILL.
    const run = await Promise.race([stillpoint(['run', script, '--json'], { env: { STILLPOINT_STATE_DIR: join(dir.path, 'state') } }), sleep(20_000, 'hung' as const)]);
    if (run === 'hung') throw new Error('the backup still runs after 20 s: it waits on the excluded mount point');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const finished = run.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((event) => event.type === 'copy.finished');
    expect(finished).toMatchObject({ status: 'succeeded', files: 3, skipped: 0 });
    const manifest = readFileSync(join(finished.location, 'manifest.ndjson'), 'utf8');
    expect(manifest).toContain('/docs/b.txt"');
    expect(manifest).not.toContain('stale');
  });
});
