// Writer selection, component choice, state mapping, GUID text and the architecture check:
// the parts of the VSS provider that need no library.

import { expect, it, describe } from 'vitest';
import { guidText, parseGuid } from '../../../src/providers/vss/com.ts';
import { architectureMismatch } from '../../../src/providers/vss/platform.ts';
import { selectWriters, topLevelComponents, writerState, type VssWriter } from '../../../src/providers/vss/writers.ts';

const writer = (name: string, n: number, components: Array<[string, string]> = [['', 'Data']]): VssWriter => ({
  name,
  writerId: `{0000000${n}-0000-0000-0000-000000000000}`,
  instanceId: `{1000000${n}-0000-0000-0000-000000000000}`,
  components: components.map(([logicalPath, compName]) => ({ type: 2, logicalPath, name: compName, selectable: true })),
});

const system = writer('System Writer', 1);
const sql = writer('SqlServerWriter', 2);
const registry = writer('Registry Writer', 3);
const all = [system, sql, registry];
const names = (ws: VssWriter[]) => ws.map((w) => w.name);

describe('selectWriters', () => {
  it('selects every writer when nothing is said', () => {
    expect(selectWriters(all, { include: [], exclude: [], require: [] })).toEqual({ selected: all, disabled: [], unmatched: [] });
  });

  it('excludes by name, case-insensitively, and by writer or instance id with or without braces', () => {
    const byName = selectWriters(all, { include: [], exclude: ['system writer'], require: [] });
    expect(names(byName.disabled)).toEqual(['System Writer']);
    const byId = selectWriters(all, { include: [], exclude: ['00000002-0000-0000-0000-000000000000', '{10000003-0000-0000-0000-000000000000}'], require: [] });
    expect(names(byId.selected)).toEqual(['System Writer']);
  });

  it('include keeps only the named writers, and required writers always stay', () => {
    const result = selectWriters(all, { include: ['SqlServerWriter', 'Exchange Writer'], exclude: [], require: ['Registry Writer'] });
    expect(names(result.selected)).toEqual(['SqlServerWriter', 'Registry Writer']);
    expect(names(result.disabled)).toEqual(['System Writer']);
    expect(result.unmatched).toEqual(['Exchange Writer']);
  });

  it('fails for a required writer that is missing, or that is also excluded', () => {
    expect(() => selectWriters(all, { include: [], exclude: [], require: ['Exchange Writer'] })).toThrow(
      'required writer "Exchange Writer" is not on this machine: the writers on this machine are "System Writer", "SqlServerWriter", "Registry Writer". Start the application\'s service, or correct the name in require-writer',
    );
    expect(() => selectWriters([], { include: [], exclude: [], require: ['X'] })).toThrow(/VSS reported no writers at all/);
    expect(() => selectWriters(all, { include: [], exclude: ['SqlServerWriter'], require: ['sqlserverwriter'] })).toThrow(/both required \(require-writer\) and excluded/);
  });
});

it('adds only top-level components: a child comes with its parent', () => {
  const w = writer('Hyper-V', 4, [['', 'Host'], ['Host', 'VM1'], ['Host\\VM1', 'Disk'], ['Other', 'Standalone']]);
  expect(topLevelComponents(w).map((c) => c.name)).toEqual(['Host', 'Standalone']);
});

it('maps VSS writer states to Stillpoint\'s', () => {
  expect([1, 2, 3, 4, 5, 9, 0].map(writerState)).toEqual(['stable', 'preparing', 'frozen', 'thawed', 'thawed', 'failed', 'failed']);
});

it('writes and reads GUIDs as Windows does', () => {
  const text = '{B5946137-7B9F-4925-AF80-51ABD60B20D5}';
  const guid = parseGuid(text.toLowerCase());
  expect(guid).toEqual({ Data1: 0xb5946137, Data2: 0x7b9f, Data3: 0x4925, Data4: [0xaf, 0x80, 0x51, 0xab, 0xd6, 0x0b, 0x20, 0xd5] });
  expect(guidText(guid)).toBe(text);
  expect(() => parseGuid('{b5946137}')).toThrow(/is not a GUID/);
});

describe('architectureMismatch', () => {
  it('accepts a process of the OS\'s architecture', () => {
    expect(architectureMismatch('x64', 'x86_64', {})).toBeUndefined();
    expect(architectureMismatch('arm64', 'ARM64', {})).toBeUndefined();
  });

  it('refuses a 32-bit process on 64-bit Windows (WOW64), saying what to install', () => {
    expect(architectureMismatch('ia32', 'i686', { PROCESSOR_ARCHITEW6432: 'AMD64' })).toBe(
      'this Node.js is ia32 but Windows is x64: VSS only talks to requesters of the OS\'s own architecture (a ia32 process passes GUIDs differently). Install the x64 build of Node.js and run Stillpoint with it.',
    );
  });

  it('refuses an emulated x64 process on ARM64 Windows', () => {
    expect(architectureMismatch('x64', 'arm64', {})).toMatch(/this Node.js is x64 but Windows is arm64/);
  });
});

it('reads a shadow copy\'s files under its device object, with a root folder for a whole volume', async () => {
  const { snapshotPathOf } = await import('../../../src/providers/vss/platform.ts');
  const { posix, win32 } = await import('node:path');
  const device = '\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy3';
  expect(snapshotPathOf(device, 'D:\\', 'D:\\data\\2026', win32)).toBe(`${device}\\data\\2026`);
  expect(snapshotPathOf(device, 'D:\\', 'D:\\', win32)).toBe(`${device}\\`);
  expect(snapshotPathOf(device, 'C:\\mnt\\sql\\', 'C:\\mnt\\sql\\Données', win32)).toBe(`${device}\\Données`);
  expect(snapshotPathOf('/store/set/snap', '/volumes/c', '/volumes/c/data/2026', posix)).toBe('/store/set/snap/data/2026');
  expect(snapshotPathOf('/store/set/snap', '/volumes/c', '/volumes/c', posix)).toBe('/store/set/snap/');
});
