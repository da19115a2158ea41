// stillpoint verify <target-dir> [--snapshot ID]

import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('verify')
    .description('rehash a tree snapshot and name every missing or mismatching file (exit 1)')
    .argument('<target-dir>', 'the folder given to `target tree`')
    .option('--snapshot <id>', 'the snapshot to verify (default: the newest complete one)')
    .action(async (targetDir: string, options: { snapshot?: string }) => {
      const { verifyCommand } = await import('../tree-commands.ts');
      setExitCode(await verifyCommand(targetDir, options));
    });
};
