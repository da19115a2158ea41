// stillpoint cleanup <file> [--job NAME] [--json]

import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('cleanup')
    .description('release snapshots that a killed run left behind')
    .argument('<file>', 'the .still script')
    .option('--job <name>', 'only this job')
    .option('--json', 'print what was released as JSON')
    .action(async (file: string, options: { job?: string; json?: boolean }) => {
      const { cleanupCommand } = await import('../cleanup-command.ts');
      setExitCode(await cleanupCommand(file, options));
    });
};
