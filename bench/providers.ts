// Snapshot and freeze costs of the Linux providers, against the command-line tools an admin
// would script instead, on the same loop filesystems in the same run:
// - btrfs: a read-only snapshot plus its deletion, Stillpoint's ioctls vs
//   `btrfs subvolume snapshot -r` + `btrfs subvolume delete`; and creating a set of one and of
//   two subvolumes (the difference is how far apart the snapshots of one set are).
// - fsfreeze: the frozen window FIFREEZE -> FITHAW with nothing in between, the ioctls vs
//   `fsfreeze --freeze` + `fsfreeze --unfreeze`; and the watchdog's start (paid before the
//   freeze, outside the window).
//
//   node bench/providers.ts [runs]      (root; writes bench/results/providers.md)

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { btrfsProvider } from '../src/providers/btrfs.ts';
import { freezeFilesystem, openDirectory, thawFilesystem } from '../src/providers/linux/ioctl.ts';
import { resolveVolume } from '../src/providers/volume-info.ts';
import { startWatchdog } from '../src/providers/watchdog.ts';
import { createLoopFilesystem } from '../test/providers/support/loop-filesystem.ts';
import { snapshotContext } from '../test/providers/support/context.ts';
import type { ProviderPlan } from '../src/plan/types.ts';
import { machineNote, median } from './measure.ts';

const runs = Number(process.argv[2] ?? 30);
const machine = machineNote();
const btrfsPlan: ProviderPlan = { name: 'btrfs', snapshotDir: '.stillpoint', origin: 'bench' };

async function time(step: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await step();
  return performance.now() - started;
}

const rows: Array<{ what: string; stillpoint: number; peer?: number; peerName?: string }> = [];

const btrfs = createLoopFilesystem('btrfs', 512);
const xfs = createLoopFilesystem('xfs', 320);
try {
  for (const name of ['a', 'b']) {
    execFileSync('btrfs', ['subvolume', 'create', join(btrfs.mountPoint, name)], { stdio: 'ignore' });
    execFileSync('sh', ['-c', `for i in $(seq 1 200); do head -c 8192 /dev/urandom > "$1/f$i"; done`, 'sh', join(btrfs.mountPoint, name)]);
  }
  const a = await resolveVolume(join(btrfs.mountPoint, 'a'));
  const b = await resolveVolume(join(btrfs.mountPoint, 'b'));

  const ours: number[] = [];
  const cli: number[] = [];
  const one: number[] = [];
  const two: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(
      await time(async () => {
        const set = await btrfsProvider.createSnapshotSet([a], btrfsPlan, snapshotContext({ runId: `bench-${i}` }));
        await set.release();
      }),
    );
    const target = join(btrfs.mountPoint, `cli-${i}`);
    cli.push(
      await time(() => {
        execFileSync('btrfs', ['subvolume', 'snapshot', '-r', a.root, target], { stdio: 'ignore' });
        execFileSync('btrfs', ['subvolume', 'delete', target], { stdio: 'ignore' });
      }),
    );
    // One more subvolume in the set costs one more ioctl: that is how far apart its snapshots are.
    for (const [volumes, into] of [[[a], one], [[a, b], two]] as const) {
      let set: Awaited<ReturnType<typeof btrfsProvider.createSnapshotSet>> | undefined;
      into.push(await time(async () => (set = await btrfsProvider.createSnapshotSet([...volumes], btrfsPlan, snapshotContext({ runId: `set-${i}` })))));
      await set!.release();
    }
  }
  rows.push({ what: 'btrfs read-only snapshot + delete (ms)', stillpoint: median(ours), peer: median(cli), peerName: 'btrfs subvolume snapshot -r / delete' });
  rows.push({ what: 'btrfs set of 1 subvolume, create (ms)', stillpoint: median(one) });
  rows.push({ what: 'btrfs set of 2 subvolumes, create (ms); the difference is the spread between its snapshots', stillpoint: median(two) });

  const frozenOurs: number[] = [];
  const frozenCli: number[] = [];
  const watchdogStart: number[] = [];
  using dir = await openDirectory(xfs.mountPoint);
  for (let i = 0; i < runs; i++) {
    execFileSync('sh', ['-c', `head -c 1048576 /dev/urandom > "$1"`, 'sh', join(xfs.mountPoint, `dirty-${i}`)]);
    frozenOurs.push(
      await time(async () => {
        await freezeFilesystem(dir);
        await thawFilesystem(dir);
      }),
    );
    execFileSync('sh', ['-c', `head -c 1048576 /dev/urandom > "$1"`, 'sh', join(xfs.mountPoint, `dirty-cli-${i}`)]);
    frozenCli.push(
      await time(() => {
        execFileSync('fsfreeze', ['--freeze', xfs.mountPoint]);
        execFileSync('fsfreeze', ['--unfreeze', xfs.mountPoint]);
      }),
    );
    let watchdog: Awaited<ReturnType<typeof startWatchdog>> | undefined;
    watchdogStart.push(await time(async () => (watchdog = await startWatchdog([{ kind: 'thaw', mountPoint: xfs.mountPoint }], 10_000))));
    await watchdog!.disarm();
  }
  rows.push({ what: 'freeze + thaw of XFS with 1 MiB dirty (ms)', stillpoint: median(frozenOurs), peer: median(frozenCli), peerName: 'fsfreeze --freeze / --unfreeze' });
  rows.push({ what: 'watchdog start, before the freeze (ms)', stillpoint: median(watchdogStart) });
} finally {
  btrfs.destroy();
  xfs.destroy();
}

const fmt = (n: number) => n.toFixed(2);
const table = [
  '| measurement | Stillpoint (median) | peer (median) | peer | Stillpoint / peer |',
  '|---|---:|---:|---|---:|',
  ...rows.map((r) => `| ${r.what} | ${fmt(r.stillpoint)} | ${r.peer === undefined ? '' : fmt(r.peer)} | ${r.peerName ?? ''} | ${r.peer === undefined ? '' : fmt(r.stillpoint / r.peer)} |`),
].join('\n');
const note = `${runs} runs each, loop devices in /tmp, ${new Date().toISOString()}. ${machine()} The ratio within one run is the number to read.`;
console.log(table);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/providers.md', import.meta.url), `# Provider costs\n\n\`node bench/providers.ts ${runs}\`\n\n${table}\n\n${note}\n`);
