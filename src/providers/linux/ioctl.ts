// libc's open/close/ioctl through koffi, and the request numbers Stillpoint sends: FIFREEZE and
// FITHAW (fsfreeze), BTRFS_IOC_SNAP_CREATE_V2 and BTRFS_IOC_SNAP_DESTROY(_V2) (btrfs). The
// kernel does these for us directly: no `fsfreeze` or `btrfs` program is run.
//
// koffi is loaded on the first call, so importing this module costs nothing until a provider
// actually touches a volume.

import { constants } from 'node:os';
import type { LibraryHandle } from 'koffi';

// The _IOC encoding of <asm-generic/ioctl.h>; powerpc and mips use 13 size bits and 3 direction
// bits with other values (<asm/ioctl.h> there).
const IOC_NARROW_SIZE = ['ppc', 'ppc64', 'mips', 'mipsel', 'mips64', 'mips64el'].includes(process.arch);
const IOC = IOC_NARROW_SIZE
  ? { sizeBits: 13, none: 1, write: 4, read: 2 }
  : { sizeBits: 14, none: 0, write: 1, read: 2 };

/** _IOC(dir, type, nr, size) as the kernel headers compute it. */
export function ioc(direction: 'none' | 'read' | 'write' | 'readwrite', type: number, nr: number, size: number): number {
  if (size >= 2 ** IOC.sizeBits) throw new Error(`ioctl argument size ${size} does not fit in ${IOC.sizeBits} bits`);
  const dir = direction === 'readwrite' ? IOC.read | IOC.write : IOC[direction];
  // >>> 0 keeps the result an unsigned 32-bit number (the direction bits reach bit 31).
  return ((dir << (16 + IOC.sizeBits)) | (size << 16) | (type << 8) | nr) >>> 0;
}

const SIZEOF_INT = 4;
/** struct btrfs_ioctl_vol_args: __s64 fd; char name[4088]. */
export const BTRFS_VOL_ARGS_SIZE = 4096;
/** struct btrfs_ioctl_vol_args_v2: __s64 fd; __u64 transid; __u64 flags; __u64 unused[4]; char name[4040]. */
export const BTRFS_VOL_ARGS_V2_SIZE = 4096;
const BTRFS_VOL_ARGS_V2_NAME_OFFSET = 56;
const BTRFS_VOL_ARGS_V2_NAME_MAX = 4039;
const BTRFS_IOCTL_MAGIC = 0x94;
/** btrfs_ioctl_vol_args_v2.flags: the snapshot is read-only. */
export const BTRFS_SUBVOL_RDONLY = 1n << 1n;

export const FIFREEZE = ioc('readwrite', 'X'.charCodeAt(0), 119, SIZEOF_INT);
export const FITHAW = ioc('readwrite', 'X'.charCodeAt(0), 120, SIZEOF_INT);
export const BTRFS_IOC_SNAP_CREATE_V2 = ioc('write', BTRFS_IOCTL_MAGIC, 23, BTRFS_VOL_ARGS_V2_SIZE);
export const BTRFS_IOC_SNAP_DESTROY = ioc('write', BTRFS_IOCTL_MAGIC, 15, BTRFS_VOL_ARGS_SIZE);

const O_RDONLY = 0;
// Not in node's fs.constants; these are the values of every Linux architecture Node runs on.
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;

/** A failed system call, with errno's name (`EBUSY`) and the C library's message. */
export class SystemCallError extends Error {
  readonly code: string;
  readonly errno: number;

  constructor(call: string, subject: string, errno: number, text: string) {
    const code = errnoName(errno);
    super(`${call} on ${subject} failed: ${text} (${code})`);
    this.name = 'SystemCallError';
    this.code = code;
    this.errno = errno;
  }
}

