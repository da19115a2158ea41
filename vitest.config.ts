import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // System tests create loop devices and servers; two cores, so keep the parallelism honest.
    maxWorkers: 2,
  },
});
