// Drive-letter volumes on Windows (the Windows lane: D: and E: are Wine drives that hold
// nothing but test data, E: behind a non-ASCII folder): `volumes D:, E:` from a script, resolved
// to their roots, probed and snapshotted by the vss provider (through the DLL double) in one
// set, each whole volume read back from its shadow copy's device path.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { win32 } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { chooseSnapshotSets } from '../../src/engine/snapshot-sets.ts';
import type { ProviderPlan } from '../../src/plan/types.ts';
import { loadProvider } from '../../src/providers/index.ts';
import { resolveVolume } from '../../src/providers/volume-info.ts';
import { vssProvider } from '../../src/providers/vss/index.ts';
import { job } from '../plan/helpers.ts';
import { describeWith, windows } from '../support/requirements.ts';
import { buildDouble, doubleRequirements, useDouble } from './vss/double.ts';

describeWith('drive-letter volumes on Windows', [windows(), ...doubleRequirements()], () => {
  beforeAll(() => buildDouble());
  let dispose: (() => Promise<void>) | undefined;
  const files = ['D:\\ledger.txt', 'E:\\Données.txt'];
  afterEach(async () => {
    await dispose?.();
    for (const file of files) rmSync(file, { force: true });
  });

  it('resolves `volumes D:, E:` to the drives\' roots and snapshots both in one vss set', async () => {
    const plan = await job(`job j {\n  volumes D:, E:\n  provider vss\n  provider copy\n  target tree 'C:\\Backups'\n}`, { platform: 'windows' });
    const volumes = await Promise.all(plan.volumes.map((v) => resolveVolume(v.path)));
    expect(volumes).toEqual([
      { name: 'D:', root: 'D:\\' },
      { name: 'E:', root: 'E:\\' },
    ]);
    writeFileSync(files[0]!, 'D drive\n');
    writeFileSync(files[1]!, 'E drive, été\n');

    const env = await useDouble({ writers: [['Stable Writer', 'stable']], asyncMs: 10 });
    dispose = env.dispose;
    const sets = await chooseSnapshotSets(volumes, { providers: plan.providers as ProviderPlan[], load: loadProvider, emit: () => {}, nextSetId: () => 'set-1' });
    expect(sets.map((s) => [s.options.name, s.volumes.map((v) => v.name)])).toEqual([['vss', ['D:', 'E:']]]);

    const set = await vssProvider.createSnapshotSet(volumes, sets[0]!.options, {
      runId: 'run-1', job: 'j', signal: new AbortController().signal, freezeTimeoutMs: 10_000, snapshotTimeoutMs: 60_000,
      runDuringFreezeHooks: async () => {}, warn: () => {},
    });
    try {
      // A whole volume's snapshot path is the device object's root folder, built with path.win32.
      for (const snapshot of set.snapshots) expect(snapshot.snapshotPath.endsWith(win32.sep)).toBe(true);
      expect(readFileSync(win32.join(set.snapshots[0]!.snapshotPath, 'ledger.txt'), 'utf8')).toBe('D drive\n');
      expect(readFileSync(win32.join(set.snapshots[1]!.snapshotPath, 'Données.txt'), 'utf8')).toBe('E drive, été\n');
      await set.backupComplete!(true);
    } finally {
      await set.release();
    }
  });
});
