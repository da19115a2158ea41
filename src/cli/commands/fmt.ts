// stillpoint fmt <file...> [--check | --write] [--import-root DIR...]
//
// Prints a script in the canonical layout (one file), names the files that are not in it
// (--check, exit 1), or rewrites them (--write). A script with syntax errors is left alone:
// its diagnostics are printed and the exit code is 2. fmt follows no import: it takes
// --import-root so that one set of options serves check, fmt and plan, and checks the folders.

import { Option } from 'commander';
import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('fmt')
    .description('format scripts in the canonical layout')
    .argument('<file...>', '.still scripts')
    .addOption(new Option('--check', 'name the files that are not formatted; exit 1 if any').conflicts('write'))
    .addOption(new Option('--write', 'rewrite the files that are not formatted'))
    .addOption(importRootOption())
    .action(async (files: string[], options: { check?: boolean; write?: boolean; importRoot?: string[] }) => {
      const { formatFiles } = await import('../format-files.ts');
      setExitCode(await formatFiles(files, options.check ? 'check' : options.write ? 'write' : 'print', options.importRoot));
    });
};
