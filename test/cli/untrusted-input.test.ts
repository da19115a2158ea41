// `check`, `fmt` and `plan` on whatever a pull request may hold (issue #13): random bytes,
// token soup and huge inputs never crash, never print a stack trace and never take over 5 s.
// Most inputs go through main(), the function bin/stillpoint.js calls, in this process; a few
// run as real processes. The 5 s are processor time: the machines that run the tests are
// shared, and wall time there says more about the neighbours than about the code. A hang
// that uses no processor (a blocking read) trips the wall-time bound instead.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { stillpoint } from '../support/cli.ts';

const CPU_LIMIT_MS = 5000;
const WALL_LIMIT_MS = 60_000;
const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$|\b(?:TypeError|RangeError|ReferenceError|SyntaxError): |internal error/m;

const TOKENS = [
  'job', 'let', 'if', 'else', 'for', 'in', 'import', 'defaults', 'volume', 'provider', 'providers', 'target', 'tree', 'restic', 'exec',
  'schedule', 'hook', 'writer', 'before', 'after', 'run', 'pwsh', 'env', 'file', 'secret', 'path', 'date', 'exists',
  '"a"', '"/srv"', '"${x}"', '"${', "'raw'", '{', '}', '(', ')', '[', ']', ',', '=', '==', '!=', '??', 'and', 'or', 'not',
  '5s', '10GiB', '50%', 'C:', 'true', 'none', 'x', '#', '\n', ' ', '\t', '\r\n', '\u0000', '\u001b', 'é', '\uFEFF', '"', '\\', '$', '@', '${',
  'env("HOME")', 'file("x")', 'import "x.still"', 'import "/proc/self/environ"', 'import "/dev/zero"',
];

const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 300 }).map((tokens) => tokens.join(''));
const bytes = fc.uint8Array({ maxLength: 3000 });
/** A token and how often to repeat it: long lines, deep nesting, many statements, a script over 1 MiB. */
const huge = fc.tuple(fc.constantFrom('(', '[', '{', '"a" ?? ', 'job x {}\n', 'a', '\u0000', 'let x = 1\n', '"${', '# c\n', 'é'), fc.integer({ min: 10_000, max: 300_000 }));

let dir: string;
let output: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stillpoint-fuzz-'));
  output = '';
  const capture = (chunk: string | Uint8Array) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
});

let files = 0;
/** Runs check, fmt and plan on the content as the CLI would and checks what the issue promises. */
async function survives(content: string | Uint8Array): Promise<void> {
  const file = join(dir, `input-${files++}.still`);
  writeFileSync(file, content);
  for (const args of [['check', file], ['fmt', file], ['plan', file]]) {
    output = '';
    const started = performance.now();
    const cpu = process.cpuUsage();
    const code = await main(['node', 'stillpoint', ...args]);
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const wallMs = performance.now() - started;
    expect([0, 1, 2], `${args[0]} exit code; output:\n${output.slice(0, 2000)}`).toContain(code);
    expect(output, `${args[0]} printed a stack trace`).not.toMatch(STACK_TRACE);
    expect(cpuMs, `${args[0]} used ${Math.round(cpuMs)} ms of processor time`).toBeLessThan(CPU_LIMIT_MS);
    expect(wallMs, `${args[0]} took ${Math.round(wallMs)} ms`).toBeLessThan(WALL_LIMIT_MS);
  }
}

describe('check, fmt and plan on untrusted input', () => {
  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(bytes, survives), { numRuns: 60 });
  }, 120_000);

  it('token soup', async () => {
    await fc.assert(fc.asyncProperty(soup, survives), { numRuns: 120 });
  }, 240_000);

  it('huge inputs', async () => {
    await fc.assert(fc.asyncProperty(huge, ([token, count]) => survives(token.repeat(count))), { numRuns: 12 });
  }, 240_000);
});

describe('the real command on untrusted input', () => {
  it('check, fmt and plan as processes: no crash, no stack trace, no hang', async () => {
    vi.restoreAllMocks();
    const inputs = [
      fc.sample(bytes, { numRuns: 1, seed: 13 })[0]!,
      fc.sample(soup, { numRuns: 1, seed: 13 })[0]!,
      '['.repeat(200_000),
      `job "${'a'.repeat(2_000_000)}" {}\n`,
      `job "${'a'.repeat(900_000)}" {}\n`,
    ];
    for (const [i, content] of inputs.entries()) {
      writeFileSync(join(dir, `p${i}.still`), content);
      for (const command of ['check', 'fmt', 'plan']) {
        // A process start on a busy machine takes seconds of its own: the bound here is for a hang.
        const result = await stillpoint([command, `p${i}.still`], { cwd: dir, timeoutMs: 20_000 });
        expect(result.timedOut, `${command} p${i}.still`).toBe(false);
        expect([0, 1, 2]).toContain(result.code);
        expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
      }
    }
  }, 300_000);
});
