// The command line. Each command lives in src/cli/commands/<name>.ts and exports
// `define(program)`, which declares its options and imports its implementation lazily inside
// the action: `check`, `plan` and `fmt` must start fast, so nothing heavy (React, Ink, koffi,
// database drivers) may be imported at the top of a command module.

import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXIT } from '../base/exit-codes.ts';
import { COMMANDS } from './commands/index.ts';
import { PACKAGE_ROOT } from '../package-layout.ts';

// For bin/stillpoint.js, which sets it for the whole process before main().
export { limitYoungGeneration } from '../base/young-generation.ts';

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
