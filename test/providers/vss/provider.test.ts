// The vss provider through koffi against the ABI-true test double (native/): the same code
// path as on Windows except the library's name. The double enforces VSS's call order, so a
// sequence that passes here is one VSS accepts; its journal shows what was called.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { ProviderPlan } from '../../../src/plan/types.ts';
import type { SnapshotContext, VolumeInfo } from '../../../src/providers/provider.ts';
import { VssApi, outPointer } from '../../../src/providers/vss/com.ts';
import { VssError } from '../../../src/providers/vss/errors.ts';
import { vssProvider } from '../../../src/providers/vss/index.ts';
import { volumePathOf } from '../../../src/providers/vss/platform.ts';
import { initializeCom } from '../../../src/providers/vss/requester.ts';
import { describeWith, linux } from '../../support/requirements.ts';
import { DOUBLE_LIBRARY, buildDouble, doubleRequirements, doubleSide, useDouble, volumeRootOf, type DoubleConfig } from './double.ts';

type VssPlan = Extract<ProviderPlan, { name: 'vss' }>;

function plan(overrides: Partial<VssPlan> = {}): VssPlan {
  return { name: 'vss', context: 'backup', includeWriters: [], excludeWriters: [], requireWriters: [], timeoutMs: 10_000, origin: 'test.still:1:1', ...overrides };
}

interface Recorded {
  warnings: string[];
  states: Array<{ writer: string; state: string; step: string; error?: string }>;
}

function context(recorded: Recorded, extra: Partial<SnapshotContext> = {}): SnapshotContext {
  return {
    runId: 'run-1',
    job: 'nightly',
    signal: new AbortController().signal,
    freezeTimeoutMs: 10_000,
    snapshotTimeoutMs: 60_000,
    runDuringFreezeHooks: async () => {},
    warn: (message, detail) => recorded.warnings.push(`${message} | ${detail ?? ''}`),
    writerState: (u) => recorded.states.push(u),
    ...extra,
  };
}

const WRITERS: DoubleConfig['writers'] = [
  ['Stable Writer', 'stable'],
  ['Flaky Writer', 'freeze-fail'],
  ['Slow Writer', 'freeze-timeout'],
];

let env: Awaited<ReturnType<typeof useDouble>> | undefined;

async function setUp(config: DoubleConfig, volumes = ['c', 'd']): Promise<{ volumes: VolumeInfo[]; recorded: Recorded }> {
  env = await useDouble({ asyncMs: 15, ...config });
  const infos = volumes.map((name, i) => {
    const root = volumeRootOf(env!.root, i, name);
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, 'data', 'ledger.txt'), `contents of ${name}\n`);
    return { name: `${name.toUpperCase()}:`, root };
  });
  return { volumes: infos, recorded: { warnings: [], states: [] } };
}

function journal(): string[] {
  return doubleSide().journal().trim().split('\n');
}

function storeSets(): string[] {
  return existsSync(env!.store) ? readdirSync(env!.store).filter((n) => !n.startsWith('.')) : [];
}

