// The COM binding: koffi loads vssapi.dll (and ole32/oleaut32 for COM set-up and BSTRs),
// and every interface method is called through its vtable: the object's first word points
// at the vtable, slot N holds the method's address (slots.ts), and koffi.decode turns that
// address into a function with the prototype from slots.ts. On Linux the test double in
// native/ stands in for all three libraries (STILLPOINT_VSS_LIBRARY); nothing else differs.

import koffi from 'koffi';
import { check } from './errors.ts';

const E_NOTIMPL = 0x80004001;
import { PROTOTYPES, STRUCTS, slotOf, type CalledMethod, type InterfaceName, type MethodOf } from './slots.ts';

export interface VssLibraries {
  vssapi: string;
  ole32: string;
  oleaut32: string;
}

/** The Windows DLLs, or the one test double named by STILLPOINT_VSS_LIBRARY. */
export function vssLibraries(env: NodeJS.ProcessEnv = process.env): VssLibraries | undefined {
  const standIn = env.STILLPOINT_VSS_LIBRARY;
  if (standIn) return { vssapi: standIn, ole32: standIn, oleaut32: standIn };
  if (process.platform === 'win32') return { vssapi: 'vssapi.dll', ole32: 'ole32.dll', oleaut32: 'oleaut32.dll' };
  return undefined;
}

export interface Guid {
  Data1: number;
  Data2: number;
  Data3: number;
  Data4: ArrayLike<number>;
}

export const GUID_NULL: Guid = { Data1: 0, Data2: 0, Data3: 0, Data4: [0, 0, 0, 0, 0, 0, 0, 0] };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** "{B5946137-7B9F-4925-AF80-51ABD60B20D5}" */
export function guidText(g: Guid): string {
  const d = Array.from(g.Data4, (b) => hex(b, 2)).join('');
  return `{${hex(g.Data1 >>> 0, 8)}-${hex(g.Data2, 4)}-${hex(g.Data3, 4)}-${d.slice(0, 4)}-${d.slice(4)}}`.toUpperCase();
}

