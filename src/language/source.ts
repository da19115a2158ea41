// Reading a script file. Every way it can fail (missing, a directory, empty, not UTF-8,
// unreadable) is one diagnostic naming the file, never an exception.

import { readFile } from 'node:fs/promises';
import type { Diagnostic } from './diagnostic.ts';
import { rangeMaker } from './positions.ts';

export type LoadedSource = { text: string } | { diagnostic: Diagnostic };

export async function loadSource(path: string): Promise<LoadedSource> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { diagnostic: readFailure(path, (error as NodeJS.ErrnoException).code) };
  }
  return decodeSource(bytes, path);
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
    default:
      return fileProblem('unreadable-file', `${path} cannot be read${code === undefined ? '' : ` (${code})`}`, 'Check that the path names a readable file.');
  }
}

function fileProblem(code: string, summary: string, detail: string): Diagnostic {
  return { severity: 'error', summary, detail, code };
}
