// Runs test files with vitest's API on a Node.js that cannot run vitest: Windows Node under
// Wine (scripts/windows-lane.sh). The files are the project's own test files, unchanged;
// their `vitest` imports resolve to vitest-api.ts. Prints one line per test and
// "N passed, M failed, K skipped"; exits 1 when a test or a file fails.
//
// Usage: node test/support/windows/run-tests.ts FILE...

import { registerHooks } from 'node:module';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Suite, Test, TestBody } from './vitest-api.ts';

const api = new URL('./vitest-api.ts', import.meta.url).href;
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'vitest' && context.parentURL !== api) return { url: api, shortCircuit: true };
    return next(specifier, context);
  },
});
// koffi finds its native module under process.resourcesPath (its way for bundled apps); the
// lane unpacks koffi's win32 package there, beside a node_modules that has only Linux's.
if (process.env.STILLPOINT_KOFFI_RESOURCES) (process as { resourcesPath?: string }).resourcesPath = process.env.STILLPOINT_KOFFI_RESOURCES;

const { collect } = (await import(api)) as typeof import('./vitest-api.ts');
const counts = { passed: 0, failed: 0, skipped: 0 };

function withTimeout(body: TestBody, ms: number, what: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(body), timeout]).finally(() => clearTimeout(timer));
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // expect's AssertionError carries both sides; vitest would print their diff.
  const sides = 'expected' in error && 'actual' in error ? `\nexpected: ${JSON.stringify(error.expected)}\nactual:   ${JSON.stringify(error.actual)}` : '';
  return `${error.stack ?? error.message}${sides}`;
}

function fail(path: string, error: unknown): void {
  counts.failed++;
  console.log(`  ✗ ${path}\n${describeError(error).replace(/^/gm, '      ')}`);
}

async function runSuite(suite: Suite, path: string[], beforeEach: TestBody[], afterEach: TestBody[]): Promise<void> {
  const here = suite.name ? [...path, suite.name] : path;
  const runnable = (t: Test | Suite) => ('body' in t ? !t.skip : !t.skip && t.tests.some(runnable));
  if (!suite.tests.some(runnable)) {
    countSkipped(suite, here);
    return;
  }
  const eachBefore = [...beforeEach, ...suite.beforeEach];
  const eachAfter = [...suite.afterEach, ...afterEach];
  try {
    for (const hook of suite.beforeAll) await withTimeout(hook, 120_000, 'beforeAll');
  } catch (error) {
    fail(`${here.join(' > ')} (beforeAll)`, error);
    return;
  }
  for (const entry of suite.tests) {
    if (!('body' in entry)) {
      await runSuite(entry, here, eachBefore, eachAfter);
      continue;
    }
    const name = [...here, entry.name].join(' > ');
    if (entry.skip) {
      counts.skipped++;
      console.log(`  - ${name} [skipped]`);
      continue;
    }
    const started = Date.now();
    try {
      for (const hook of eachBefore) await withTimeout(hook, 60_000, 'beforeEach');
      await withTimeout(entry.body, entry.timeoutMs, 'the test');
      for (const hook of eachAfter) await withTimeout(hook, 60_000, 'afterEach');
      counts.passed++;
      console.log(`  ✓ ${name} (${Date.now() - started}ms)`);
    } catch (error) {
      for (const hook of eachAfter) await Promise.resolve().then(hook).catch(() => {});
      fail(name, error);
    }
  }
  for (const hook of suite.afterAll) await withTimeout(hook, 60_000, 'afterAll').catch((error) => fail(`${here.join(' > ')} (afterAll)`, error));
}

function countSkipped(suite: Suite, path: string[]): void {
  for (const entry of suite.tests) {
    if ('body' in entry) {
      counts.skipped++;
      console.log(`  - ${[...path, entry.name].join(' > ')} [skipped]`);
    } else countSkipped(entry, [...path, entry.name]);
  }
}

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: run-tests.ts FILE...');
const started = Date.now();
for (const file of files) {
  const name = relative(process.cwd(), file);
  console.log(name);
  try {
    const suite = await collect(() => import(pathToFileURL(file).href));
    await runSuite(suite, [], [], []);
  } catch (error) {
    fail(`${name} (while loading)`, error);
  }
}
console.log(`\n${files.length} files: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${((Date.now() - started) / 1000).toFixed(1)}s)`);
// A file may leave a handle open (a child, a timer); the counts are final, so the run ends here.
process.exit(counts.failed > 0 ? 1 : 0);
