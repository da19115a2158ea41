import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SecretStore } from '../../../src/base/secret.ts';
import { createTarget } from '../../../src/targets/index.ts';
import type { CopySource, TargetContext } from '../../../src/targets/target.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(output: string[]): TargetContext {
  return {
    runId: 'r', job: 'j', hostname: 'h', started: new Date(), signal: new AbortController().signal, ignoreReadErrors: false, snapshots: [],
    env: { STILLPOINT_JOB: 'j', STILLPOINT_SNAPSHOT_PATHS: '/snap/a,/snap/b dir' },
    progress: () => {}, skipped: () => {}, warn: () => {}, output: (_s, line) => output.push(line),
  };
}

const sources: CopySource[] = ['/snap/a', '/snap/b dir'].map((readPath, i) => ({
  volume: `v${i}`, root: `/vol${i}`, readPath, include: [], exclude: [], excludeSystemFiles: true, oneFileSystem: true,
}));

it('snapshot_paths becomes one argument per path, no shell, with the hook environment', async () => {
  const out = path.join(dir, 'args.txt');
  const secrets = new SecretStore();
  const target = await createTarget(
    {
      kind: 'exec',
      program: '/bin/sh',
      args: ['-c', 'for a in "$@"; do printf "%s\\n" "$a"; done > "$OUT"; echo "job=$STILLPOINT_JOB"', 'sh', { snapshotPaths: true }, '$(not expanded)'],
      stallTimeoutMs: 10_000,
      origin: 't:1:1',
    },
    secrets,
  );
  const output: string[] = [];
  process.env.OUT = out;
  const result = await target.write(sources, context(output));
  delete process.env.OUT;
  expect(result.status).toBe('succeeded');
  expect(readFileSync(out, 'utf8')).toBe('/snap/a\n/snap/b dir\n$(not expanded)\n');
  expect(output).toEqual(['job=j']);
});

it('a non-zero exit fails the target, naming the program and the code', async () => {
  const target = await createTarget({ kind: 'exec', program: '/bin/sh', args: ['-c', 'echo oops >&2; exit 4'], stallTimeoutMs: 10_000, origin: 't:1:1' }, new SecretStore());
  const output: string[] = [];
  await expect(target.write(sources, context(output))).rejects.toThrow(/target exec \/bin\/sh -c 'echo oops >&2; exit 4' exited with code 4/);
  expect(output).toEqual(['oops']);
});

it('a secret argument reaches the program but not the error text', async () => {
  const secrets = new SecretStore();
  const target = await createTarget({ kind: 'exec', program: '/bin/sh', args: ['-c', 'test "$1" = "$EXPECTED" && exit 9', 'sh', secrets.add('hunter2')], stallTimeoutMs: 10_000, origin: 't:1:1' }, secrets);
  process.env.EXPECTED = 'hunter2';
  const error = await target.write(sources, context([])).catch((e: Error) => e);
  delete process.env.EXPECTED;
  expect((error as Error).message).toMatch(/exited with code 9/);
  expect((error as Error).message).not.toContain('hunter2');
});

it('a program that stops making progress is stopped at its stall-timeout, naming it', async () => {
  const target = await createTarget({ kind: 'exec', program: '/bin/sh', args: ['-c', 'echo copying; sleep 60'], stallTimeoutMs: 400, origin: 't:1:1' }, new SecretStore());
  const output: string[] = [];
  const started = performance.now();
  await expect(target.write(sources, context(output))).rejects.toThrow(/^target exec \/bin\/sh -c 'echo copying; sleep 60' made no progress for 400ms \(stall-timeout\) and was stopped: no output and no data read or written; its output is above$/);
  expect(performance.now() - started).toBeLessThan(10_000);
  expect(output).toEqual(['copying']);
});
