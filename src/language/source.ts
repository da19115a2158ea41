// Reading a script file. Every way it can fail (missing, a directory, empty, not UTF-8,
// unreadable, too big, not a script) is one diagnostic naming the file, never an exception.
//
// Scripts are untrusted (SECURITY.md): `check` runs on pull requests where the environment
// holds deploy tokens, and a diagnostic quotes the text it read. So only a regular file whose
// real path ends in `.still` is read, never a device, a FIFO or /proc, inside the allowed
// roots when there are any, and never more than MAX_SCRIPT_BYTES of it.

import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { Diagnostic } from './diagnostic.ts';
import { MAX_SCRIPT_BYTES, sizeText } from './limits.ts';
import { rangeMaker } from './positions.ts';

export type LoadedSource = { text: string } | { diagnostic: Diagnostic };


/** Folders of the kernel's own files, which look like regular files but are not scripts. */
const KERNEL_FOLDERS = ['/proc', '/sys', '/dev'];

export interface ReadRules {
  /** Real paths of the folders the file must lie in (an import's allowed roots); anywhere when absent. */
  roots?: readonly string[];
}

/** The real paths of the allowed folders; one that does not exist is an error and allows nothing. */
export async function allowedRoots(folders: readonly string[], diagnostics: Diagnostic[]): Promise<string[]> {
  const roots: string[] = [];
  for (const folder of folders) {
    try {
      roots.push(await realpath(folder));
    } catch {
      diagnostics.push({ severity: 'error', code: 'import-root-not-found', summary: `the import root ${folder} does not exist`, detail: 'Name an existing folder with `--import-root`.' });
    }
  }
  return roots;
}

export async function loadSource(path: string, rules: ReadRules = {}): Promise<LoadedSource> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    return { diagnostic: readFailure(path, (error as NodeJS.ErrnoException).code) };
  }
  const refused = await refusal(path, real, rules);
  if (refused) return { diagnostic: refused };
  const read = readBounded(real);
  if ('code' in read) return { diagnostic: readFailure(path, read.code) };
  if (read.bytes === undefined) return { diagnostic: tooBig(path) };
  return decodeSource(read.bytes, path);
}

/**
 * An editor's buffer may stand in for an imported file (ReadRules as for loadSource): the
 * same rules of place and name hold for it, so an open buffer opens no way around them.
 */
export async function refuseBuffer(path: string, rules: ReadRules): Promise<Diagnostic | undefined> {
  // A buffer not yet saved has no real path of its own: its folder's stands in.
  const real = await realpath(path).catch(async () => join(await realpath(dirname(path)).catch(() => dirname(path)), basename(path)));
  const via = real === path ? '' : ` (it resolves to ${real})`;
  if (rules.roots !== undefined && !rules.roots.some((root) => isInside(real, root))) return outsideRoots(path, via, rules.roots);
  if (!real.endsWith('.still')) return notStill(path, via);
  return undefined;
}

/** Why the file at `real` (named `path`) may not be read, decided before it is opened. */
async function refusal(path: string, real: string, rules: ReadRules): Promise<Diagnostic | undefined> {
  const via = real === path ? '' : ` (it resolves to ${real})`;
  if (KERNEL_FOLDERS.some((folder) => isInside(real, folder))) {
    return fileProblem('not-a-script', `${path} is not a script${via}`, 'Scripts are `.still` files; files under /proc, /sys and /dev are never read.');
  }
  if (rules.roots !== undefined && !rules.roots.some((root) => isInside(real, root))) return outsideRoots(path, via, rules.roots);
  let kind: string;
  try {
    kind = fileKind(await stat(real));
  } catch (error) {
    return readFailure(path, (error as NodeJS.ErrnoException).code);
  }
  if (kind === 'directory') return readFailure(path, 'EISDIR');
  if (kind !== 'file') return fileProblem('not-a-script', `${path} is ${kind}, not a script${via}`, 'Name a regular `.still` file.');
  if (!real.endsWith('.still')) return notStill(path, via);
  return undefined;
}

function outsideRoots(path: string, via: string, roots: readonly string[]): Diagnostic {
  return fileProblem(
    'outside-import-roots',
    `${path} is outside the allowed folders${via}`,
    `A script may import only files inside ${roots.join(', ')}. Move the file there, or allow its folder with \`--import-root DIR\`.`,
  );
}

function notStill(path: string, via: string): Diagnostic {
  return fileProblem('not-a-script', `${path} is not a \`.still\` script${via}`, 'Scripts are files whose name ends in `.still`: rename it, or name the right file.');
}