function ledgerEntries(): string[] {
  const dir = join(env!.state, 'vss');
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function rejection(promise: Promise<unknown>): Promise<VssError | Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describeWith('vss provider against the ABI test double', doubleRequirements(), () => {
  beforeAll(() => buildDouble(), 120_000);

  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('snapshots two volumes in one set, at one instant, and releases everything', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable']] });
    const set = await vssProvider.createSnapshotSet(volumes, plan(), context(recorded));

    // COM was set up so that writers can call back (packet privacy, impersonate, static cloaking).
    expect(journal()).toContain('CoInitializeSecurity cAuthSvc=-1 authn=6 imp=3 caps=0x20');

    expect(set.snapshots.map((s) => s.volume)).toEqual(['C:', 'D:']);
    // The volume GUID comes from VSS's original volume name (\\?\Volume{GUID}\), one per volume.
    const ids = set.snapshots.map((s) => s.volumeId);
    for (const id of ids) expect(id).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/i);
    expect(new Set(ids).size).toBe(2);
    for (const [i, snapshot] of set.snapshots.entries()) {
      expect(readFileSync(join(snapshot.snapshotPath, 'data', 'ledger.txt'), 'utf8')).toBe(`contents of ${['c', 'd'][i]}\n`);
    }
    // A point in time: later writes to the volume do not reach the snapshot.
    writeFileSync(join(volumes[0]!.root, 'data', 'ledger.txt'), 'changed after the snapshot\n');
    expect(readFileSync(join(set.snapshots[0]!.snapshotPath, 'data', 'ledger.txt'), 'utf8')).toBe('contents of c\n');

    const calls = journal();
    const at = (line: string) => calls.indexOf(line);
    expect(calls.filter((c) => c === 'StartSnapshotSet')).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('DoSnapshotSet'))).toHaveLength(1);
    expect(at('StartSnapshotSet')).toBeLessThan(at(`AddToSnapshotSet ${volumePathOf(volumes[0]!.root)}`));
    expect(at(`AddToSnapshotSet ${volumePathOf(volumes[1]!.root)}`)).toBeLessThan(at('PrepareForBackup'));
    expect(at('PrepareForBackup')).toBeLessThan(at('DoSnapshotSet'));
    expect(at('SetBackupState select=1 bootable=0 type=1 partial=0')).toBeGreaterThan(at('SetContext 0x0'));
    expect(calls).toContain('AddComponent Data');
    expect(calls.some((c) => c.includes('BAD_STATE'))).toBe(false);
    expect(recorded.states).toContainEqual({ writer: 'Stable Writer', kind: 'vss', state: 'thawed', step: 'after-snapshot' });
    expect(ledgerEntries()).toHaveLength(1);

    await set.backupComplete!(true);
    await set.release();
    await set.release(); // idempotent
    const after = journal();
    expect(after).toContain('SetBackupSucceeded Data 1');
    expect(after.indexOf('BackupComplete')).toBeLessThan(after.findIndex((c) => c.startsWith('DeleteSnapshots')));
    expect(after).not.toContain('AbortBackup');
    expect(storeSets()).toEqual([]);
    expect(ledgerEntries()).toEqual([]);
    expect(doubleSide().live()).toBe(0); // every COM object released, every BSTR and property block freed
  });

  it('refuses calls out of order with VSS_E_BAD_STATE (the double enforces VSS\'s order)', async () => {
    await setUp({ writers: [['Stable Writer', 'stable']] });
    const api = new VssApi({ vssapi: DOUBLE_LIBRARY, ole32: DOUBLE_LIBRARY, oleaut32: DOUBLE_LIBRARY });
    initializeCom(api, { warn: () => {} });
    const components = api.createBackupComponents();
    try {
      expect(() => components.invoke('StartSnapshotSet', {})).toThrow(/VSS_E_BAD_STATE \(0x80042301\)/);
      components.invoke('InitializeForBackup', null);
      components.invoke('SetContext', 0);
      const box: unknown[] = [null];
      expect(components.call('PrepareForBackup', box) >>> 0).toBe(0x80042301);
      expect(components.call('DoSnapshotSet', box) >>> 0).toBe(0x80042301);
      expect(outPointer(box)).toBeNull();
      const wrong = components.call('SetContext', 0x10) >>> 0; // SetContext only once
      expect(wrong).toBe(0x80042301);
    } finally {
      components.release();
    }
    expect(() => components.call('AbortBackup')).toThrow(/after Release/);
    expect(doubleSide().live()).toBe(0);
  });

  it('reports a writer that fails in freeze, and keeps the set when the writer is not required', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable'], ['Flaky Writer', 'freeze-fail']] });
    const set = await vssProvider.createSnapshotSet(volumes, plan(), context(recorded));
    expect(recorded.states).toContainEqual({ writer: 'Flaky Writer', kind: 'vss', state: 'failed', step: 'after-snapshot', error: 'FAILED_AT_FREEZE: VSS_E_WRITERERROR_RETRYABLE' });
    expect(recorded.warnings.join('\n')).toMatch(/VSS writer "Flaky Writer" failed \(FAILED_AT_FREEZE\).*require-writer "Flaky Writer"/s);
    await set.release();
    expect(journal()).toContain('AbortBackup'); // released without backupComplete: the backup did not complete
    expect(storeSets()).toEqual([]);
  });

  it('fails the set, aborts and deletes it when a required writer fails in freeze', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable'], ['Flaky Writer', 'freeze-fail']] });
    const error = await rejection(vssProvider.createSnapshotSet(volumes, plan({ requireWriters: ['flaky writer'] }), context(recorded)));
    expect(error.message).toMatch(/required writer "Flaky Writer" failed while the snapshot was taken: it is in state FAILED_AT_FREEZE with VSS_E_WRITERERROR_RETRYABLE \(0x800423F3\)/);
    const calls = journal();
    expect(calls).toContain('AbortBackup');
    expect(calls.some((c) => c.startsWith('DeleteSnapshots'))).toBe(true);
    expect(storeSets()).toEqual([]);
    expect(ledgerEntries()).toEqual([]);
    expect(doubleSide().live()).toBe(0);
  });

  it('fails before any snapshot when a required writer is missing, naming the writers present', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable']] });
    const error = await rejection(vssProvider.createSnapshotSet(volumes, plan({ requireWriters: ['SqlServerWriter'] }), context(recorded)));
    expect(error.message).toBe(
      'required writer "SqlServerWriter" is not on this machine: the writers on this machine are "Stable Writer". Start the application\'s service, or correct the name in require-writer',
    );
    expect(journal()).not.toContain('StartSnapshotSet');
    expect(doubleSide().live()).toBe(0);
  });

  it('leaves excluded writers out (DisableWriterInstances), so a writer that hangs does not hold the set', async () => {
    const { volumes, recorded } = await setUp({ writers: WRITERS });
    const set = await vssProvider.createSnapshotSet(volumes, plan({ excludeWriters: ['Slow Writer', 'Flaky Writer'], requireWriters: ['Stable Writer'] }), context(recorded));
    const calls = journal();
    expect(calls).toContain('DisableWriterInstances 2');
    expect(calls).toContain('  disabled Slow Writer');
    expect(calls.filter((c) => c === 'AddComponent Data')).toHaveLength(1);
    expect(recorded.states.map((s) => s.writer)).not.toContain('Slow Writer');
    await set.release();
  });

  it('include-writer keeps only the named writers, by name or id', async () => {
    const { volumes, recorded } = await setUp({ writers: WRITERS });
    const set = await vssProvider.createSnapshotSet(volumes, plan({ includeWriters: ['Stable Writer', 'No Such Writer'] }), context(recorded));
    expect(journal()).toContain('DisableWriterInstances 2');
    expect(recorded.warnings.join('\n')).toMatch(/name no writer on this machine: "No Such Writer"/);
    await set.release();
  });

  it('cancels DoSnapshotSet at the set\'s deadline and says it timed out, naming the writer', async () => {
    const { volumes, recorded } = await setUp({ writers: WRITERS, hangMs: 60_000 });
    const started = Date.now();
    const error = await rejection(vssProvider.createSnapshotSet(volumes, plan({ timeoutMs: 700 }), context(recorded)));
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(error).toBeInstanceOf(VssError);
    expect((error as VssError).outcome).toBe('timed-out');
    expect(error.message).toMatch(/IVssBackupComponents::DoSnapshotSet was still pending when the snapshot set's 700ms timeout ran out; Stillpoint cancelled it and VSS confirmed the cancellation/);
    expect(error.message).toMatch(/Writers not stable: "Slow Writer" \(FAILED_AT_FREEZE, VSS_E_WRITERERROR_TIMEOUT\)/);
    const calls = journal();
    expect(calls).toContain('IVssAsync.Cancel DoSnapshotSet');
    expect(calls).toContain('async DoSnapshotSet -> 0x0004230b');
    expect(calls).toContain('AbortBackup');
    expect(storeSets()).toEqual([]);
    expect(ledgerEntries()).toEqual([]);
  });

  it('cancels and says "cancelled" when the run is cancelled', async () => {
    const { volumes, recorded } = await setUp({ writers: WRITERS, hangMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error = await rejection(vssProvider.createSnapshotSet(volumes, plan({ timeoutMs: 30_000 }), context(recorded, { signal: controller.signal })));
    expect((error as VssError).outcome).toBe('cancelled');
    expect(error.message).toMatch(/was cancelled because the run was cancelled; VSS confirmed the cancellation/);
  });

  it('retries StartSnapshotSet while another set is in progress', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable']] });
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']);
    try {
      mkdirSync(env!.store, { recursive: true });
      writeFileSync(join(env!.store, '.set-in-progress'), `${other.pid}\n`);
      setTimeout(() => other.kill(), 500);
      const set = await vssProvider.createSnapshotSet(volumes, plan(), context(recorded));
      expect(journal().filter((c) => c === 'StartSnapshotSet').length).toBeGreaterThan(1);
      await set.release();
    } finally {
      other.kill();
    }
  });

  it('gives up on a set in progress at the deadline with the HRESULT\'s advice', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable']] });
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']);
    try {
      mkdirSync(env!.store, { recursive: true });
      writeFileSync(join(env!.store, '.set-in-progress'), `${other.pid}\n`);
      const error = await rejection(vssProvider.createSnapshotSet(volumes, plan({ timeoutMs: 800 }), context(recorded)));
      expect(error.message).toMatch(/StartSnapshotSet failed: VSS_E_SNAPSHOT_SET_IN_PROGRESS \(0x80042316\)\. Another snapshot set is being created/);
    } finally {
      other.kill();
    }
  });

  it('maps a failed DoSnapshotSet (insufficient shadow storage) to its advice and aborts', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable']], fail: [['async:DoSnapshotSet', 0x8004231f]] });
    const error = await rejection(vssProvider.createSnapshotSet(volumes, plan(), context(recorded)));
    expect((error as VssError).outcome).toBe('failed');
    expect(error.message).toMatch(/DoSnapshotSet failed: VSS_E_INSUFFICIENT_STORAGE \(0x8004231F\)\. Not enough shadow storage.*vssadmin resize shadowstorage/);
    expect(journal()).toContain('AbortBackup');
    expect(doubleSide().live()).toBe(0);
  });

  it('says to elevate when VSS denies access, in probe and in createSnapshotSet', async () => {
    const { volumes, recorded } = await setUp({ fail: [['CreateVssBackupComponentsInternal', 0x80070005]] });
    const availability = await vssProvider.probe(volumes[0]!, plan());
    expect(availability.available).toBe(false);
    expect(!availability.available && availability.reason).toMatch(/E_ACCESSDENIED \(0x80070005\).*elevated prompt.*Backup Operators/);
    const error = await rejection(vssProvider.createSnapshotSet(volumes, plan(), context(recorded)));
    expect(error.message).toMatch(/CreateVssBackupComponents failed: E_ACCESSDENIED/);
  });

  it('probes with IsVolumeSupported and checks provider-id', async () => {
    const { volumes } = await setUp({});
    expect(await vssProvider.probe(volumes[0]!, plan())).toEqual({ available: true });
    // The double marks the volume (on Windows the drive: GetVolumePathNameW) as one VSS cannot snapshot.
    const marker = join(volumePathOf(volumes[1]!.root), '.vss-unsupported');
    writeFileSync(marker, '');
    const unsupported = await vssProvider.probe(volumes[1]!, plan());
    rmSync(marker);
    expect(!unsupported.available && unsupported.reason).toMatch(/IsVolumeSupported said no/);
    const otherProvider = await vssProvider.probe(volumes[0]!, plan({ providerId: '{11111111-2222-3333-4444-555555555555}' }));
    expect(!otherProvider.available && otherProvider.reason).toMatch(/VSS_E_PROVIDER_NOT_REGISTERED.*vssadmin list providers/);
    const system = await vssProvider.probe(volumes[0]!, plan({ providerId: '{b5946137-7b9f-4925-af80-51abd60b20d5}' }));
    expect(system).toEqual({ available: true });
    const typo = await vssProvider.probe(volumes[0]!, plan({ providerId: 'b5946137' }));
    expect(!typo.available && typo.reason).toMatch(/is not a GUID/);
    expect(journal().filter((c) => c.startsWith('IsVolumeSupported'))).toHaveLength(4);
  });

  it('passes backup-type, the previous stamp and the file-share context to VSS', async () => {
    const { volumes, recorded } = await setUp({ writers: [['Stable Writer', 'stable']] });
    const set = await vssProvider.createSnapshotSet(
      volumes.slice(0, 1),
      plan({ context: 'file-share-backup' }),
      context(recorded, { backupType: 'incremental', previousStamp: { stamp: '2026-11-22T23:30:00Z/run-0', backupType: 'full', time: '2026-11-22T23:31:00Z' } }),
    );
    const calls = journal();
    expect(calls).toContain('SetContext 0x10');
    expect(calls).toContain('SetBackupState select=1 bootable=0 type=2 partial=0');
    expect(calls).toContain('SetPreviousBackupStamp 2026-11-22T23:30:00Z/run-0');
    await set.backupComplete!(false);
    expect(journal()).toContain('SetBackupSucceeded Data 0');
    await set.release();
  });
});

describeWith('vss provider without Windows', [linux()], () => {
  it('is unavailable without Windows or a stand-in library, and says so', async () => {
    const saved = process.env.STILLPOINT_VSS_LIBRARY;
    delete process.env.STILLPOINT_VSS_LIBRARY;
    try {
      const availability = await vssProvider.probe({ name: 'C:', root: '/' }, plan());
      expect(availability).toEqual({ available: false, reason: 'VSS is a Windows service; this machine runs linux' });
    } finally {
      if (saved) process.env.STILLPOINT_VSS_LIBRARY = saved;
    }
  });
});
