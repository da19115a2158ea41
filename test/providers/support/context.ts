// A SnapshotContext for provider tests: what the engine would pass, with the during-freeze
// hooks replaced by a function the test chooses.

import type { SnapshotContext } from '../../../src/providers/provider.ts';

export function snapshotContext(overrides: Partial<SnapshotContext> = {}): SnapshotContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    runId: '20261123T093000Z-test',
    job: 'nightly',
    signal: new AbortController().signal,
    freezeTimeoutMs: 10_000,
    snapshotTimeoutMs: 60_000,
    runDuringFreezeHooks: async () => {},
    warn: (message) => warnings.push(message),
    warnings,
    ...overrides,
  };
}
