// The CLI's `run` limits the main thread's young generation (src/cli/main.ts, src/base/young-generation.ts):
// left to V8, a backup of many small files grew it to 128 MiB on Node 24, a third of the
// process's peak memory at 1,000,000 files (bench/results/tree-memory.md). A real run: the
// copy provider and the tree target over 20,000 files, which grew it to 32 MiB.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_LIMIT_BYTES } from '../../src/base/young-generation.ts';
import { startCli } from '../engine/support/cli.ts';

const FILES = 20_000;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stillpoint-young-generation-'));
  const volume = join(dir, 'volume');
  for (let i = 0; i < FILES; i++) {
    const folder = join(volume, `d${Math.floor(i / 50)}`);
    if (i % 50 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${i}.txt`), `file ${i}\n`.repeat(1 + (i % 7)));
  }
  writeFileSync(join(dir, 'backup.still'), `job "many-files" {\n  volume '${volume}'\n  provider copy\n  target tree '${join(dir, 'backups')}'\n}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI\'s main thread', () => {
  it('keeps its young generation within the limit through a backup of 20,000 files', { timeout: 180_000 }, async () => {
    const out = join(dir, 'young-generation');
    const probe = join(import.meta.dirname, 'young-generation-probe.ts');
    const run = await startCli(['run', join(dir, 'backup.still'), '--json'], {
      STILLPOINT_STATE_DIR: join(dir, 'state'),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${JSON.stringify(probe)}`.trim(),
      YOUNG_GENERATION_OUT: out,
    }).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    expect(run.events.find((e) => e.type === 'copy.finished')).toMatchObject({ files: FILES });
    const largest = Number(readFileSync(out, 'utf8'));
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(YOUNG_GENERATION_LIMIT_BYTES);
  });
});
