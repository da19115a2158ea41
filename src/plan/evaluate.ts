// Evaluates parsed .still files into a Plan (LANGUAGE.md §2-4).
//
// Every statement is checked against the catalog; every problem is a Diagnostic with the
// range of the offending text. Errors never cascade: an expression that failed evaluates to
// `undefined`, and whatever uses it stays silent, so one mistake gives one diagnostic.
// Evaluation is synchronous: imports are read and parsed beforehand (load.ts), and the
// only I/O left is what the language allows (`env`, `hostname`, and for `run` `file` and `exists`).

import * as nodePath from 'node:path';
import type { SourceRange } from '../language/diagnostic.ts';
import { MAX_BRANCH_PASSES } from '../language/limits.ts';
import { type BranchPass, diagnosticKey, Evaluation, type EvaluationInput, type EvaluationResult, RunTimeBranches } from './evaluation.ts';
import { evaluateFile } from './imports.ts';
import { evaluateDefaults, evaluateJob, jobName } from './jobs.ts';
import { type JobPlan, type Plan, PLAN_VERSION } from './types.ts';

/**
 * Evaluates the script. While it is only read (no `runTime`), an `if` whose condition is
 * known only at run time may take any of its branches then: the plan is that of the first
 * pass, which takes the first such branch, and further passes take the branches no pass has
 * taken yet, until each has been checked or MAX_BRANCH_PASSES is reached. The diagnostics are
 * those of all passes.
 */
export function evaluate(input: EvaluationInput): EvaluationResult {
  const branches = new RunTimeBranches();
  const first = evaluateOnce(input, { index: 0, branches });
  const seen = new Set(first.result.diagnostics.map(diagnosticKey));
  let last = first.ev;
  for (let index = 1; index < MAX_BRANCH_PASSES && !branches.allTaken && last.tookNewBranch; index++) {
    const pass = evaluateOnce(input, { index, branches });
    for (const d of pass.result.diagnostics) {
      if (seen.has(diagnosticKey(d))) continue;
      seen.add(diagnosticKey(d));
      first.result.diagnostics.push(d);
    }
    first.result.external.push(...pass.result.external);
    last = pass.ev;
  }
  return first.result;
}

function evaluateOnce(input: EvaluationInput, pass: BranchPass): { result: EvaluationResult; ev: Evaluation } {
  const ev = new Evaluation(input, pass);
  const { script, options } = input;
  const root = evaluateFile(ev, script, nodePath.resolve(script));
  const jobs: JobPlan[] = [];
  const seenJobs = new Map<string, SourceRange>();
  for (const entry of ev.jobs) {
    const named = jobName(ev, entry);
    if (!named) continue;
    const first = seenJobs.get(named.name);
    if (first) {
      ev.error('duplicate-job', `two jobs are named \`${named.name}\``, 'Job names must be unique across the script and its imports: rename one of them.', named.range, [{ message: 'the first job of that name', range: first }]);
      continue;
    }
    seenJobs.set(named.name, named.range);
    const job = evaluateJob(ev, entry, named.name, named.range);
    if (job) jobs.push(job);
  }
  // Defaults that no job used are still checked, as if for a job named "job".
  for (const file of [...ev.files.values(), ...(root ? [root] : [])]) {
    for (const entry of file.defaults) if (!entry.applied) evaluateDefaults(ev, entry, 'job');
  }
  const plan: Plan = {
    planVersion: PLAN_VERSION,
    script,
    platform: options.platform,
    hostname: options.hostname,
    runId: options.runId,
    started: options.started.toISOString(),
    jobs,
  };
  return { result: { plan, diagnostics: ev.diagnostics, external: ev.external, assumed: ev.assumed }, ev };
}
