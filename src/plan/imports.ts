// Files and imports: each file is evaluated once, its `let`s, `defaults` and jobs joined into
// the files that import it; a cycle is an error.

import * as nodePath from 'node:path';
import type { Block, Setting } from '../language/ast.ts';
import { literalText } from '../language/catalog.ts';
import type { SourceRange } from '../language/diagnostic.ts';
import type { Evaluation, FileResult } from './evaluation.ts';
import { type Ctx, Scope } from './scope.ts';
import { walk } from './walk.ts';

/** Where an import points: the name used in ranges and messages, and the resolved path. */
export function importTarget(importerFile: string, importPath: string): { file: string; resolved: string } {
  const file = nodePath.isAbsolute(importPath) ? importPath : nodePath.join(nodePath.dirname(importerFile), importPath);
  return { file, resolved: nodePath.resolve(file) };
}

/** The literal path of an `import` statement, or undefined when it is not a plain string literal. */
export function importPathOf(setting: Setting): string | undefined {
  return setting.args.length === 1 && setting.args[0]!.length === 1 ? literalText(setting.args[0]![0]) : undefined;
}

export function evaluateFile(ev: Evaluation, file: string, resolved: string, importRange?: SourceRange): FileResult | undefined {
  const chainStart = ev.importChain.indexOf(resolved);
  if (chainStart >= 0) {
    const base = nodePath.dirname(ev.importChain[0]!);
    const chain = [...ev.importChain.slice(chainStart), resolved].map((p) => nodePath.relative(base, p) || nodePath.basename(p));
    ev.error('import-cycle', `import cycle: ${chain.join(' -> ')}`, 'Files may not import each other in a circle: move what they share into a third file that both import.', importRange);
    return undefined;
  }
  const cached = ev.files.get(resolved);
  if (cached) return cached;
  const source = ev.input.files.get(resolved);
  if (!source) return undefined; // the loader reported why
  ev.importChain.push(resolved);
  const result: FileResult = { scope: new Scope(), defaults: [] };
  const top: Ctx = { scope: result.scope, snapshotPaths: false };
  walk(ev, source.statements, 'file', top, new Map(), (setting, ctx) => {
    switch (setting.keyword.name) {
      case 'import':
        importFile(ev, setting, ctx, top, file, result);
        break;
      case 'defaults':
        result.defaults.push({ block: setting.body as Block, scope: ctx.scope, applied: false });
        break;
      case 'job':
        ev.addJob({ setting, scope: ctx.scope, file: result });
        break;
    }
  });
  ev.importChain.pop();
  ev.files.set(resolved, result);
  return result;
}

function importFile(ev: Evaluation, setting: Setting, ctx: Ctx, top: Ctx, file: string, into: FileResult) {
  if (ctx !== top) {
    ev.error('import-not-top-level', '`import` may stand only at the top level of a file', 'Move the import out of the `if` or `for`; import the file unconditionally and use `if` inside it instead.', setting.keyword.range);
    return;
  }
  const importPath = importPathOf(setting);
  const argRange = setting.args[0]?.[0]?.range ?? setting.keyword.range;
  if (importPath === undefined) {
    ev.error('import-path-not-literal', 'the path of an `import` must be a plain string', 'Write the path in quotes without `${...}`: `import "common/site.still"`. Imports are read before the script is evaluated.', argRange);
    return;
  }
  const target = importTarget(file, importPath);
  const imported = evaluateFile(ev, target.file, target.resolved, argRange);
  if (!imported) return;
  for (const [name, binding] of imported.scope.vars) {
    const existing = into.scope.vars.get(name);
    if (existing && existing !== binding) {
      ev.error('duplicate-let', `\`${name}\` is already defined`, `\`${importPath}\` defines \`${name}\` too: rename one of them.`, argRange, [{ message: `\`${name}\` is defined here`, range: existing.range }]);
      continue;
    }
    into.scope.vars.set(name, binding);
  }
  for (const entry of imported.defaults) if (!into.defaults.includes(entry)) into.defaults.push(entry);
}
