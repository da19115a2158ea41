// A WriterContext for writer tests: a step signal that the test can abort, and a fresh
// artifact directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WriterContext } from '../../src/writers/writer.ts';

export function writerContext(extra: Partial<WriterContext> = {}): WriterContext {
  return {
    runId: 'run-7',
    job: 'ledger',
    signal: new AbortController().signal,
    env: {},
    artifactDir: mkdtempSync(join(tmpdir(), 'sp-artifacts-')),
    ...extra,
  };
}
