// stillpoint schedule show|install|remove <file> [--job NAME] [--cron] [--print] [--import-root DIR...]

import { Command, Option } from 'commander';
import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  const schedule = program.command('schedule').description('show, install or remove the schedules of a script\'s jobs');
  const common = (command: Command) =>
    command
      .argument('<file>', 'the .still script')
      .option('--job <name>', 'only this job')
      .option('--cron', 'use a crontab line instead of a systemd timer (Linux)')
      .option('--print', 'show what would be written, write nothing')
      .addOption(importRootOption())
      .addOption(new Option('--unit-dir <dir>', 'where systemd units go').default('/etc/systemd/system').hideHelp());

  schedule
    .command('show')
    .description('each job\'s next five run times')
    .argument('<file>', 'the .still script')
    .option('--job <name>', 'only this job')
    .option('--count <n>', 'how many run times', '5')
    .addOption(importRootOption())
    .action(async (file: string, options: { job?: string; count: string; importRoot?: string[] }) => {
      const { showSchedules } = await import('../schedule-command.ts');
      setExitCode(await showSchedules(file, options));
    });

  for (const action of ['install', 'remove'] as const) {
    common(schedule.command(action).description(action === 'install' ? 'write and enable the scheduler entries' : 'disable and delete the scheduler entries')).action(
      async (file: string, options: { job?: string; cron?: boolean; print?: boolean; unitDir: string; importRoot?: string[] }) => {
        const { changeSchedules } = await import('../schedule-command.ts');
        setExitCode(await changeSchedules(action, file, options));
      },
    );
  }
};
