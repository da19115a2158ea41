// Ownership, mode, extended attributes and times of one written entry, in the order that
// keeps each: owner first (chown clears set-id bits), then mode, xattrs, and times last.

import { closeSync, constants, fchmodSync, fchownSync, fstatSync, lchownSync, chmodSync, openSync, unlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
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

/**
 * What a file created in a folder gets without being asked: its owner, and the mode bits that
 * survive creation (the umask, or a default ACL, takes the others away). Learnt from a probe
 * file, not predicted: a set-gid folder, a default ACL, root squashing or a mount's uid= option
 * each change what a new file gets, and the probe sees all of them.
 */
export interface NewFileDefaults {
  uid: number;
  gid: number;
  /** The permission bits a file created with 0o777 keeps. */
  modeMask: number;
}

/**
 * Creates and removes one probe file in `dir`. What it learns holds for every folder the run
 * creates below `dir` as long as none has had its own metadata (set-gid bit, ACL) applied yet.
 */
export function probeNewFileDefaults(dir: string): NewFileDefaults {
  const path = join(dir, '.stillpoint-probe');
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o777);
  try {
    const stat = fstatSync(fd);
    return { uid: stat.uid, gid: stat.gid, modeMask: stat.mode & 0o777 };
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
}

/** What an entry got when it was created: applyMetadata skips the calls that would not change it. */
export interface CreatedAs {
  uid: number;
  gid: number;
  mode: number;
}

/** The mode to create a file with, and what it then has, so that chmod is needed only when creation cannot give the mode. */
export function creationOf(mode: number, defaults: NewFileDefaults): { createMode: number; created: CreatedAs } {
  const createMode = mode & 0o777;
  return { createMode, created: { uid: defaults.uid, gid: defaults.gid, mode: createMode & defaults.modeMask } };
}

/** Filesystems without xattr support are reported once, then ignored. */
export type XattrTrouble = (error: NodeJS.ErrnoException) => void;

/**
 * Applies metadata. `subject` is an open fd (regular files) or a path whose symlink is not
 * followed; `isSymlink` skips the mode, which a symlink does not have on Linux. `created`:
 * what the entry already has; an owner or mode that matches is not set again (a chown that
 * does happen clears set-id bits, but then the mode has them and differs, so chmod runs).
 */
export function applyMetadata(subject: XattrSubject, meta: EntryMetadata, isSymlink: boolean, onXattrTrouble: XattrTrouble, created?: CreatedAs): void {
  if (isRoot && !(created?.uid === meta.uid && created.gid === meta.gid)) {
    if ('fd' in subject) fchownSync(subject.fd, meta.uid, meta.gid);
    else lchownSync(subject.path, meta.uid, meta.gid);
  }
  if (!isSymlink && created?.mode !== meta.mode) {
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
