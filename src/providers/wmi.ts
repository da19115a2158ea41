// The `wmi` provider: Win32_ShadowCopy.Create and Delete through PowerShell's CIM cmdlets
// (one PowerShell session for the set, as for `pwsh { }` hooks), for machines where the COM path of the
// vss provider is unavailable. What it cannot do, and says:
//   - no writer selection (WMI creates the shadow copy with every writer, as VSS decides);
//   - one shadow copy per volume, one after another: volumes of one set are seconds apart,
//     not at one instant (a warning names them);
//   - the only context WMI offers is ClientAccessible, which is persistent: a killed run's
//     shadow copies stay until deleted, so their ids are recorded in the state directory
//     (wmi/<id>.json) before use and `cleanupLeftovers` deletes them.

import { join } from 'node:path';
import type { OutputStream } from '../base/process.ts';
import { stateDirectory } from '../base/state-directory.ts';
import { createPwshSession } from '../base/pwsh-session.ts';
import type { ProviderPlan } from '../plan/types.ts';
import type { Availability, SnapshotContext, SnapshotProvider, SnapshotSet, VolumeInfo } from './provider.ts';
import { VssLedger } from './vss/ledger.ts';
import { architectureMismatch, snapshotPathOf, volumePathOf } from './vss/platform.ts';

/** What the provider needs from PowerShell: run a script, get its output. */
export interface PowerShellRunner {
  invoke(script: string): Promise<{ raw: string }>;
  dispose(): Promise<void>;
}

/** Win32_ShadowCopy.Create's return values, with what to do about each. */
export const CREATE_RESULTS: Record<number, string> = {
  1: 'access denied: run Stillpoint elevated or as a member of Backup Operators',
  2: 'invalid argument: the volume path is not a volume root',
  3: 'the volume was not found: check the volume in the job',
  4: 'the volume does not support shadow copies (FAT, exFAT, network or removable?)',
  5: 'the ClientAccessible context is not supported on this Windows edition',
  6: 'not enough shadow storage: enlarge it with `vssadmin resize shadowstorage`',
  7: 'the volume is in use by another shadow copy operation: run again later',
  8: 'the volume has the most shadow copies allowed: delete old ones with `vssadmin delete shadows /oldest`',
  9: 'another shadow copy is being created: run again later',
  10: 'the shadow copy provider refused (vetoed): see the System event log',
  11: 'the shadow copy provider is not registered',
  12: 'the shadow copy provider failed: see the System event log',
  13: 'unknown error: see the Application event log (source VSS)',
};

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

// The scripts print `key=value` lines rather than JSON: they need no module beyond CIM, so
// they run the same in Windows PowerShell 5.1, PowerShell 7 and minimal hosts.

/** Creates one shadow copy; prints result=N, and id= and device= when it succeeded. */
export function createScript(volumePath: string): string {
  return [
    `$r = Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create -Arguments @{ Volume = ${quote(volumePath)}; Context = 'ClientAccessible' }`,
    `"result=$([int]$r.ReturnValue)"`,
    `if ($r.ReturnValue -eq 0) {`,
    `  $s = Get-CimInstance -ClassName Win32_ShadowCopy -Filter ("ID='" + $r.ShadowID + "'")`,
    `  "id=$($r.ShadowID)"`,
    `  "device=$($s.DeviceObject)"`,
    `}`,
  ].join('\n');
}

/** Deletes one shadow copy; prints deleted=True or deleted=False. */
export function deleteScript(id: string): string {
  if (!/^\{[0-9A-Fa-f-]{36}\}$/.test(id)) throw new Error(`"${id}" is not a shadow copy id`);
  return [
    `$s = Get-CimInstance -ClassName Win32_ShadowCopy -Filter "ID='${id}'"`,
    `if ($s) { $s | Remove-CimInstance; "deleted=True" } else { "deleted=False" }`,
  ].join('\n');
}

function fields(raw: string, what: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const m = /^(result|id|device|deleted|ok)=(.*)$/.exec(line.trim());
    if (m) found[m[1]!] = m[2]!;
  }
  if (Object.keys(found).length === 0) throw new Error(`${what}: PowerShell printed no result (output: ${raw.trim().slice(0, 200) || 'nothing'})`);
  return found;
}

export async function createShadowCopy(shell: PowerShellRunner, volumePath: string): Promise<{ id: string; device: string }> {
  const what = `Win32_ShadowCopy.Create for ${volumePath}`;
  const { result, id, device } = fields((await shell.invoke(createScript(volumePath))).raw, what);
  const code = Number(result);
  if (code !== 0 || !id || !device) throw new Error(`${what} returned ${result}: ${CREATE_RESULTS[code] ?? 'no device object'}`);
  return { id, device };
}

export async function deleteShadowCopy(shell: PowerShellRunner, id: string): Promise<boolean> {
  return fields((await shell.invoke(deleteScript(id))).raw, `deleting shadow copy ${id}`).deleted === 'True';
}

