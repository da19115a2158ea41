// stillpoint list <target-dir> [--json]

import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('list')
    .description('the complete snapshots of a tree target, oldest first')
    .argument('<target-dir>', 'the folder given to `target tree`')
    .option('--json', 'print JSON')
    .action(async (targetDir: string, options: { json?: boolean }) => {
      const { listCommand } = await import('../tree-commands.ts');
      setExitCode(await listCommand(targetDir, options));
    });
};
