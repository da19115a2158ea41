import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupCommand } from '../../src/cli/cleanup-command.ts';
import { realParts, type EngineParts } from '../../src/engine/parts.ts';
import { StateStore } from '../../src/engine/state.ts';
import type { SnapshotProvider, VolumeInfo } from '../../src/providers/provider.ts';

let dir: string;
let state: StateStore;
let file: string;
let volume: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-cleanup-'));
  state = new StateStore(join(dir, 'state'));
  volume = join(dir, 'data');
  await mkdir(volume);
  file = join(dir, 'c.still');
  await writeFile(file, `job "nightly" {\n  volume '${volume}'\n  providers zfs, copy\n  target tree '${join(dir, 'out')}'\n}\n`);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A zfs stand-in that keeps its snapshots in a list, as `zfs list -t snapshot` would show them. */
function zfsStandIn(snapshots: string[]): SnapshotProvider {
  return {
    name: 'zfs',
    probe: async () => ({ available: true }),
    createSnapshotSet: async () => {
      throw new Error('not used');
    },
    cleanupLeftovers: async (_volumes: VolumeInfo[], _options, job) => {
      const mine = snapshots.filter((s) => s.includes(`stillpoint-${job}.`));
      snapshots.splice(0, snapshots.length, ...snapshots.filter((s) => !mine.includes(s)));
      return mine;
    },
  };
}

async function cleanup(parts: EngineParts): Promise<{ code: number; text: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await cleanupCommand(file, {}, out, parts, state);
  return { code, text };
}

describe('stillpoint cleanup', () => {
  it('releases recorded sets of dead runs through their provider, and nothing of other jobs', async () => {
    const snapshots = ['tank/data@stillpoint-nightly.run-1', 'tank/data@stillpoint-weekly.run-9', 'tank/data@daily'];
    const parts: EngineParts = { ...realParts, loadProvider: async (name) => (name === 'zfs' ? zfsStandIn(snapshots) : realParts.loadProvider(name)) };
    await state.recordSnapshotSet({
      runId: 'run-1',
      pid: 2 ** 22 + 5,
      job: 'nightly',
      setId: 'set-1',
      provider: { name: 'zfs', origin: 'c.still:3:3' },
      volumes: [{ name: volume, root: volume }],
      recorded: new Date().toISOString(),
    });
    const { code, text } = await cleanup(parts);
    expect(code).toBe(0);
    // The record's provider finds the snapshot by its marker; the sweep after it finds nothing more.
    expect(text).toContain('job "nightly": released 1');
    expect(text).toContain('released snapshot set run-1/set-1 (zfs), recorded by a run that did not finish');
    expect(snapshots).toEqual(['tank/data@stillpoint-weekly.run-9', 'tank/data@daily']);
    expect(await state.leftoverSnapshotSets('nightly')).toEqual([]);
  });

  it('finds marked snapshots on the volumes even when the state directory lost their record', async () => {
    const snapshots = ['tank/data@stillpoint-nightly.run-7', 'tank/data@stillpoint-weekly.run-9'];
    const parts: EngineParts = { ...realParts, loadProvider: async (name) => (name === 'zfs' ? zfsStandIn(snapshots) : realParts.loadProvider(name)) };
    const { code, text } = await cleanup(parts);
    expect(code).toBe(0);
    expect(text).toBe('job "nightly": released 1\n  released tank/data@stillpoint-nightly.run-7 (zfs)\n');
    expect(snapshots).toEqual(['tank/data@stillpoint-weekly.run-9']);
  });

  it('leaves a running job alone and says so', async () => {
    await using _running = await state.lockJob('nightly', 'live-run');
    const { code, text } = await cleanup(realParts);
    expect(code).toBe(1);
    expect(text).toMatch(/^job "nightly": not cleaned up\n  problem: job "nightly" is already running \(process \d+ holds .*; its snapshots are in use, nothing was released\n$/);
  });

  it('says when there is nothing to clean up', async () => {
    const { code, text } = await cleanup(realParts);
    expect(code).toBe(0);
    expect(text).toBe('job "nightly": nothing left behind\n');
  });
});
