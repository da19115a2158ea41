// The command line. Each command lives in src/cli/commands/<name>.ts and exports
// `define(program)`, which declares its options and imports its implementation lazily inside
// the action: `check`, `plan` and `fmt` must start fast, so nothing heavy (React, Ink, koffi,
// database drivers) may be imported at the top of a command module.

import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXIT } from '../base/exit-codes.ts';
import { COMMANDS } from './commands/index.ts';
import { PACKAGE_ROOT } from '../package-layout.ts';

/**
 * The commands that may walk very many files (a backup, a restore, a verify, a listing) or run
 * for hours (the language server): they hold V8's young generation down
 * (base/young-generation.ts), which the short ones need not load.
 */
const LONG_RUNNING = new Set(['run', 'restore', 'verify', 'list', 'lsp']);

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('stillpoint')
    .description('Consistent point-in-time backups from declarative .still scripts.')
    // The Node.js too: the installed package runs on whichever Node is first on the PATH.
    .version(`stillpoint ${await packageVersion()} (Node.js ${process.version})`)
    .exitOverride()
    .showSuggestionAfterError(true);

  let exitCode: number = EXIT.succeeded;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  for (const define of COMMANDS) define(program, setExitCode);
  program.hook('preAction', async (_program, action) => {
    if (LONG_RUNNING.has(action.name())) (await import('../base/young-generation.ts')).limitYoungGeneration();
  });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 2.
      return error.exitCode === 0 ? EXIT.succeeded : EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
