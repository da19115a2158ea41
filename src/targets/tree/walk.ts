// Which entries of a volume a backup holds, and the walk that visits them in manifest order.
//
// Globs are relative to the volume root, matched with picomatch (dotfiles included):
// - `**` spans folders; a pattern without "/" matches the name at any depth ("*.tmp");
//   a leading "/" anchors it to the root ("/tmp" is only the top-level tmp).
// - An excluded folder excludes everything below it; an `include` re-includes what an
//   exclude removed, and the walk descends into an excluded folder only when an include
//   could match below it.
// - exclude-system-files: pagefile.sys, hiberfil.sys and swapfile.sys at any depth, and the
//   swap files the kernel lists in /proc/swaps.
// - one-file-system: a folder on another device (a mount point) is kept, empty.
// - What is left out is never looked at, not even with lstat (Selection.passesOver).
//
// The walk is synchronous (readdirSync/lstatSync): a metadata call from the dentry cache
// costs a few µs, far less than a round trip through libuv's thread pool, and it only holds
// the sorted names of the folders on the current path. What the cache does not hold yet, a
// walk that reads ahead asks libuv's threads for: the folders in a folder it has just read.

import { lstatSync, readdir, readdirSync, readFileSync, type BigIntStats } from 'node:fs';
import { relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { below, compareNames } from './layout.ts';

export interface SelectionRules {
  include: string[];
  exclude: string[];
  excludeSystemFiles: boolean;
}

const SYSTEM_FILE_NAMES = new Set(['pagefile.sys', 'hiberfil.sys', 'swapfile.sys']);

type Matcher = (rel: string) => boolean;

function compile(patterns: string[]): Matcher {
  // picomatch's `basename` option only works for patterns without "/", so those are apart.
  const byName = patterns.filter((p) => !p.includes('/'));
  const byPath = patterns.filter((p) => p.includes('/')).map((p) => p.replace(/^\/+/, ''));
  const matchers = [
    ...(byName.length ? [picomatch(byName, { dot: true, basename: true })] : []),
    ...(byPath.length ? [picomatch(byPath, { dot: true })] : []),
  ];
  return (rel) => matchers.some((m) => m(rel));
}

export class Selection {
  readonly #include: Matcher;
  readonly #exclude: Matcher;
  /** Static prefixes of the include patterns; "" when one may match at any depth. */
  readonly #includeBases: string[];
  readonly #systemFiles: boolean;
  readonly #swapFiles: Set<string>;

  constructor(rules: SelectionRules, swapFiles: string[] = []) {
    this.#include = compile(rules.include);
    this.#exclude = compile(rules.exclude);
    this.#includeBases = rules.include.map((p) => (p.includes('/') ? picomatch.scan(p.replace(/^\/+/, '')).base : ''));
    this.#systemFiles = rules.excludeSystemFiles;
    this.#swapFiles = new Set(swapFiles);
  }

  /** For a swap-file-aware selection of one volume: the kernel's swap files under root. */
  static forVolume(rules: SelectionRules, root: string): Selection {
    return new Selection(rules, rules.excludeSystemFiles ? swapFilesUnder(root) : []);
  }

  isSystemFile(rel: string, name: string): boolean {
    return this.#systemFiles && (SYSTEM_FILE_NAMES.has(name.toLowerCase()) || this.#swapFiles.has(rel));
  }

  /**
   * Whether `rel` is kept. `underExcluded`: an ancestor folder was excluded and the walk is
   * inside it only because an include may match below.
   */
  selects(rel: string, name: string, underExcluded: boolean): boolean {
    if (this.isSystemFile(rel, name)) return false;
    if (this.#include(rel)) return true;
    return !underExcluded && !this.#exclude(rel);
  }

  /** Whether some include pattern could match an entry below the folder `rel`. */
  mayIncludeBelow(rel: string): boolean {
    return this.#includeBases.some((base) => base === '' || base === rel || base.startsWith(rel + '/') || rel.startsWith(base + '/'));
  }

  /**
   * Whether the entry `rel`, `selected` or not (selects), is left out whatever it is: not kept,
   * and, were it a folder, not entered either. The walk then never looks at it, not even with
   * lstat: an excluded mount point that hangs (a network filesystem whose server is gone) cannot
   * hang the backup.
   */
  passesOver(rel: string, name: string, selected: boolean): boolean {
    return !selected && (this.isSystemFile(rel, name) || !this.mayIncludeBelow(rel));
  }
}

function swapFilesUnder(root: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/swaps', 'utf8');
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [path, type] = line.split(/\s+/);
    if (type !== 'file' || !path) continue;
    const rel = relative(root, path.replace(/\\040/g, ' '));
    if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) files.push(rel.split(sep).join('/'));
  }
  return files;
}

export type WalkItem =
  | { kind: 'entry'; rel: string; abs: string; stat: BigIntStats; isMountPoint: boolean }
  /** After every entry below the folder `rel`: its metadata may be set now. */
  | { kind: 'leave'; rel: string; abs: string; stat: BigIntStats }
  /** A folder or entry that could not be read; `rel` is what is missing. */
  | { kind: 'unreadable'; rel: string; abs: string; error: NodeJS.ErrnoException };

