// The binding's vtable slots, prototypes, structs and enum values against MinGW-w64's own
// vsbackup.h / vss.h / vswriter.h (Debian mingw-w64-common): one wrong slot would call the
// wrong method on Windows, so every entry is compared, not sampled.

import { expect, it } from 'vitest';
import { parseEnum, parseStruct, parseVtbl, readHeader } from '../../../native/vss-header.ts';
import { COM, VSS_BACKUP_TYPE, VSS_OBJECT_TYPE, VSS_SNAPSHOT_CONTEXT, VSS_WRITER_STATES } from '../../../src/providers/vss/constants.ts';
import { HEADER_OF, PROTOTYPES, STRUCTS, VTABLES, slotOf, type InterfaceName } from '../../../src/providers/vss/slots.ts';
import { describeWith } from '../../support/requirements.ts';
import { mingwHeaders } from './double.ts';

const interfaces = Object.keys(VTABLES) as InterfaceName[];
const typeOf = (param: string) => param.replace(/^_Out_\s+/, '').replace(/\s*\w+$/, '').replace(/\s+/g, ' ').trim();

describeWith('VSS slot table against MinGW-w64 headers', [mingwHeaders()], () => {
  it.each(interfaces)('%s lists every vtable method in header order, IUnknown first', (iface) => {
    const methods = parseVtbl(readHeader(HEADER_OF[iface]), iface).map((m) => m.name);
    expect(methods.slice(0, 3)).toEqual(['QueryInterface', 'AddRef', 'Release']);
    expect([...VTABLES[iface]]).toEqual(methods);
  });

  it('puts the methods the requester depends on at the slots restic and the SDK use', () => {
    // Independent spot values (restic's IVssBackupComponentsVTable, x64): a wrong parse and a
    // wrong table would otherwise agree with each other.
    expect(slotOf('IVssBackupComponents', 'InitializeForBackup')).toBe(5);
    expect(slotOf('IVssBackupComponents', 'GatherWriterMetadata')).toBe(9);
    expect(slotOf('IVssBackupComponents', 'SetContext')).toBe(35);
    expect(slotOf('IVssBackupComponents', 'DoSnapshotSet')).toBe(38);
    expect(slotOf('IVssBackupComponents', 'IsVolumeSupported')).toBe(44);
    expect(slotOf('IVssAsync', 'QueryStatus')).toBe(5);
  });

  it.each(interfaces)('%s: each called method has the header\'s return type and parameter types', (iface) => {
    const header = new Map(parseVtbl(readHeader(HEADER_OF[iface]), iface).map((m) => [m.name, m]));
    const prototypes = PROTOTYPES[iface] as Record<string, { returns: string; params: readonly string[] }>;
    expect(Object.keys(prototypes).length).toBeGreaterThan(0);
    for (const [method, prototype] of Object.entries(prototypes)) {
      const declared = header.get(method);
      expect(declared, `${iface}::${method} is not in the header`).toBeDefined();
      expect(prototype.returns, `${iface}::${method} return type`).toBe(declared!.returnType);
      expect(declared!.params[0]!.text).toBe(`${iface} *This`);
      expect(prototype.params.map(typeOf), `${iface}::${method} parameters`).toEqual(declared!.params.slice(1).map((p) => typeOf(p.text)));
    }
  });

  it('marks as _Out_ exactly the pointer parameters VSS writes to', () => {
    for (const iface of interfaces) {
      for (const [method, prototype] of Object.entries(PROTOTYPES[iface] as Record<string, { params: readonly string[] }>)) {
        for (const param of prototype.params) {
          if (param.startsWith('_Out_')) expect(param, `${iface}::${method}`).toMatch(/\*\s*\w+$/);
        }
      }
    }
  });

  it.each(Object.keys(STRUCTS) as Array<keyof typeof STRUCTS>)('struct %s has the header\'s fields in order', (name) => {
    const { header, fields } = STRUCTS[name];
    const parsed = parseStruct(readHeader(header), name).map((f) => [f.type, f.name]);
    expect(fields.map(([t, n]) => [t, n])).toEqual(parsed);
  });

  it('uses the header\'s enum values', () => {
    const vss = readHeader('vss.h');
    const types = parseEnum(vss, 'VSS_BACKUP_TYPE');
    for (const [name, value] of Object.entries(VSS_BACKUP_TYPE)) expect(types.get(name), name).toBe(value);
    const objects = parseEnum(vss, 'VSS_OBJECT_TYPE');
    for (const [name, value] of Object.entries(VSS_OBJECT_TYPE)) expect(objects.get(name), name).toBe(value);
    const states = parseEnum(vss, 'VSS_WRITER_STATE');
    VSS_WRITER_STATES.forEach((name, value) => expect(states.get(name), name).toBe(value));
    expect(states.size - 1).toBe(VSS_WRITER_STATES.length); // VSS_WS_COUNT is not a state
    expect(/VSS_CTX_BACKUP = 0x0,/.test(vss)).toBe(true);
    expect(/VSS_VOLSNAP_ATTR_NO_WRITERS = 0x10,/.test(vss) && /VSS_CTX_FILE_SHARE_BACKUP = VSS_VOLSNAP_ATTR_NO_WRITERS,/.test(vss)).toBe(true);
    expect(VSS_SNAPSHOT_CONTEXT.VSS_CTX_FILE_SHARE_BACKUP).toBe(0x10);
    expect(/VSS_CTX_ALL = 0xffffffff/.test(vss)).toBe(true);
    expect(VSS_SNAPSHOT_CONTEXT.VSS_CTX_ALL >>> 0).toBe(0xffffffff);
  });

  it('passes the COM security values the SDK defines', () => {
    expect(readHeader('rpcdce.h')).toContain(`#define RPC_C_AUTHN_LEVEL_PKT_PRIVACY ${COM.RPC_C_AUTHN_LEVEL_PKT_PRIVACY}\n`);
    expect(readHeader('rpcdce.h')).toContain(`#define RPC_C_IMP_LEVEL_IMPERSONATE ${COM.RPC_C_IMP_LEVEL_IMPERSONATE}\n`);
    expect(readHeader('objidl.h')).toContain(`EOAC_STATIC_CLOAKING = 0x${COM.EOAC_STATIC_CLOAKING.toString(16)},`);
    expect(readHeader('combaseapi.h')).toMatch(/COINITBASE_MULTITHREADED = 0x0,/);
  });
});
