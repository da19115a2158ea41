// The wmi provider's PowerShell, run by the real PowerShell in the provider's session. Linux has no
// WMI, so the three CIM cmdlets it calls are replaced, in that PowerShell session, by
// functions that keep shadow copies in a table and "snapshot" a volume by copying it.

import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { SnapshotContext } from '../../src/providers/provider.ts';
import { VssLedger } from '../../src/providers/vss/ledger.ts';
import { cleanupWmiLeftovers, createWmiSet, deleteScript, openPowerShell, wmiProvider, type PowerShellRunner } from '../../src/providers/wmi.ts';
import { pwsh, PWSH_TEST_TIMEOUT_MS } from '../support/pwsh.ts';
import { describeWith } from '../support/requirements.ts';

vi.setConfig({ testTimeout: PWSH_TEST_TIMEOUT_MS });

const STAND_IN_CIM = (devices: string) => `
$global:shadows = @{}
function Invoke-CimMethod { param($ClassName, $MethodName, $Arguments)
  if ($ClassName -ne 'Win32_ShadowCopy' -or $MethodName -ne 'Create' -or $Arguments.Context -ne 'ClientAccessible') { throw "unexpected call $ClassName.$MethodName" }
  if ([System.IO.File]::Exists([System.IO.Path]::Combine($Arguments.Volume, '.no-space'))) { return [pscustomobject]@{ ReturnValue = [uint32]6 } }
  $id = '{' + [guid]::NewGuid().ToString().ToUpper() + '}'
  $device = [System.IO.Path]::Combine('${devices}', $id.Trim('{}'))
  cp -a $Arguments.Volume $device
  $global:shadows[$id] = $device
  [pscustomobject]@{ ReturnValue = [uint32]0; ShadowID = $id }
}
function Get-CimInstance { param($ClassName, $Filter)
  $id = ($Filter -split "'")[1]
  if ($global:shadows.ContainsKey($id)) { [pscustomobject]@{ ID = $id; DeviceObject = $global:shadows[$id] } }
}
function Remove-CimInstance { param([Parameter(ValueFromPipeline = $true)] $InputObject)
  process { [System.IO.Directory]::Delete($global:shadows[$InputObject.ID], $true); $global:shadows.Remove($InputObject.ID) }
}`;

let root: string;
let warnings: string[];

async function shell(): Promise<PowerShellRunner> {
  const ps = openPowerShell();
  mkdirSync(join(root, 'devices'), { recursive: true });
  await ps.invoke(STAND_IN_CIM(join(root, 'devices')));
  return ps;
}

function context(): SnapshotContext {
  return {
    runId: 'run-7',
    job: 'workstation',
    signal: new AbortController().signal,
    freezeTimeoutMs: 10_000,
    snapshotTimeoutMs: 60_000,
    runDuringFreezeHooks: async () => {},
    warn: (message) => warnings.push(message),
  };
}

function volume(name: string) {
  const dir = join(root, 'volumes', name);
  mkdirSync(join(dir, 'docs'), { recursive: true });
  writeFileSync(join(dir, 'docs', 'report.txt'), `report on ${name}\n`);
  return { name: `${name}:`, root: dir };
}

describeWith('wmi provider through PowerShell', [pwsh()], () => {
  const savedStateDir = process.env.STILLPOINT_STATE_DIR;

  afterAll(() => {
    if (savedStateDir === undefined) delete process.env.STILLPOINT_STATE_DIR;
    else process.env.STILLPOINT_STATE_DIR = savedStateDir;
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'stillpoint-wmi-'));
    process.env.STILLPOINT_STATE_DIR = join(root, 'state');
    warnings = [];
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates one shadow copy per volume, records each, and deletes them on release', async () => {
    const set = await createWmiSet(await shell(), [volume('C'), volume('D')], context());
    expect(warnings).toEqual(['the wmi provider takes C:, D: one after another, not at one instant']);
    expect(set.snapshots.map((s) => readFileSync(join(s.snapshotPath, 'docs', 'report.txt'), 'utf8'))).toEqual(['report on C\n', 'report on D\n']);
    expect(readdirSync(join(root, 'state', 'wmi'))).toHaveLength(2);
    await set.release();
    expect(readdirSync(join(root, 'devices'))).toEqual([]);
    expect(readdirSync(join(root, 'state', 'wmi'))).toEqual([]);
  });

  it('names the Create failure and deletes what was already created', async () => {
    const full = volume('E');
    writeFileSync(join(full.root, '.no-space'), '');
    await expect(createWmiSet(await shell(), [volume('C'), full], context())).rejects.toThrow(/Win32_ShadowCopy.Create for .*\/E returned 6: not enough shadow storage/);
    expect(readdirSync(join(root, 'devices'))).toEqual([]);
    expect(readdirSync(join(root, 'state', 'wmi'))).toEqual([]);
  });

  it('deletes the recorded shadow copies of a run whose process is gone', async () => {
    const ps = await shell();
    const set = await createWmiSet(ps, [volume('C')], context());
    const id = set.id;
    // The run "dies": its record now belongs to a process that no longer exists.
    const ledger = new VssLedger(join(root, 'state', 'wmi'));
    await ledger.forget(id);
    const dead = 2 ** 22 + 12345;
    mkdirSync(ledger.dir, { recursive: true });
    writeFileSync(join(ledger.dir, `${id.replace(/[{}]/g, '').toLowerCase()}.json`), JSON.stringify({ setId: id, job: 'workstation', runId: 'run-7', pid: dead, recorded: '' }));
    expect(await cleanupWmiLeftovers(await shell(), 'other-job')).toEqual([]);
    // Same PowerShell session: the stand-in CIM keeps its shadow copies per session.
    expect(await cleanupWmiLeftovers(ps, 'workstation')).toEqual([id]);
    expect(readdirSync(join(root, 'devices'))).toEqual([]);
    expect(existsSync(join(ledger.dir, `${id.replace(/[{}]/g, '').toLowerCase()}.json`))).toBe(false);
  });

  it('refuses an id that is not a GUID before it reaches PowerShell', () => {
    expect(() => deleteScript("{x' ; Remove-Item C:\\ ; '}")).toThrow(/not a shadow copy id/);
  });

  it('is unavailable on Linux, with the reason', async () => {
    expect(await wmiProvider.probe({ name: 'C:', root: '/' }, { name: 'wmi', origin: 'x' })).toEqual({
      available: false,
      reason: 'Win32_ShadowCopy is a Windows WMI class; this machine runs linux',
    });
  });
});
