// The one way a command turns a script path into a Plan: evaluate, and on any error print the
// diagnostics like a compiler and return exit code 2 (nothing ran).

import type { RunTimeCondition } from '../plan/evaluation.ts';
import type { ExternalValue } from '../plan/external.ts';
import { join } from 'node:path';
import type { ParseCache } from '../language/parse-cache.ts';
import type { LoadOptions } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import type { SecretStore } from '../base/secret.ts';
import { EXIT } from '../base/exit-codes.ts';

export interface LoadedPlan {
  plan: Plan;
  secrets: SecretStore;
  external: ExternalValue[];
  assumed: RunTimeCondition[];
}

async function trustedParseCache(): Promise<ParseCache> {
  const [{ parseCacheIn }, { stateDirectory }] = await Promise.all([import('../language/parse-cache.ts'), import('../base/state-directory.ts')]);
  return parseCacheIn(join(stateDirectory(), 'parse-cache'));
}

export async function loadPlanOrReport(
  file: string,
  options: Pick<LoadOptions, 'job' | 'runId' | 'started' | 'importRoots' | 'runTime'> = {},
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<LoadedPlan | number> {
  const [{ loadPlan }, { renderDiagnostic }] = await Promise.all([import('../plan/load.ts'), import('../language/render-diagnostic.ts')]);
  // The commands that run a script (runTime) keep its tree for the next run; the ones that
  // review it read nothing outside its tree.
  const parseCache = options.runTime ? await trustedParseCache() : undefined;
  const result = await loadPlan(file, { ...options, parseCache });
  const color = stderr === process.stderr && process.stderr.isTTY && !process.env.NO_COLOR;
  for (const diagnostic of result.diagnostics) {
    const text = diagnostic.range ? result.sources.get(diagnostic.range.file) : undefined;
    stderr.write(renderDiagnostic(diagnostic, text, { color }) + '\n');
  }
  if (!result.plan || result.diagnostics.some((d) => d.severity === 'error')) return EXIT.usage;
  return { plan: result.plan, secrets: result.secrets, external: result.external, assumed: result.assumed };
}
