// stillpoint writers <file> [--job NAME] [--json] [--import-root DIR...]

import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('writers')
    .description('the writers of a script and their state (like `vssadmin list writers`); freezes nothing')
    .argument('<file>', 'the .still script')
    .option('--job <name>', 'only this job')
    .option('--json', 'print the writers as JSON')
    .addOption(importRootOption())
    .action(async (file: string, options: { job?: string; json?: boolean; importRoot?: string[] }) => {
      const { writersCommand } = await import('../writers-command.ts');
      setExitCode(await writersCommand(file, options));
    });
};
