// What a scheduler entry needs to know about one job: its name, its schedules, and the exact
// command that runs it (absolute paths, so that a scheduler's bare environment finds them).

import path from 'node:path';
import { PACKAGE_ROOT } from '../package-layout.ts';
import { parseCron, type CronSchedule } from '../base/cron.ts';

export interface ScheduledJob {
  name: string;
  script: string;
  /** The name made safe for unit and task names. */
  unitSlug: string;
  schedules: CronSchedule[];
  command: string[];
  workingDirectory: string;
}

const BIN = path.join(PACKAGE_ROOT, 'bin', 'stillpoint.js');

export function scheduledJob(
  name: string,
  scriptPath: string,
  cronExpressions: string[],
  nodePath: string = process.execPath,
  platform: NodeJS.Platform = process.platform,
): ScheduledJob {
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const script = paths.resolve(scriptPath);
  return {
    name,
    script,
    unitSlug: slug(name),
    schedules: cronExpressions.map(parseCron),
    command: [nodePath, BIN, 'run', script, '--job', name, '--plain'],
    workingDirectory: paths.dirname(script),
  };
}

/** Lower-case letters, digits and dashes; distinct names stay distinct thanks to a short hash. */
export function slug(name: string): string {
  const simple = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'job';
  if (simple === name) return simple;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return `${simple}-${hash.toString(36).slice(0, 5)}`;
}
