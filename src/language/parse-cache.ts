// The syntax trees of the scripts a machine runs, kept in the state directory. A scheduler
// starts the same unchanged script again and again; loading Chevrotain and building the
// lexer and the parser was some 60 ms of a 100-file run's 350 (bench/results/run-startup.md).
// A tree is kept per file and found again only for the same text read by the same code: the
// key is the text, the file's name and the syntax id (the modules of src/language and
// Chevrotain's version), so any change to either parses afresh.
//
// Only the commands that run a script use it (`run`, `providers`, `writers`, `cleanup`):
// `check`, `plan`, `fmt` and the language server read nothing outside the script's tree
// (SECURITY.md). The state directory is the trusted place those commands already keep their
// records in.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shippedFile } from '../package-layout.ts';
import type { ParseResult } from './parse.ts';

/** Where the build puts the syntax id of the package's own modules (scripts/build.ts). */
export const SYNTAX_ID_FILE = 'language/syntax-id';

export interface ParseCache {
  /** The tree of `text` as parse(text, file) gave it, when one was kept; undefined otherwise. */
  read(file: string, text: string): ParseResult | undefined;
  /** Keeps a tree; a cache that cannot be written only means the next run parses again. */
  write(file: string, text: string, result: ParseResult): void;
}

/** A hash of the modules that turn text into a tree: every .ts file of src/language. */
export function languageSourcesId(languageDir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(languageDir).filter((n) => n.endsWith('.ts')).sort()) {
    hash.update(name).update('\0').update(readFileSync(join(languageDir, name))).update('\0');
  }
  return hash.digest('hex');
}

function syntaxId(): string {
  const here = fileURLToPath(import.meta.url);
  // In a checkout the modules themselves; in the package, their id as the build computed it.
  const own = here.endsWith('.ts') ? languageSourcesId(dirname(here)) : readFileSync(shippedFile(SYNTAX_ID_FILE), 'utf8').trim();
  // Chevrotain's version range lets npm install another release than the build saw.
  const entry = createRequire(import.meta.url).resolve('chevrotain'); // <package>/lib/src/api.js
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return `${own}/chevrotain@${version}`;
}

const sha256 = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** A cache in `dir` (created on the first write, for this user only). */
export function parseCacheIn(dir: string): ParseCache {
  let id: string | undefined;
  const keyOf = (file: string, text: string) => sha256((id ??= syntaxId()), file, text);
  // One entry per file: a changed script replaces its tree instead of adding one.
  const entryOf = (file: string) => join(dir, `${sha256(file).slice(0, 32)}.json`);
  return {
    read(file, text) {
      try {
        const entry = JSON.parse(readFileSync(entryOf(file), 'utf8')) as { key?: string; result?: ParseResult };
        return entry.key === keyOf(file, text) ? entry.result : undefined;
      } catch {
        return undefined;
      }
    },
    write(file, text, result) {
      const entry = entryOf(file);
      const partial = `${entry}.${process.pid}.partial`;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(partial, JSON.stringify({ key: keyOf(file, text), result }), { mode: 0o600 });
        // Whole or not at all: a run that reads it meanwhile sees the old entry or the new one.
        renameSync(partial, entry);
      } catch {
        // A read-only state directory costs the next run a parse, nothing else.
      }
    },
  };
}