export function parseGuid(text: string): Guid {
  const m = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a GUID; write it as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`);
  const tail = m[4]! + m[5]!;
  return {
    Data1: parseInt(m[1]!, 16),
    Data2: parseInt(m[2]!, 16),
    Data3: parseInt(m[3]!, 16),
    Data4: Array.from({ length: 8 }, (_, i) => parseInt(tail.slice(i * 2, i * 2 + 2), 16)),
  };
}

let typesRegistered = false;

/** Registers the Windows type names the prototypes in slots.ts use, with their Windows sizes. */
function registerTypes(): void {
  if (typesRegistered) return;
  typesRegistered = true;
  const aliases: Array<[string, string]> = [
    ['HRESULT', 'int32_t'], ['ULONG', 'uint32_t'], ['UINT', 'uint32_t'], ['DWORD', 'uint32_t'],
    ['LONG', 'int32_t'], ['INT', 'int32_t'], ['WINBOOL', 'int32_t'], ['boolean', 'uint8_t'],
    ['BYTE', 'uint8_t'], ['VSS_TIMESTAMP', 'int64_t'],
    ['LPCWSTR', 'const char16_t *'], ['VSS_PWSZ', 'char16_t *'],
    ['VSS_BACKUP_TYPE', 'int32_t'], ['VSS_COMPONENT_TYPE', 'int32_t'], ['VSS_WRITER_STATE', 'int32_t'],
    ['VSS_OBJECT_TYPE', 'int32_t'], ['VSS_USAGE_TYPE', 'int32_t'], ['VSS_SOURCE_TYPE', 'int32_t'],
    ['VSS_SNAPSHOT_STATE', 'int32_t'],
    // Read as addresses: the binding frees what they point to.
    ['PVSSCOMPONENTINFO', 'void *'],
  ];
  for (const [name, type] of aliases) koffi.alias(name, type);
  koffi.pointer('BSTR', koffi.opaque('VSS_OLECHAR_STRING'));
  koffi.struct('VSS_ID', { Data1: 'uint32_t', Data2: 'uint16_t', Data3: 'uint16_t', Data4: koffi.array('uint8_t', 8) });
  for (const iface of ['IVssAsync', 'IVssExamineWriterMetadata', 'IVssWMComponent', 'IVssBackupComponents']) koffi.opaque(iface);
  for (const [name, { fields }] of Object.entries(STRUCTS)) {
    koffi.struct(name, Object.fromEntries(fields.map(([type, field]) => [field, type])));
  }
}

type KoffiFunction = ReturnType<typeof koffi.decode> & ((...args: unknown[]) => unknown) & {
  async: (...args: unknown[]) => void;
};

type Prototype = ReturnType<typeof koffi.proto>;

const prototypeCache = new Map<string, Prototype>();

function prototypeOf(iface: InterfaceName, method: string): Prototype {
  const key = `${iface}.${method}`;
  let proto = prototypeCache.get(key);
  if (!proto) {
    const { returns, params } = (PROTOTYPES[iface] as Record<string, { returns: string; params: readonly string[] }>)[method]!;
    // __stdcall matters on 32-bit x86 only; koffi ignores it elsewhere (x64 has one convention).
    proto = koffi.proto(`${returns} __stdcall ${iface}_${method}(void *This${params.map((p) => `, ${p}`).join('')})`);
    prototypeCache.set(key, proto);
  }
  return proto;
}

/** A COM interface pointer. Released once; calls after release throw. */
export class ComObject<I extends InterfaceName> {
  readonly iface: I;
  #ptr: bigint | null;

  constructor(iface: I, ptr: bigint) {
    this.iface = iface;
    this.#ptr = ptr;
  }

  #method(method: CalledMethod<I>): KoffiFunction {
    if (this.#ptr === null) throw new Error(`${this.iface}.${method} called after Release`);
    const vtable = koffi.decode(this.#ptr, 'void *') as bigint;
    const slot = slotOf(this.iface, method as unknown as MethodOf<I>);
    const address = koffi.decode(vtable, slot * koffi.sizeof('void *'), 'void *');
    return koffi.decode(address, prototypeOf(this.iface, method)) as KoffiFunction;
  }

  /** Calls a method; returns what it returned (an HRESULT, or a count for Release). */
  call(method: CalledMethod<I>, ...args: unknown[]): number {
    return this.#method(method)(this.#ptr, ...args) as number;
  }

  /** Calls a method on a koffi worker thread (for IVssAsync::Wait, which blocks). */
  callOnWorker(method: CalledMethod<I>, ...args: unknown[]): Promise<number> {
    const fn = this.#method(method);
    return new Promise((resolve, reject) => {
      fn.async(this.#ptr, ...args, (error: unknown, result: number) => (error ? reject(error) : resolve(result)));
    });
  }

  /** Calls a method and throws a VssError unless it succeeded. */
  invoke(method: CalledMethod<I>, ...args: unknown[]): number {
    const hr = this.call(method, ...args);
    check(hr, `${this.iface}::${method}`);
    return hr;
  }

  get released(): boolean {
    return this.#ptr === null;
  }

  release(): void {
    if (this.#ptr === null) return;
    this.call('Release' as CalledMethod<I>);
    this.#ptr = null;
  }
}

/** A pointer returned through an `_Out_ T **` parameter. */
export function outPointer(box: unknown[]): bigint | null {
  const value = box[0];
  if (value === null || value === undefined || value === 0n) return null;
  return value as bigint;
}

export interface SnapshotProperties {
  snapshotId: Guid;
  snapshotSetId: Guid;
  deviceObject: string;
  originalVolumeName: string;
}

export interface ComponentInfo {
  type: number;
  logicalPath: string;
  name: string;
  caption: string;
  selectable: boolean;
}

/** The loaded libraries: COM set-up, the VSS entry point, and the two things VSS hands back to free. */
export class VssApi {
  readonly libraries: VssLibraries;
  readonly #coInitializeEx: KoffiFunction;
  readonly #coInitializeSecurity: KoffiFunction;
  readonly #sysFreeString: KoffiFunction;
  readonly #create: KoffiFunction;
  readonly #freeSnapshotProperties: KoffiFunction;

  constructor(libraries: VssLibraries) {
    registerTypes();
    this.libraries = libraries;
    const vssapi = koffi.load(libraries.vssapi);
    const ole32 = libraries.ole32 === libraries.vssapi ? vssapi : koffi.load(libraries.ole32);
    const oleaut32 = libraries.oleaut32 === libraries.vssapi ? vssapi : koffi.load(libraries.oleaut32);
    this.#coInitializeEx = ole32.func('HRESULT __stdcall CoInitializeEx(void *pvReserved, DWORD dwCoInit)') as KoffiFunction;
    this.#coInitializeSecurity = ole32.func(
      'HRESULT __stdcall CoInitializeSecurity(void *pSecDesc, LONG cAuthSvc, void *asAuthSvc, void *pReserved1, DWORD dwAuthnLevel, DWORD dwImpLevel, void *pAuthList, DWORD dwCapabilities, void *pReserved3)',
    ) as KoffiFunction;
    this.#sysFreeString = oleaut32.func('void __stdcall SysFreeString(BSTR bstrString)') as KoffiFunction;
    this.#freeSnapshotProperties = vssapi.func('void __stdcall VssFreeSnapshotProperties(VSS_SNAPSHOT_PROP *pProp)') as KoffiFunction;
    this.#create = findCreate(vssapi);
  }

  coInitializeEx(mode: number): number {
    return this.#coInitializeEx(null, mode) as number;
  }

  coInitializeSecurity(authnLevel: number, impLevel: number, capabilities: number): number {
    return this.#coInitializeSecurity(null, -1, null, null, authnLevel, impLevel, null, capabilities, null) as number;
  }

  createBackupComponents(): ComObject<'IVssBackupComponents'> {
    const box: unknown[] = [null];
    const hr = this.#create(box) as number;
    // A vssapi.dll with nothing behind it (Wine's is a stub): no advice would help, say so.
    if (hr >>> 0 === E_NOTIMPL) {
      throw new Error(
        `${this.libraries.vssapi} does not implement the Volume Shadow Copy Service (CreateVssBackupComponents returned E_NOTIMPL, as Wine's stub does), so VSS cannot snapshot on this machine`,
      );
    }
    check(hr, 'CreateVssBackupComponents');
    const ptr = outPointer(box);
    if (ptr === null) throw new Error('CreateVssBackupComponents returned no object');
    return new ComObject('IVssBackupComponents', ptr);
  }

  /** Reads a BSTR that VSS returned and frees it. */
  takeBstr(ptr: unknown): string {
    if (ptr === null || ptr === undefined || ptr === 0n) return '';
    try {
      return koffi.decode(ptr, 'char16_t', -1) as string;
    } finally {
      this.#sysFreeString(ptr);
    }
  }

  /** Reads a BSTR owned by someone else (a VSS_COMPONENTINFO field). */
  readBstr(ptr: unknown): string {
    if (ptr === null || ptr === undefined || ptr === 0n) return '';
    return koffi.decode(ptr, 'char16_t', -1) as string;
  }

  snapshotProperties(components: ComObject<'IVssBackupComponents'>, snapshotId: Guid): SnapshotProperties {
    const block = koffi.alloc('VSS_SNAPSHOT_PROP', 1);
    try {
      components.invoke('GetSnapshotProperties', snapshotId, block);
      try {
        const prop = koffi.decode(block, 'VSS_SNAPSHOT_PROP') as Record<string, unknown>;
        return {
          snapshotId: prop.m_SnapshotId as Guid,
          snapshotSetId: prop.m_SnapshotSetId as Guid,
          deviceObject: (prop.m_pwszSnapshotDeviceObject as string | null) ?? '',
          originalVolumeName: (prop.m_pwszOriginalVolumeName as string | null) ?? '',
        };
      } finally {
        this.#freeSnapshotProperties(block);
      }
    } finally {
      koffi.free(block);
    }
  }

  componentInfo(component: ComObject<'IVssWMComponent'>): ComponentInfo {
    const box: unknown[] = [null];
    component.invoke('GetComponentInfo', box);
    const ptr = outPointer(box);
    if (ptr === null) throw new Error('IVssWMComponent::GetComponentInfo returned no information');
    try {
      const info = koffi.decode(ptr, 'VSS_COMPONENTINFO') as Record<string, unknown>;
      return {
        type: info.type as number,
        logicalPath: this.readBstr(info.bstrLogicalPath),
        name: this.readBstr(info.bstrComponentName),
        caption: this.readBstr(info.bstrCaption),
        selectable: (info.bSelectable as number) !== 0,
      };
    } finally {
      component.call('FreeComponentInfo', ptr);
    }
  }
}

/**
 * Windows 8 and later export CreateVssBackupComponentsInternal; older vssapi.dll only the
 * C++ name that the SDK's inline CreateVssBackupComponents resolves to (restic uses it).
 */
function findCreate(vssapi: ReturnType<typeof koffi.load>): KoffiFunction {
  const out = koffi.out(koffi.pointer('IVssBackupComponents', 2));
  const names = ['CreateVssBackupComponentsInternal'];
  if (process.platform === 'win32') {
    names.push(process.arch === 'ia32' ? '?CreateVssBackupComponents@@YGJPAPAVIVssBackupComponents@@@Z' : '?CreateVssBackupComponents@@YAJPEAPEAVIVssBackupComponents@@@Z');
  }
  let lastError: unknown;
  for (const name of names) {
    try {
      return vssapi.func('__stdcall', name, 'HRESULT', [out]) as KoffiFunction;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`${names.join(' / ')} not found in ${String(lastError)}`);
}