/** A PowerShell session for a set's scripts; a script that fails (throws, exits non-zero) throws. */
export function openPowerShell(): PowerShellRunner {
  const session = createPwshSession();
  return {
    async invoke(script) {
      const output: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
      const result = await session.run(script, { env: {}, onLine: (stream, line) => output[stream].push(line) });
      if (result.exitCode !== 0) throw new Error(`PowerShell failed (exit code ${result.exitCode}): ${output.stderr.join(' / ') || 'no error text'}`);
      return { raw: output.stdout.join('\n') };
    },
    dispose: () => session.close(),
  };
}

function ledger(): VssLedger {
  return new VssLedger(join(stateDirectory(), 'wmi'));
}

// A PowerShell that prints nothing, or ends before it answers, is not one (Wine's powershell.exe
// is a stub that exits at once).
const NO_ANSWER = "PowerShell started but never answered, so WMI cannot be asked for Win32_ShadowCopy here (Wine's powershell.exe is such a stub)";

async function probe(_volume: VolumeInfo, _options: ProviderPlan): Promise<Availability> {
  if (process.platform !== 'win32') {
    return { available: false, reason: `Win32_ShadowCopy is a Windows WMI class; this machine runs ${process.platform}` };
  }
  const mismatch = architectureMismatch();
  if (mismatch) return { available: false, reason: mismatch };
  const shell = openPowerShell();
  try {
    const { raw } = await shell.invoke('"ok=$([bool](Get-CimClass -ClassName Win32_ShadowCopy -ErrorAction SilentlyContinue))"');
    if (raw.trim() === '') return { available: false, reason: NO_ANSWER };
    return fields(raw, 'Get-CimClass Win32_ShadowCopy').ok === 'True'
      ? { available: true }
      : { available: false, reason: 'the WMI class Win32_ShadowCopy is not available (Windows client editions without the VSS WMI provider?)' };
  } catch (error) {
    if (/process exited/.test((error as Error).message)) return { available: false, reason: NO_ANSWER };
    return { available: false, reason: `PowerShell could not query WMI: ${(error as Error).message}` };
  } finally {
    await shell.dispose();
  }
}

/** Creates the shadow copies of a set with the given shell; exported for tests with a stand-in CIM. */
export async function createWmiSet(shell: PowerShellRunner, volumes: VolumeInfo[], context: SnapshotContext): Promise<SnapshotSet> {
  const records = ledger();
  const created: Array<{ id: string; device: string; volume: VolumeInfo; volumePath: string }> = [];
  const remove = async () => {
    const problems: string[] = [];
    while (created.length > 0) {
      const { id } = created.pop()!;
      try {
        await deleteShadowCopy(shell, id);
        await records.forget(id);
      } catch (error) {
        problems.push(`${id}: ${(error as Error).message}`);
      }
    }
    await shell.dispose();
    if (problems.length > 0) throw new Error(`shadow copies not deleted (run \`stillpoint cleanup\`): ${problems.join('; ')}`);
  };
  try {
    if (volumes.length > 1) {
      context.warn(
        `the wmi provider takes ${volumes.map((v) => v.name).join(', ')} one after another, not at one instant`,
        'Win32_ShadowCopy.Create snapshots one volume per call; use the vss provider for one snapshot set across volumes',
      );
    }
    for (const volume of volumes) {
      if (context.signal.aborted) throw new Error('the run was cancelled while shadow copies were being created');
      const volumePath = volumePathOf(volume.root);
      const copy = await createShadowCopy(shell, volumePath);
      created.push({ ...copy, volume, volumePath });
      await records.record({ setId: copy.id, job: context.job, runId: context.runId });
    }
  } catch (error) {
    await remove().catch((cleanup: Error) => context.warn('wmi could not delete what it created after a failure', cleanup.message));
    throw error;
  }
  const snapshots = created.map(({ device, volume, volumePath }) => ({
    volume: volume.name,
    ...(volume.volumeId ? { volumeId: volume.volumeId } : {}),
    snapshotPath: snapshotPathOf(device, volumePath, volume.root),
  }));
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await remove();
  };
  return { id: created.map((c) => c.id).join(','), provider: 'wmi', snapshots, release, [Symbol.asyncDispose]: release };
}

async function createSnapshotSet(volumes: VolumeInfo[], _options: ProviderPlan, context: SnapshotContext): Promise<SnapshotSet> {
  if (process.platform !== 'win32') throw new Error(`the wmi provider needs Windows; this machine runs ${process.platform}`);
  return createWmiSet(openPowerShell(), volumes, context);
}

/** Deletes the shadow copies recorded by runs of this job whose process is gone. */
export async function cleanupWmiLeftovers(shell: PowerShellRunner, job: string): Promise<string[]> {
  const records = ledger();
  const removed: string[] = [];
  try {
    for (const entry of await records.leftovers(job)) {
      await deleteShadowCopy(shell, entry.setId);
      await records.forget(entry.setId);
      removed.push(entry.setId);
    }
  } finally {
    await shell.dispose();
  }
  return removed;
}

async function cleanupLeftovers(_volumes: VolumeInfo[], _options: ProviderPlan, job: string): Promise<string[]> {
  if ((await ledger().leftovers(job)).length === 0) return [];
  return cleanupWmiLeftovers(openPowerShell(), job);
}

export const wmiProvider: SnapshotProvider = { name: 'wmi', probe, createSnapshotSet, cleanupLeftovers };
