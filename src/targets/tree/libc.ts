// The few libc calls Node does not offer, through koffi: extended attributes, timestamps with
// nanosecond precision, mknod, a rename that never replaces, read-ahead advice and syncfs.
// koffi over spawning getfattr/setfattr: one syscall (~2 µs) per file instead of a process per
// file, and no package the user must install. Loaded lazily: only the tree target and restore
// use it.

import koffi from 'koffi';

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const RENAME_NOREPLACE = 1;
const ERANGE = 34;
const POSIX_FADV_WILLNEED = 3;

const libc = koffi.load('libc.so.6');
// Registered by name; the declarations below refer to it.
koffi.struct('stillpoint_timespec', { tv_sec: 'int64', tv_nsec: 'long' });

const c = {
  llistxattr: libc.func('intptr_t llistxattr(const char *path, _Out_ uint8_t *list, size_t size)'),
  flistxattr: libc.func('intptr_t flistxattr(int fd, _Out_ uint8_t *list, size_t size)'),
  lgetxattr: libc.func('intptr_t lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)'),
  fgetxattr: libc.func('intptr_t fgetxattr(int fd, const char *name, _Out_ uint8_t *value, size_t size)'),
  lsetxattr: libc.func('int lsetxattr(const char *path, const char *name, const uint8_t *value, size_t size, int flags)'),
  fsetxattr: libc.func('int fsetxattr(int fd, const char *name, const uint8_t *value, size_t size, int flags)'),
  utimensat: libc.func('int utimensat(int dirfd, const char *path, const stillpoint_timespec *times, int flags)'),
  futimens: libc.func('int futimens(int fd, const stillpoint_timespec *times)'),
  renameat2: libc.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)'),
  mknod: libc.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
  posix_fadvise: libc.func('int posix_fadvise(int fd, int64_t offset, int64_t len, int advice)'),
  syncfs: libc.func('int syncfs(int fd)'),
  strerror: libc.func('const char *strerror(int errnum)'),
};

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 9: 'EBADF', 13: 'EACCES', 17: 'EEXIST', 18: 'EXDEV', 22: 'EINVAL',
  28: 'ENOSPC', 30: 'EROFS', 34: 'ERANGE', 39: 'ENOTEMPTY', 61: 'ENODATA', 95: 'EOPNOTSUPP', 122: 'EDQUOT',
};

/** An Error shaped like Node's own fs errors (code, errno, syscall, path). */
function fail(syscall: string, path: string): never {
  const errno = koffi.errno();
  const code = ERRNO_NAMES[errno] ?? `ERRNO${errno}`;
  const error = new Error(`${code}: ${c.strerror(errno) as string}, ${syscall} '${path}'`) as NodeJS.ErrnoException;
  error.code = code;
  error.errno = -errno;
  error.syscall = syscall;
  error.path = path;
  throw error;
}

/** Where an xattr call acts: an open file, or a path whose symlink is not followed. */
export type XattrSubject = { fd: number } | { path: string };

function subjectName(subject: XattrSubject): string {
  return 'fd' in subject ? `fd ${subject.fd}` : subject.path;
}

/** Every extended attribute of a file, name to value; {} when the filesystem has none. */
export function readXattrs(subject: XattrSubject): Record<string, Buffer> {
  const list = (buf: Buffer | null, size: number): number =>
    'fd' in subject ? (c.flistxattr(subject.fd, buf, size) as number) : (c.llistxattr(subject.path, buf, size) as number);
  let size = list(null, 0);
  if (size < 0) {
    if (koffi.errno() === 95) return {}; // EOPNOTSUPP: the filesystem keeps none
    fail('listxattr', subjectName(subject));
  }
  if (size === 0) return {};
  let names = Buffer.alloc(size);
  for (;;) {
    size = list(names, names.length);
    if (size >= 0) break;
    if (koffi.errno() !== ERANGE) fail('listxattr', subjectName(subject));
    names = Buffer.alloc(names.length * 2); // grew between the two calls
  }
  const result: Record<string, Buffer> = {};
  for (const name of names.subarray(0, size).toString('utf8').split('\0')) {
    if (name) result[name] = getXattr(subject, name);
  }
  return result;
}

function getXattr(subject: XattrSubject, name: string): Buffer {
  const get = (buf: Buffer | null, size: number): number =>
    'fd' in subject ? (c.fgetxattr(subject.fd, name, buf, size) as number) : (c.lgetxattr(subject.path, name, buf, size) as number);
  for (;;) {
    const size = get(null, 0);
    if (size < 0) fail('getxattr', subjectName(subject));
    const value = Buffer.alloc(size);
    const got = get(value, size);
    if (got >= 0) return value.subarray(0, got);
    if (koffi.errno() !== ERANGE) fail('getxattr', subjectName(subject));
  }
}

export function writeXattr(subject: XattrSubject, name: string, value: Buffer): void {
  const rc =
    'fd' in subject
      ? (c.fsetxattr(subject.fd, name, value, value.length, 0) as number)
      : (c.lsetxattr(subject.path, name, value, value.length, 0) as number);
  if (rc !== 0) fail('setxattr', subjectName(subject));
}

function times(atimeNs: bigint, mtimeNs: bigint) {
  const split = (ns: bigint) => ({ tv_sec: ns / 1_000_000_000n, tv_nsec: Number(ns % 1_000_000_000n) });
  return [split(atimeNs), split(mtimeNs)];
}

/** Sets access and modification time to the nanosecond (Node's utimes rounds through a double). */
export function setTimes(subject: XattrSubject, atimeNs: bigint, mtimeNs: bigint): void {
  const rc =
    'fd' in subject
      ? (c.futimens(subject.fd, times(atimeNs, mtimeNs)) as number)
      : (c.utimensat(AT_FDCWD, subject.path, times(atimeNs, mtimeNs), AT_SYMLINK_NOFOLLOW) as number);
  if (rc !== 0) fail('utimensat', subjectName(subject));
}

/** rename(2) that fails with EEXIST instead of replacing what is already at `to`. */
export function renameNoReplace(from: string, to: string): void {
  if ((c.renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) as number) !== 0) fail('renameat2', to);
}

/** Creates a FIFO or device node (mode carries the type bits). */
export function makeNode(path: string, mode: number, rdev: bigint): void {
  if ((c.mknod(path, mode, rdev) as number) !== 0) fail('mknod', path);
}

/**
 * Asks the kernel to start reading the first `bytes` of an open file into the page cache and
 * returns at once. Only advice: a filesystem that ignores it costs nothing but the call.
 */
export function readAhead(fd: number, bytes: number): void {
  c.posix_fadvise(fd, 0, bytes, POSIX_FADV_WILLNEED);
}

/**
 * syncfs(2) on a libuv thread, so that waiting for the disk does not stall the main thread.
 * koffi sets errno for the callback to the call's own.
 */
export function syncFilesystem(fd: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    c.syncfs.async(fd, (error: unknown, rc: number) => {
      if (error) reject(error);
      else if (rc === 0) resolve();
      else {
        try {
          fail('syncfs', path);
        } catch (failure) {
          reject(failure);
        }
      }
    });
  });
}
