// Loaded with --import into a CLI run by young-generation.test.ts: writes the largest size the
// main thread's young generation (V8's new space) reached, in bytes, to YOUNG_GENERATION_OUT.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { youngGenerationBytes } from '../../src/base/young-generation.ts';

if (isMainThread) {
  let largest = 0;
  const sample = () => (largest = Math.max(largest, youngGenerationBytes()));
  setInterval(sample, 20).unref();
  process.on('exit', () => {
    sample();
    writeFileSync(process.env.YOUNG_GENERATION_OUT!, String(largest));
  });
}
