// stillpoint cleanup <file> [--job NAME] [--json] [--import-root DIR...]

import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('cleanup')
    .description('release snapshots that a killed run left behind')
    .argument('<file>', 'the .still script')
    .option('--job <name>', 'only this job')
    .option('--json', 'print what was released as JSON')
    .addOption(importRootOption())
    .action(async (file: string, options: { job?: string; json?: boolean; importRoot?: string[] }) => {
      const { cleanupCommand } = await import('../cleanup-command.ts');
      setExitCode(await cleanupCommand(file, options));
    });
};
