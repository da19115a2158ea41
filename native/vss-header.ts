// Reads the C declarations of the VSS interfaces out of MinGW-w64's headers (vsbackup.h,
// vss.h, vsserror.h from Debian's mingw-w64-common). The binding's slot table is checked
// against what this finds, and the ABI test double is generated from it, so neither the
// binding nor the double rests on a vtable layout typed in by hand.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MINGW_INCLUDE = process.env.STILLPOINT_MINGW_INCLUDE ?? '/usr/share/mingw-w64/include';

export function readHeader(file: string): string {
  return readFileSync(join(MINGW_INCLUDE, file), 'utf8');
}

export interface CParam {
  /** The declaration as written, e.g. "VSS_ID *pidSnapshot". */
  text: string;
  name: string;
}

export interface VtblMethod {
  name: string;
  returnType: string;
  /** Including the leading `This`. */
  params: CParam[];
}

export interface StructField {
  type: string;
  name: string;
}

function blockOf(text: string, opening: RegExp, closing: string, what: string): string {
  const start = text.search(opening);
  if (start < 0) throw new Error(`${what} not found in the header`);
  const end = text.indexOf(closing, start);
  if (end < 0) throw new Error(`${what} has no end in the header`);
  return text.slice(start, end + closing.length);
}

/** The text of `typedef struct <name>Vtbl { ... } <name>Vtbl;`. */
export function vtblText(header: string, iface: string): string {
  return blockOf(header, new RegExp(`typedef struct ${iface}Vtbl \\{`), `} ${iface}Vtbl;`, `${iface}Vtbl`);
}

function splitParams(list: string): CParam[] {
  return list
    .split(',')
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0 && p !== 'void')
    .map((text) => ({ text, name: /(\w+)\s*$/.exec(text)?.[1] ?? text }));
}

/** Every method of an interface's vtable, in slot order (IUnknown's three first). */
export function parseVtbl(header: string, iface: string): VtblMethod[] {
  const body = vtblText(header, iface);
  const methods: VtblMethod[] = [];
  const re = /(\w+)\s*\(STDMETHODCALLTYPE \*(\w+)\)\(([^;]*?)\);/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    methods.push({ returnType: m[1]!, name: m[2]!, params: splitParams(m[3]!) });
  }
  return methods;
}

/** The text of `typedef struct _<name> { ... } <name>;`. */
export function structText(header: string, name: string): string {
  return blockOf(header, new RegExp(`typedef struct _${name} \\{`), `} ${name};`, `struct ${name}`);
}

export function parseStruct(header: string, name: string): StructField[] {
  const body = structText(header, name);
  const inner = body.slice(body.indexOf('{') + 1, body.lastIndexOf('}'));
  return inner
    .split(';')
    .map((f) => f.replace(/\s+/g, ' ').trim())
    .filter((f) => f.length > 0)
    .map((f) => {
      const m = /^(.*?)\s*(\w+)$/.exec(f)!;
      return { type: m[1]!.replace(/\s*\*\s*/g, ' *').trim(), name: m[2]! };
    });
}

/** `#define NAME ((HRESULT)0x...)` lines whose name starts with one of the prefixes. */
export function parseHresultDefines(header: string, prefixes: string[]): Map<string, number> {
  const found = new Map<string, number>();
  const re = /^#define (\w+) \(\(HRESULT\)(0x[0-9A-Fa-f]+)\)/gm;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    if (prefixes.some((p) => m![1]!.startsWith(p))) found.set(m[1]!, Number(m[2]) | 0);
  }
  return found;
}

/** Members of `typedef enum _<name> { A = 1, ... } <name>;` with their values. */
export function parseEnum(header: string, name: string): Map<string, number> {
  const body = blockOf(header, new RegExp(`typedef enum _?${name} \\{`), `} ${name};`, `enum ${name}`);
  const values = new Map<string, number>();
  const re = /(\w+) = (0x[0-9A-Fa-f]+|\d+)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) values.set(m[1]!, Number(m[2]));
  return values;
}
