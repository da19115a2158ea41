// stillpoint plan <file> [--job NAME] [--json] [--show-values] [--import-root DIR...]
//
// The resolved plan: what `run` would do, per job. --json prints the Plan itself, checked
// against plan.schema.json first. Secrets print as ***; values from the environment and files
// as their expression (`${env("HOST")}`) unless --show-values asks for them.

import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('plan')
    .description('show what a script will do: volumes, provider order, writers, hooks, targets, schedules')
    .argument('<file>', 'a .still script')
    .option('--job <name>', 'only this job')
    .option('--json', 'print the plan as JSON (validated against its schema)')
    .option('--show-values', 'show the values read from the environment and files (by default their expressions stand in)')
    .addOption(importRootOption())
    .action(async (file: string, options: { job?: string; json?: boolean; showValues?: boolean; importRoot?: string[] }) => {
      // As in check: keep the type-stripped parser and evaluator in Node's compile cache.
      (await import('node:module')).enableCompileCache?.();
      const [{ loadPlanOrReport }, { EXIT }] = await Promise.all([import('../load-plan.ts'), import('../../base/exit-codes.ts')]);
      const loaded = await loadPlanOrReport(file, { job: options.job, importRoots: options.importRoot });
      if (typeof loaded === 'number') return setExitCode(loaded);
      const { hideExternalInValue } = await import('../../plan/external.ts');
      const shown = options.showValues ? loaded.plan : hideExternalInValue(loaded.plan, loaded.external);
      if (!options.json) {
        const { describeAssumptions, describePlan } = await import('../../plan/describe.ts');
        process.stdout.write(describePlan(shown) + describeAssumptions(loaded.assumed));
        return setExitCode(EXIT.succeeded);
      }
      const { validatePlan } = await import('../../plan/validate.ts');
      const problems = await validatePlan(loaded.plan);
      if (problems.length > 0) {
        // The evaluator made a plan its own schema refuses: a bug in Stillpoint, not in the script.
        process.stderr.write(`stillpoint: internal error: the plan does not match plan.schema.json:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
        return setExitCode(EXIT.failed);
      }
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      setExitCode(EXIT.succeeded);
    });
};
