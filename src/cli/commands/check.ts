// stillpoint check <file...> [--format text|json] [--import-root DIR...]
//
// Evaluates each script as `run` would (imports, defaults, types) without touching
// anything, and prints every diagnostic. Exit 0 when there is no error, 2 when there is.

import { Option } from 'commander';
import { importRootOption } from './import-root.ts';
import type { DefineCommand } from './index.ts';

/**
 * `check` starts no run, so there is no run id to give `run_id`: this one has a real one's
 * shape (what a check can depend on), and making a real one would load node:crypto.
 */
const CHECK_RUN_ID = '00000000-0000-4000-8000-000000000000';

export const define: DefineCommand = (program, setExitCode) => {
  program
    .command('check')
    .description('check scripts for errors without running anything')
    .argument('<file...>', '.still scripts')
    .addOption(new Option('--format <format>', 'how to print diagnostics').choices(['text', 'json']).default('text'))
    .addOption(importRootOption())
    .action(async (files: string[], options: { format: 'text' | 'json'; importRoot?: string[] }) => {
      // Type-stripping the parser and evaluator is most of check's start-up; Node's compile
      // cache keeps the result between runs (bench/results/language.md).
      (await import('node:module')).enableCompileCache?.();
      const [{ loadPlan }, { renderDiagnostic }, { EXIT }] = await Promise.all([
        import('../../plan/load.ts'),
        import('../../language/render-diagnostic.ts'),
        import('../../base/exit-codes.ts'),
      ]);
      const all = [];
      const color = options.format === 'text' && process.stdout.isTTY && !process.env.NO_COLOR;
      for (const file of files) {
        const result = await loadPlan(file, { importRoots: options.importRoot, runId: CHECK_RUN_ID });
        all.push(...result.diagnostics);
        if (options.format !== 'text') continue;
        for (const diagnostic of result.diagnostics) {
          const text = diagnostic.range ? result.sources.get(diagnostic.range.file) : undefined;
          process.stdout.write(`${renderDiagnostic(diagnostic, text, { color })}\n\n`);
        }
      }
      const errors = all.filter((d) => d.severity === 'error').length;
      const warnings = all.filter((d) => d.severity === 'warning').length;
      if (options.format === 'json') process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else process.stdout.write(`${files.length === 1 ? files[0] : `${files.length} scripts`}: ${count(errors, 'error')}, ${count(warnings, 'warning')}\n`);
      setExitCode(errors > 0 ? EXIT.usage : EXIT.succeeded);
    });
};

function count(n: number, noun: string): string {
  return `${n === 0 ? 'no' : n} ${noun}${n === 1 ? '' : 's'}`;
}
