// The JSON run report: the run summary as data, for scripts and dashboards.

import type { RunSummary } from './run-summary.ts';

export const REPORT_FORMAT = 'stillpoint-run-report';
export const REPORT_VERSION = 1;

export type RunReport = { format: typeof REPORT_FORMAT; version: typeof REPORT_VERSION } & RunSummary;

export function runReport(run: RunSummary): RunReport {
  return { format: REPORT_FORMAT, version: REPORT_VERSION, ...run };
}
