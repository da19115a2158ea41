// The evaluator never throws: for any text the parser accepts (or recovers from), loading
// gives diagnostics and, when there is no error, a plan that the schema accepts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCKS, BLOCK_KINDS, FUNCTIONS, HOOK_STAGES, PROVIDERS, TARGET_KINDS, VALUES, WRITER_KINDS } from '../../src/language/catalog.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { evalText } from './helpers.ts';

const keywords = [...new Set(BLOCK_KINDS.flatMap((k) => BLOCKS[k].statements.map((s) => s.keyword)))];
const words = [...PROVIDERS, ...WRITER_KINDS, ...HOOK_STAGES, ...TARGET_KINDS].map((w) => w.name);
const literals = ['"/srv"', "'C:\\x'", '"${job}"', '"${env("X")}"', '3', '1.5', '20%', '10s', '0s', '5GiB', 'C:', 'true', 'false', 'none', '[]', '["a", 1]', 'snapshot_paths', 'secret("pw")', ...VALUES.map((v) => v.name), ...FUNCTIONS.map((f) => `${f.name}("a")`)];
const token = fc.oneof(
  fc.constantFrom(...keywords),
  fc.constantFrom(...words),
  fc.constantFrom(...literals),
  fc.constantFrom('{', '}', ',', '\n', '=', '??', '==', 'and', 'not', 'let x =', 'if true', 'if exists("a")', 'else if file("b") == "c"', 'else', 'for i in [1]', 'job j', 'defaults', 'sh { echo }'),
);

describe('evaluation of arbitrary scripts', () => {
  it('never throws, and every plan it gives validates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 60 }), async (tokens) => {
        const result = await evalText(`job j {\n  volume "/srv"\n  ${tokens.join(' ')}\n}\n`);
        for (const d of result.diagnostics) expect(d.summary.length).toBeGreaterThan(0);
        if (result.plan) expect(await validatePlan(JSON.parse(JSON.stringify(result.plan)))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