function errnoName(errno: number): string {
  return Object.entries(constants.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`;
}

interface Libc {
  open(path: string, flags: number): number;
  close(fd: number): number;
  ioctl(fd: number, request: number, ...typedArgs: unknown[]): number;
  strerror(errno: number): string;
  errno(): number;
}

let libc: Promise<Libc> | undefined;

function loadLibc(): Promise<Libc> {
  libc ??= import('koffi').then(({ default: koffi }) => {
    const lib: LibraryHandle = koffi.load('libc.so.6');
    // ioctl is variadic in C; declaring it so makes koffi pass the argument the way the ABI wants.
    const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
    return {
      open: lib.func('int open(const char *path, int flags)'),
      close: lib.func('int close(int fd)'),
      ioctl: (fd: number, request: number, ...typedArgs: unknown[]) => ioctl(fd, request, ...typedArgs),
      strerror: lib.func('const char *strerror(int errnum)'),
      errno: () => koffi.errno(),
    };
  });
  return libc;
}

async function check(call: string, subject: string, run: (c: Libc) => number): Promise<number> {
  const c = await loadLibc();
  const result = run(c);
  if (result < 0) {
    const errno = c.errno();
    throw new SystemCallError(call, subject, errno, c.strerror(errno));
  }
  return result;
}

/** An open directory, closed by `using`/`close()`. Reading a directory's fd never writes, so
 * this is safe on a frozen filesystem. */
export interface DirectoryHandle extends Disposable {
  readonly fd: number;
  readonly path: string;
  close(): void;
}

export async function openDirectory(path: string): Promise<DirectoryHandle> {
  const c = await loadLibc();
  const fd = await check('open', path, () => c.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    c.close(fd);
  };
  return { fd, path, close, [Symbol.dispose]: close };
}

/** FIFREEZE: blocks new writes and flushes the filesystem that holds `dir`. */
export async function freezeFilesystem(dir: DirectoryHandle): Promise<void> {
  await check('FIFREEZE', dir.path, (c) => c.ioctl(dir.fd, FIFREEZE, 'int *', null));
}

/**
 * FITHAW. Returns false when the filesystem was not frozen (EINVAL): another party (the
 * watchdog, an administrator) thawed it first, which is not an error for whoever thaws second.
 */
export async function thawFilesystem(dir: DirectoryHandle): Promise<boolean> {
  try {
    await check('FITHAW', dir.path, (c) => c.ioctl(dir.fd, FITHAW, 'int *', null));
    return true;
  } catch (error) {
    if (error instanceof SystemCallError && error.code === 'EINVAL') return false;
    throw error;
  }
}

function volArgsV2(sourceFd: number, name: string, flags: bigint): Buffer {
  const args = Buffer.alloc(BTRFS_VOL_ARGS_V2_SIZE);
  args.writeBigInt64LE(BigInt(sourceFd), 0);
  args.writeBigUInt64LE(flags, 16);
  writeName(args, BTRFS_VOL_ARGS_V2_NAME_OFFSET, BTRFS_VOL_ARGS_V2_NAME_MAX, name);
  return args;
}

function volArgs(name: string): Buffer {
  const args = Buffer.alloc(BTRFS_VOL_ARGS_SIZE);
  writeName(args, 8, BTRFS_VOL_ARGS_SIZE - 8 - 1, name);
  return args;
}

function writeName(args: Buffer, offset: number, max: number, name: string): void {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > max || name.includes('/') || name.includes('\0')) {
    throw new Error(`"${name}" cannot name a btrfs subvolume (at most ${max} bytes, no "/")`);
  }
  bytes.copy(args, offset);
}

/** A read-only snapshot of the subvolume `source`, created as `destination/name`. */
export async function createReadOnlySnapshot(source: DirectoryHandle, destination: DirectoryHandle, name: string): Promise<void> {
  const args = volArgsV2(source.fd, name, BTRFS_SUBVOL_RDONLY);
  await check('BTRFS_IOC_SNAP_CREATE_V2', `${source.path} -> ${destination.path}/${name}`, (c) =>
    c.ioctl(destination.fd, BTRFS_IOC_SNAP_CREATE_V2, 'void *', args),
  );
}

/** Deletes the subvolume (or snapshot) `parent/name`; read-only ones too, as root. */
export async function destroySnapshot(parent: DirectoryHandle, name: string): Promise<void> {
  const args = volArgs(name);
  await check('BTRFS_IOC_SNAP_DESTROY', `${parent.path}/${name}`, (c) => c.ioctl(parent.fd, BTRFS_IOC_SNAP_DESTROY, 'void *', args));
}
