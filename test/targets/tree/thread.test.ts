import { enableCompileCache, getCompileCacheDir } from 'node:module';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../../../src/targets/tree/thread.ts';
import { tempDir } from './fixture.ts';

describe('tree target threads', () => {
  it('share the compile cache of the process, so a worker does not type-strip its modules again', async () => {
    using cache = tempDir('compile-cache');
    enableCompileCache(cache.path);
    const worker = startWorker(fileURLToPath(new URL('./compile-cache-probe.ts', import.meta.url)), { name: 'compile-cache-probe' });
    try {
      const [dir] = await once(worker, 'message');
      expect(dir).toBe(getCompileCacheDir());
      expect(dir).toContain(cache.path);
    } finally {
      await worker.terminate();
    }
  });
});
