// Windows Node.js under Wine (scripts/windows-lane.sh): what the Windows-only code does when
// it meets Wine's own system DLLs instead of the ABI double. Wine's vssapi.dll is a stub
// (CreateVssBackupComponentsInternal returns E_NOTIMPL) and Wine has no Win32_ShadowCopy:
// both providers must decline in one sentence, and the provider order must go on to the next.

import { mkdirSync, rmSync } from 'node:fs';
import { win32 } from 'node:path';
import koffi from 'koffi';
import { afterEach, expect, it } from 'vitest';
import { chooseSnapshotSets } from '../../../src/engine/snapshot-sets.ts';
import type { StillpointEventBody } from '../../../src/events/types.ts';
import type { ProviderPlan } from '../../../src/plan/types.ts';
import { loadProvider } from '../../../src/providers/index.ts';
import { vssProvider } from '../../../src/providers/vss/index.ts';
import { volumePathOf } from '../../../src/providers/vss/platform.ts';
import { wmiProvider } from '../../../src/providers/wmi.ts';
import { describeWith, type Requirement } from '../../support/requirements.ts';

function wine(): Requirement {
  let ok = false;
  if (process.platform === 'win32') {
    try {
      koffi.load('ntdll.dll').func('const char *wine_get_version(void)');
      ok = true;
    } catch {
      ok = false;
    }
  }
  return { ok, reason: 'needs Windows Node.js under Wine (scripts/windows-lane.sh)', expectedMissing: process.platform !== 'win32' };
}

const vss: ProviderPlan = { name: 'vss', context: 'backup', includeWriters: [], excludeWriters: [], requireWriters: [], timeoutMs: 10_000, origin: 'wine.test.ts:1:1' };
const wmi = { name: 'wmi', origin: 'wine.test.ts:2:1' } as ProviderPlan;
const copy = { name: 'copy', origin: 'wine.test.ts:3:1' } as ProviderPlan;

describeWith('Windows providers against Wine\'s own DLLs', [wine()], () => {
  const root = 'D:\\wine-test';
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['STILLPOINT_VSS_LIBRARY', 'PROCESSOR_ARCHITEW6432']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    rmSync(root, { recursive: true, force: true });
  });

  function volume() {
    mkdirSync(root, { recursive: true });
    return { name: 'D:', root };
  }

  it('finds the volume of a path on a drive letter with GetVolumePathNameW', () => {
    volume();
    expect(volumePathOf(root)).toBe('D:\\');
    expect(volumePathOf(win32.join(root, '..'))).toBe('D:\\');
  });

  it('says in one sentence that Wine\'s vssapi.dll is a stub, and the vss provider is unavailable', async () => {
    delete process.env.STILLPOINT_VSS_LIBRARY;
    const availability = await vssProvider.probe(volume(), vss);
    expect(availability.available).toBe(false);
    const reason = availability.available ? '' : availability.reason;
    expect(reason).toBe(
      'vssapi.dll does not implement the Volume Shadow Copy Service (CreateVssBackupComponents returned E_NOTIMPL, as Wine\'s stub does), so VSS cannot snapshot on this machine',
    );
  });

  it('refuses a requester of another architecture than Windows\' before loading VSS', async () => {
    process.env.STILLPOINT_VSS_LIBRARY = 'never-loaded.dll';
    process.env.PROCESSOR_ARCHITEW6432 = 'ARM64';
    const availability = await vssProvider.probe(volume(), vss);
    expect(availability.available).toBe(false);
    expect(!availability.available && availability.reason).toMatch(/^this Node.js is x64 but Windows is arm64: VSS only talks to requesters of the OS's own architecture/);
  });

  it('says the wmi provider cannot run here, in one sentence', async () => {
    const availability = await wmiProvider.probe(volume(), wmi);
    expect(availability.available).toBe(false);
    expect(!availability.available && availability.reason).toBe(
      "PowerShell started but never answered, so WMI cannot be asked for Win32_ShadowCopy here (Wine's powershell.exe is such a stub)",
    );
  });

  it('goes on to the next provider in the job\'s order when vss and wmi decline', async () => {
    delete process.env.STILLPOINT_VSS_LIBRARY;
    const events: StillpointEventBody[] = [];
    let id = 0;
    const sets = await chooseSnapshotSets([volume()], { providers: [vss, wmi, copy], load: loadProvider, emit: (e) => events.push(e), nextSetId: () => `set-${++id}` });
    expect(sets.map((s) => s.options.name)).toEqual(['copy']);
    const skipped = events.filter((e) => e.type === 'provider.skipped');
    expect(skipped.map((e) => 'provider' in e && e.provider)).toEqual(['vss', 'wmi']);
    expect(events.at(-1)).toMatchObject({ type: 'provider.chosen', provider: 'copy', volumes: ['D:'] });
  });
});
