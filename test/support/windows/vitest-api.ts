// The part of vitest's API the test files use, for running those same files on Windows
// Node.js under Wine, where vitest cannot start: vitest 4 bundles through rolldown, whose
// native binding imports bcryptprimitives.dll (ProcessPrng), which Wine 8 does not have.
// run-tests.ts points the files' `vitest` imports here. `expect` is vitest's own (it needs
// no bundler); describe, it and the hooks record a tree that run-tests.ts walks.

export { expect } from 'vitest';

export type TestBody = () => unknown;

export interface Test {
  name: string;
  body: TestBody;
  timeoutMs: number;
  skip: boolean;
}

export interface Suite {
  name: string;
  skip: boolean;
  tests: Array<Test | Suite>;
  beforeAll: TestBody[];
  afterAll: TestBody[];
  beforeEach: TestBody[];
  afterEach: TestBody[];
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function newSuite(name: string, skip = false): Suite {
  return { name, skip, tests: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
}

let current = newSuite('');

/** Collects what a test file registers, for the runner. */
export async function collect(load: () => Promise<unknown>): Promise<Suite> {
  current = newSuite('');
  const top = current;
  await load();
  return top;
}

function suite(skip: boolean) {
  return (name: string, body: () => void) => {
    const parent = current;
    const child = newSuite(name, skip || parent.skip);
    parent.tests.push(child);
    current = child;
    try {
      body();
    } finally {
      current = parent;
    }
  };
}

function test(skip: boolean) {
  return (name: string, body: TestBody, timeoutMs = DEFAULT_TIMEOUT_MS) => {
    current.tests.push({ name, body, timeoutMs, skip: skip || current.skip });
  };
}

/** it.each(cases)(name, body): %s, %d, %i, %j in the name take the case's arguments in turn. */
function each(skip: boolean) {
  return (cases: readonly unknown[]) => (name: string, body: (...args: unknown[]) => unknown, timeoutMs?: number) => {
    for (const entry of cases) {
      const args = Array.isArray(entry) ? entry : [entry];
      let i = 0;
      const title = name.replace(/%[sdij]/g, () => {
        const value = args[i++];
        return typeof value === 'string' ? value : JSON.stringify(value);
      });
      test(skip)(title, () => body(...args), timeoutMs);
    }
  };
}

export const describe = Object.assign(suite(false), { skip: suite(true) });
export const it = Object.assign(test(false), { skip: test(true), each: each(false) });
export const beforeAll = (body: TestBody) => current.beforeAll.push(body);
export const afterAll = (body: TestBody) => current.afterAll.push(body);
export const beforeEach = (body: TestBody) => current.beforeEach.push(body);
export const afterEach = (body: TestBody) => current.afterEach.push(body);
