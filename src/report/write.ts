// `--report FILE`: the run report as JSON or HTML, chosen by the file's extension.

import { extname } from 'node:path';
import type { StillpointEvent } from '../events/types.ts';
import { writeFileAtomically } from './atomic-write.ts';
import { renderHtmlReport } from './html.ts';
import { runReport } from './json.ts';
import { summarizeRun } from './run-summary.ts';

export const REPORT_EXTENSIONS = ['.json', '.html', '.htm'];

export async function writeReport(path: string, events: StillpointEvent[]): Promise<void> {
  const extension = extname(path).toLowerCase();
  if (!REPORT_EXTENSIONS.includes(extension)) {
    throw new Error(`cannot tell the report format of ${path}: name the report file with .json or .html`);
  }
  const run = summarizeRun(events);
  const content = extension === '.json' ? `${JSON.stringify(runReport(run), null, 2)}\n` : renderHtmlReport(run, events.length);
  await writeFileAtomically(path, content);
}
