// What the VSS provider needs from Windows besides VSS: the process architecture must be the
// OS's (a 32-bit requester on 64-bit Windows passes GUIDs differently and VSS refuses it,
// restic #3087), and the volume that holds a path (GetVolumePathNameW), which is what
// AddToSnapshotSet takes.

import koffi from 'koffi';
import { machine } from 'node:os';
import path, { type PlatformPath } from 'node:path';

const MACHINE_TO_ARCH: Record<string, string> = {
  x86_64: 'x64',
  amd64: 'x64',
  aarch64: 'arm64',
  arm64: 'arm64',
  i386: 'ia32',
  i686: 'ia32',
  x86: 'ia32',
};

/** Why this process cannot be a VSS requester on this OS, or undefined when it can. */
export function architectureMismatch(
  processArch: string = process.arch,
  osMachine: string = machine(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  // Set only for a process that WOW64 runs: the OS is 64-bit, the process is not.
  const wow64 = env.PROCESSOR_ARCHITEW6432;
  const osArch = wow64 ? (MACHINE_TO_ARCH[wow64.toLowerCase()] ?? wow64.toLowerCase()) : MACHINE_TO_ARCH[osMachine.toLowerCase()];
  if (!osArch || osArch === processArch) return undefined;
  return (
    `this Node.js is ${processArch} but Windows is ${osArch}: VSS only talks to requesters of the OS's own ` +
    `architecture (a ${processArch} process passes GUIDs differently). Install the ${osArch} build of Node.js and run Stillpoint with it.`
  );
}

let getVolumePathName: ((path: string, out: Buffer, length: number) => number) | undefined;

/**
 * The volume AddToSnapshotSet takes for a path: on Windows the mount point that holds it
 * ("C:\\", or a mounted folder), from GetVolumePathNameW. The test double treats any
 * directory as a volume, so elsewhere it is the path itself.
 */
export function volumePathOf(root: string): string {
  if (process.platform !== 'win32') return root;
  getVolumePathName ??= koffi
    .load('kernel32.dll')
    .func('int __stdcall GetVolumePathNameW(const char16_t *lpszFileName, void *lpszVolumePathName, uint32_t cchBufferLength)') as unknown as typeof getVolumePathName;
  const chars = 1024;
  const buffer = Buffer.alloc(chars * 2);
  if (!getVolumePathName!(root, buffer, chars)) throw new Error(`Windows could not tell which volume holds ${root}; check that the path exists and is on a local disk`);
  const text = buffer.toString('utf16le');
  const end = text.indexOf('\0');
  return end >= 0 ? text.slice(0, end) : text;
}

/**
 * Where the copy reads a volume's files in a shadow copy. The device object names the device
 * (\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN); its root folder needs the trailing
 * separator, so a snapshot of a whole volume ends in one. Built with the platform's path
 * rules (path.win32 on Windows; POSIX for the double on Linux).
 */
export function snapshotPathOf(deviceObject: string, volumePath: string, root: string, paths: PlatformPath = path): string {
  const inside = paths.relative(volumePath, root);
  return inside ? paths.join(deviceObject, inside) : paths.join(deviceObject, paths.sep);
}
