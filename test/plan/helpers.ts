// Evaluates script text the way the CLI does (loadPlan), in a fresh folder, with a fixed
// run id, start, host and an empty environment, so that plans are predictable.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../src/language/diagnostic.ts';
import { loadPlan, loadPlanFromText, type LoadOptions, type LoadResult } from '../../src/plan/load.ts';
import type { JobPlan } from '../../src/plan/types.ts';

export const STARTED = new Date('2026-11-23T23:30:05.000Z');

export function fixedOptions(options: LoadOptions = {}): LoadOptions {
  return { runId: 'run-1', started: STARTED, hostname: 'host1', platform: 'linux', env: {}, ...options };
}

/** A fresh folder holding `files` (name -> text). */
export function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'stillpoint-plan-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export async function evalText(text: string, options: LoadOptions = {}, files: Record<string, string> = {}): Promise<LoadResult & { dir: string }> {
  const dir = folder(files);
  const result = await loadPlanFromText(join(dir, 'main.still'), text, fixedOptions(options));
  return { ...result, dir };
}

export async function evalFile(dir: string, name: string, options: LoadOptions = {}): Promise<LoadResult> {
  return loadPlan(join(dir, name), fixedOptions(options));
}

/** The one job of a script that must evaluate without errors. */
export async function job(text: string, options: LoadOptions = {}, files: Record<string, string> = {}): Promise<JobPlan> {
  const result = await evalText(text, options, files);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`unexpected errors: ${errors.map((d) => d.summary).join('; ')}`);
  if (result.plan?.jobs.length !== 1) throw new Error(`expected one job, found ${result.plan?.jobs.length}`);
  return result.plan.jobs[0]!;
}

/** A compact form of a diagnostic: "error code 3:5-3:9 summary". */
export function brief(d: Diagnostic): string {
  const r = d.range;
  const at = r ? ` ${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}` : '';
  return `${d.severity} ${d.code}${at} ${d.summary}`;
}

export async function errors(text: string, options: LoadOptions = {}, files: Record<string, string> = {}): Promise<string[]> {
  const result = await evalText(text, options, files);
  return result.diagnostics.filter((d) => d.severity === 'error').map(brief);
}

/** A job that is complete apart from what a test adds. */
export const BASE = 'volume "/srv"\n  provider copy\n  target tree "/backups"';
