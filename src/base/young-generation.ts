// A ceiling on V8's young generation. V8 grows a thread's young generation with what survives
// its collections: on Node 24 up to 128 MiB for the main thread, which a backup of many small
// files reaches and keeps (the entries in flight are always alive and always new), and that was
// a third of the process's peak memory at 1,000,000 files (bench/results/tree-memory.md). A
// --max-semi-space-size set at run time comes too late (V8 sized the heap at start) and
// NODE_OPTIONS is the user's; but V8 reads its growth factor each time it would grow the young
// generation, so a factor of 1 set once the limit is reached holds it there. Not smaller: the
// main thread of a 200,000-file backup collected its young generation 73 times with V8's
// sizing, 367 times limited at 16 MiB, 2,909 times held at its starting 2 MiB (pauses of
// 1.4, 3.9 and 8.2 s on a loaded machine; bench/results/tree-memory.md).

import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation's size (both semi-spaces) at which it stops growing. */
export const YOUNG_GENERATION_LIMIT_BYTES = 16 * 1024 * 1024;

let limited = false;

/** The bytes of the young generation (V8's new space) of this thread. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * From the collection at which this thread's young generation has reached `limit` on, no
 * thread of the process grows its own any more (the flag is the process's). Once a process.
 */
export function limitYoungGeneration(limit = YOUNG_GENERATION_LIMIT_BYTES): void {
  if (limited) return;
  limited = true;
  const hold = (): boolean => {
    if (youngGenerationBytes() < limit) return false;
    setFlagsFromString('--semi-space-growth-factor=1');
    return true;
  };
  if (hold()) return;
  const observer = new PerformanceObserver(() => hold() && observer.disconnect());
  observer.observe({ entryTypes: ['gc'] });
}
