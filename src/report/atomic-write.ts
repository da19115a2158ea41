// Files that a reader may pick up at any moment (node_exporter's textfile collector, a
// report served by a web server) are written beside their final name and renamed into
// place, so a reader sees the old file or the new one, never half of one.

import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomically(path: string, content: string): Promise<void> {
  // A dot name without the final extension: the textfile collector reads only `*.prom`.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx', 0o644);
    try {
      await file.writeFile(content, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`cannot write ${path}: the folder ${dirname(path)} does not exist; create it or choose another path`, { cause: error });
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new Error(`cannot write ${path}: ${dirname(path)} is not writable for this user (${code})`, { cause: error });
    throw error;
  }
}
