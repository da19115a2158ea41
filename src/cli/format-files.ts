// What `stillpoint fmt` does with its files (kept out of the command module so that the
// command line stays cheap to load).

import { writeFile } from 'node:fs/promises';
import { EXIT } from '../base/exit-codes.ts';
import { format } from '../language/formatter.ts';
import { renderDiagnostic } from '../language/render-diagnostic.ts';
import { allowedRoots, loadSource } from '../language/source.ts';
import { hasErrors, type Diagnostic } from '../language/diagnostic.ts';

export type FormatMode = 'print' | 'check' | 'write';

/** Formats the files as `mode` says and returns the exit code. `importRoots` are only checked: fmt follows no import. */
export async function formatFiles(files: string[], mode: FormatMode, importRoots: readonly string[] = []): Promise<number> {
  const color = Boolean(process.stderr.isTTY) && !process.env['NO_COLOR'];
  if (mode === 'print' && files.length > 1) {
    process.stderr.write('stillpoint fmt: give one file to print it formatted, or use --check or --write for several.\n');
    return EXIT.usage;
  }
  const rootProblems: Diagnostic[] = [];
  await allowedRoots(importRoots, rootProblems);
  for (const problem of rootProblems) process.stderr.write(`${renderDiagnostic(problem, undefined, { color })}\n`);
  if (rootProblems.length > 0) return EXIT.usage;
  let failed = false;
  let unformatted = false;
  for (const file of files) {
    const loaded = await loadSource(file);
    if ('diagnostic' in loaded) {
      process.stderr.write(`${renderDiagnostic(loaded.diagnostic, undefined, { color })}\n`);
      failed = true;
      continue;
    }
    const result = format(loaded.text, file);
    if (hasErrors(result.diagnostics)) {
      for (const diagnostic of result.diagnostics) process.stderr.write(`${renderDiagnostic(diagnostic, loaded.text, { color })}\n\n`);
      failed = true;
      continue;
    }
    if (mode === 'print') {
      process.stdout.write(result.text);
      continue;
    }
    if (result.text === loaded.text) continue;
    unformatted = true;
    if (mode === 'write') await writeFile(file, result.text);
    process.stdout.write(`${file}\n`);
  }
  if (failed) return EXIT.usage;
  return mode === 'check' && unformatted ? EXIT.failed : EXIT.succeeded;
}