interface Frame {
  rel: string;
  abs: string;
  stat: BigIntStats;
  names: string[];
  next: number;
  underExcluded: boolean;
  /** In a walk that reads ahead: the folders in this folder, and how many of them were asked for. */
  folders?: string[];
  foldersAsked: number;
}

/**
 * Folders of a folder read ahead of the one the walk is in: enough to keep libuv's threads
 * busy, few enough that a folder of many thousand folders does not queue them all at once.
 */
const FOLDERS_AHEAD = 16;

export interface WalkOptions {
  /** Read ahead the folders the walk will enter (openFrame). */
  readAhead?: boolean;
  /**
   * Each folder's names in descending order, so that the files come in descending manifest
   * order: the order of a scan from the end (scan.ts). A folder still comes before what is
   * below it, and is left after it.
   */
  reverse?: boolean;
}

/**
 * Visits the selected entries below `readPath` in pre-order with sorted names; the root
 * itself comes first with rel "". Folders that are only crossed to reach an included entry
 * are visited too, so every entry has its parent.
 */
export function* walk(readPath: string, selection: Selection, oneFileSystem: boolean, options: WalkOptions = {}): Generator<WalkItem> {
  const rootStat = lstatSync(readPath, { bigint: true });
  if (!rootStat.isDirectory()) throw new Error(`${readPath} is not a folder; a volume to back up must be one`);
  yield { kind: 'entry', rel: '', abs: readPath, stat: rootStat, isMountPoint: false };
  const stack: Frame[] = [];
  const opened = openFrame('', readPath, rootStat, false, selection, options);
  if ('error' in opened) {
    yield { kind: 'unreadable', rel: '', abs: readPath, error: opened.error };
    return;
  }
  stack.push(opened);
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    if (frame.next >= frame.names.length) {
      stack.pop();
      yield { kind: 'leave', rel: frame.rel, abs: frame.abs, stat: frame.stat };
      continue;
    }
    const name = frame.names[frame.next++]!;
    const rel = relBelow(frame.rel, name);
    const selected = selection.selects(rel, name, frame.underExcluded);
    if (selection.passesOver(rel, name, selected)) continue;
    const abs = below(frame.abs, name);
    let stat: BigIntStats;
    try {
      stat = lstatSync(abs, { bigint: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted since readdir
      yield { kind: 'unreadable', rel, abs, error: error as NodeJS.ErrnoException };
      continue;
    }
    if (stat.isSocket()) continue; // a socket is a live endpoint, not data
    if (!stat.isDirectory()) {
      if (selected) yield { kind: 'entry', rel, abs, stat, isMountPoint: false };
      continue;
    }
    // A folder not kept is here because an include may match below it (passesOver): entered.
    const isMountPoint = oneFileSystem && stat.dev !== rootStat.dev;
    yield { kind: 'entry', rel, abs, stat, isMountPoint };
    if (isMountPoint) {
      yield { kind: 'leave', rel, abs, stat };
      continue;
    }
    readFoldersAhead(frame, 1);
    const child = openFrame(rel, abs, stat, !selected, selection, options);
    if ('error' in child) {
      yield { kind: 'unreadable', rel, abs, error: child.error };
      yield { kind: 'leave', rel, abs, stat };
      continue;
    }
    stack.push(child);
  }
}

/**
 * `readAhead`: the first FOLDERS_AHEAD of the folders the walk will enter are read on libuv's
 * threads while the walk goes through the entries before them, and one more each time the walk
 * enters one, so that on a cold disk the walk does not wait for each folder in turn. A full
 * copy's reads keep the disk busy, and the walk waited for folders there
 * (bench/results/tree-profile.md).
 */
function openFrame(
  rel: string,
  abs: string,
  stat: BigIntStats,
  underExcluded: boolean,
  selection: Selection,
  { readAhead = false, reverse = false }: WalkOptions,
): Frame | { error: NodeJS.ErrnoException } {
  const order = reverse ? (a: string, b: string) => compareNames(b, a) : compareNames;
  try {
    if (!readAhead) return { rel, abs, stat, names: readdirSync(abs).sort(order), next: 0, underExcluded, foldersAsked: 0 };
    const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => order(a.name, b.name));
    const entered = (name: string) => {
      const childRel = relBelow(rel, name);
      return !selection.passesOver(childRel, name, selection.selects(childRel, name, underExcluded));
    };
    const folders = entries.filter((entry) => entry.isDirectory() && entered(entry.name)).map((entry) => below(abs, entry.name));
    const frame = { rel, abs, stat, names: entries.map((entry) => entry.name), next: 0, underExcluded, folders, foldersAsked: 0 };
    readFoldersAhead(frame, FOLDERS_AHEAD);
    return frame;
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  }
}

/** The path relative to the volume root of `name` in the folder `rel` ("" for the root). */
function relBelow(rel: string, name: string): string {
  return rel === '' ? name : `${rel}/${name}`;
}

function readFoldersAhead(frame: Frame, count: number): void {
  const { folders } = frame;
  if (!folders) return;
  // A folder read ahead only fills the cache; the walk reads it again, and reports what fails then.
  for (const end = Math.min(folders.length, frame.foldersAsked + count); frame.foldersAsked < end; frame.foldersAsked++) readdir(folders[frame.foldersAsked]!, ignore);
}

function ignore(): void {}
