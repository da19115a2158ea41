// stillpoint restore <target-dir> [--snapshot ID] --to <dir> [path...]

import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('restore')
    .description('restore a tree snapshot (or some paths of it) into a folder, checking every file\'s hash')
    .argument('<target-dir>', 'the folder given to `target tree`')
    .argument('[path...]', 'only these paths: as backed up (/home/me/notes) or as in the manifest (home/me/notes)')
    .requiredOption('--to <dir>', 'where to restore to')
    .option('--snapshot <id>', 'the snapshot to restore (default: the newest complete one)')
    .action(async (targetDir: string, paths: string[], options: { to: string; snapshot?: string }) => {
      const { restoreCommand } = await import('../tree-commands.ts');
      setExitCode(await restoreCommand(targetDir, paths, options));
    });
};
