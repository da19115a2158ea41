// Ownership, mode, extended attributes and times of one written entry, in the order that
// keeps each: owner first (chown clears set-id bits), then mode, xattrs, and times last.

import { fchmodSync, fchownSync, lchownSync, chmodSync, type BigIntStats } from 'node:fs';
import { readXattrs, setTimes, writeXattr, type XattrSubject } from './libc.ts';

const isRoot = process.getuid?.() === 0;

export interface EntryMetadata {
  mode: number;
  uid: number;
  gid: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  xattrs?: Record<string, Buffer>;
}

export function metadataOf(stat: BigIntStats, xattrs?: Record<string, Buffer>): EntryMetadata {
  return {
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    atimeNs: stat.atimeNs,
    mtimeNs: stat.mtimeNs,
    xattrs,
  };
}

/** Filesystems without xattr support are reported once, then ignored. */
export type XattrTrouble = (error: NodeJS.ErrnoException) => void;

/**
 * Applies metadata. `subject` is an open fd (regular files) or a path whose symlink is not
 * followed; `isSymlink` skips the mode, which a symlink does not have on Linux.
 */
export function applyMetadata(subject: XattrSubject, meta: EntryMetadata, isSymlink: boolean, onXattrTrouble: XattrTrouble): void {
  if (isRoot) {
    if ('fd' in subject) fchownSync(subject.fd, meta.uid, meta.gid);
    else lchownSync(subject.path, meta.uid, meta.gid);
  }
  if (!isSymlink) {
    if ('fd' in subject) fchmodSync(subject.fd, meta.mode);
    else chmodSync(subject.path, meta.mode);
  }
  for (const [name, value] of Object.entries(meta.xattrs ?? {})) {
    try {
      writeXattr(subject, name, value);
    } catch (error) {
      onXattrTrouble(error as NodeJS.ErrnoException);
    }
  }
  setTimes(subject, meta.atimeNs, meta.mtimeNs);
}

/** The xattrs of a source entry, or undefined when it has none (the usual case). */
export function sourceXattrs(subject: XattrSubject): Record<string, Buffer> | undefined {
  const xattrs = readXattrs(subject);
  return Object.keys(xattrs).length > 0 ? xattrs : undefined;
}

export function xattrsToManifest(xattrs: Record<string, Buffer> | undefined): Record<string, string> | undefined {
  if (!xattrs) return undefined;
  return Object.fromEntries(Object.entries(xattrs).map(([k, v]) => [k, v.toString('base64')]));
}

export function xattrsFromManifest(xattrs: Record<string, string> | undefined): Record<string, Buffer> | undefined {
  if (!xattrs) return undefined;
  return Object.fromEntries(Object.entries(xattrs).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}