function fileKind(stats: import('node:fs').Stats): string {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Whether `path` is `folder` or lies inside it (both absolute and real). */
export function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/**
 * The bytes of a file that is not a script, for `file(...)`: a regular file outside /proc,
 * /sys and /dev, at most MAX_SCRIPT_BYTES. Why not, as the end of "`x` ...", otherwise.
 */
export function readRegularFile(path: string): { bytes: Uint8Array } | { refused: string } {
  try {
    const real = realpathSync(path);
    if (KERNEL_FOLDERS.some((folder) => isInside(real, folder))) return { refused: 'is under /proc, /sys or /dev, which are never read' };
    const kind = fileKind(statSync(real));
    if (kind !== 'file') return { refused: kind === 'directory' ? 'is a directory' : `is ${kind}` };
    const read = readBounded(real);
    if ('code' in read) return { refused: `cannot be read (${read.code})` };
    return read.bytes === undefined ? { refused: `is larger than ${sizeText(MAX_SCRIPT_BYTES)}` } : { bytes: read.bytes };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { refused: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})` };
  }
}

/**
 * The file's bytes, at most MAX_SCRIPT_BYTES (undefined when there are more). Opened without
 * blocking and checked again once open, so a file swapped for a FIFO cannot hang the read.
 */
function readBounded(real: string): { bytes: Uint8Array | undefined } | { code: string | undefined } {
  let fd: number | undefined;
  try {
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { code: 'ENOTREGULAR' };
    if (stats.size > MAX_SCRIPT_BYTES) return { bytes: undefined };
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      // One more byte than allowed tells a file at the limit from a larger one.
      const chunk = Buffer.alloc(Math.min(Math.max(stats.size + 1, 4096), MAX_SCRIPT_BYTES + 1 - length));
      const bytesRead = readSync(fd, chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > MAX_SCRIPT_BYTES) return { bytes: undefined };
    }
    return { bytes: Buffer.concat(chunks) };
  } catch (error) {
    return { code: (error as NodeJS.ErrnoException).code };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function tooBig(path: string): Diagnostic {
  return fileProblem('script-too-big', `${path} is larger than ${sizeText(MAX_SCRIPT_BYTES)}`, 'A script that large is not a backup script: split it into files that `import` each other, or name the right file.');
}

/** Decodes the bytes of a script: UTF-8, an optional byte order mark removed. */
export function decodeSource(bytes: Uint8Array, path: string): LoadedSource {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      diagnostic: fileProblem(
        'not-utf8',
        `${path} is UTF-16, not UTF-8`,
        'Save the script as UTF-8 (in PowerShell: `Get-Content FILE | Set-Content -Encoding utf8 FILE`; in an editor: "Save with encoding UTF-8").',
      ),
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const valid = validPrefixLength(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, valid));
    const range = rangeMaker(before, path)(before.length, before.length);
    return {
      diagnostic: {
        ...fileProblem('not-utf8', `${path} is not valid UTF-8`, `Byte ${valid} (0x${bytes[valid]!.toString(16).padStart(2, '0')}) starts no UTF-8 character: save the script as UTF-8.`),
        range,
      },
    };
  }
  if (text.trim() === '') {
    return { diagnostic: fileProblem('empty-file', `${path} is empty`, 'Write at least one `job "NAME" { ... }` in it; `stillpoint fmt` and `check` need a script.') };
  }
  return { text };
}

/** The length of the longest prefix that is valid UTF-8: the offset of the first bad byte. */
function validPrefixLength(bytes: Uint8Array): number {
  const end = streamValidLength(bytes);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return end;
  } catch {
    // The prefix ends inside a character that never completes: that character's first byte is the bad one.
    let start = end;
    while (start > 0 && (bytes[start - 1]! & 0xc0) === 0x80) start -= 1;
    return start - 1;
  }
}

/** The longest prefix that decodes without error when a character cut at its end counts as valid. */
function streamValidLength(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle - 1;
    }
  }
  return low;
}

function readFailure(path: string, code: string | undefined): Diagnostic {
  switch (code) {
    case 'ENOENT':
      return fileProblem('file-not-found', `${path} does not exist`, `Check the path; a relative path is resolved from ${process.cwd()}.`);
    case 'EISDIR':
      return fileProblem('not-a-file', `${path} is a directory, not a script`, 'Name a .still file, e.g. `' + path.replace(/[\\/]+$/, '') + '/backup.still`.');
    case 'EACCES':
    case 'EPERM':
      return fileProblem('unreadable-file', `${path} cannot be read: permission denied`, 'Run as a user that may read it, or change its permissions.');
    case 'ENOTREGULAR':
      return fileProblem('not-a-script', `${path} is not a regular file`, 'Name a regular `.still` file.');
    default:
      return fileProblem('unreadable-file', `${path} cannot be read${code === undefined ? '' : ` (${code})`}`, 'Check that the path names a readable file.');
  }
}

function fileProblem(code: string, summary: string, detail: string): Diagnostic {
  return { severity: 'error', summary, detail, code };
}
