// A TargetContext for tests that records what the target reports.

import type { SkipReason } from '../../../src/events/types.ts';
import type { CopyProgress, CopySource, TargetContext } from '../../../src/targets/target.ts';

export interface RecordingContext extends TargetContext {
  skippedFiles: Array<{ path: string; reason: SkipReason; detail: string }>;
  warnings: string[];
  progressed: CopyProgress[];
}

export function recordingContext(overrides: Partial<TargetContext> = {}): RecordingContext {
  const skippedFiles: RecordingContext['skippedFiles'] = [];
  const warnings: string[] = [];
  const progressed: CopyProgress[] = [];
  return {
    runId: 'test-run',
    job: 'test',
    hostname: 'test-host',
    started: new Date(),
    signal: new AbortController().signal,
    ignoreReadErrors: false,
    snapshots: [],
    env: {},
    progress: (p) => progressed.push(p),
    skipped: (path, reason, detail) => skippedFiles.push({ path, reason, detail }),
    warn: (message) => warnings.push(message),
    output: () => {},
    skippedFiles,
    warnings,
    progressed,
    ...overrides,
  };
}

export function sourceOf(root: string, extra: Partial<CopySource> = {}): CopySource {
  return {
    volume: root,
    root,
    readPath: root,
    include: [],
    exclude: [],
    excludeSystemFiles: true,
    oneFileSystem: true,
    ...extra,
  };
}
