// stillpoint providers <file> [--job NAME] [--json] [--import-root DIR...]

import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('providers')
    .description('for each volume, each provider of its job: available here, or why not')
    .argument('<file>', 'the .still script')
    .option('--job <name>', 'only this job')
    .option('--json', 'print the probes as JSON')
    .addOption(importRootOption())
    .action(async (file: string, options: { job?: string; json?: boolean; importRoot?: string[] }) => {
      const { providersCommand } = await import('../providers-command.ts');
      setExitCode(await providersCommand(file, options));
    });
};
