// stillpoint run <file> [--job NAME] [--dry-run] [--json | --tui | --plain] [--report FILE] [--import-root DIR...]

import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('run')
    .description('run the backup jobs of a script: quiesce, snapshot, copy, clean up')
    .argument('<file>', 'the .still script')
    .option('--job <name>', 'only this job')
    .option('--dry-run', 'say what would happen: probe providers, run no hook, take no snapshot, copy nothing')
    .option('--json', 'print the event stream as NDJSON, one event per line')
    .option('--tui', 'the live terminal view (the default on a terminal)')
    .option('--plain', 'plain log lines (the default when not on a terminal)')
    .option('--report <file>', 'write the run report (.json or .html)')
    .addOption(importRootOption())
    .action(async (file: string, options: { job?: string; dryRun?: boolean; json?: boolean; tui?: boolean; plain?: boolean; report?: string; importRoot?: string[] }) => {
      const { runCommand } = await import('../run-command.ts');
      setExitCode(await runCommand(file, options));
    });
};
