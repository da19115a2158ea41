// The vss provider against the real Volume Shadow Copy Service: runs only on Windows, elevated
// (the Windows workflow, .github/workflows/windows.yml). It proves what the Linux double can
// not: that vssapi.dll accepts the sequence and the shadow copy's device path is readable. The
// workflow's CLI step adds a file held open without sharing, which only a shadow copy can read.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ProviderPlan } from '../../src/plan/types.ts';
import { vssProvider } from '../../src/providers/vss/index.ts';
import { describeWith, windows, type Requirement } from '../support/requirements.ts';

function elevated(): Requirement {
  let ok = false;
  if (process.platform === 'win32') {
    try {
      execFileSync('net', ['session'], { stdio: 'ignore' });
      ok = true;
    } catch {
      ok = false;
    }
  }
  return { ok, reason: 'needs an elevated prompt (VSS requesters must be administrators or Backup Operators)', expectedMissing: process.platform !== 'win32' };
}

const plan: ProviderPlan = { name: 'vss', context: 'backup', includeWriters: [], excludeWriters: [], requireWriters: [], timeoutMs: 300_000, origin: 'vss-windows.test.ts' };

describeWith('vss provider on real Windows', [windows(), elevated()], () => {
  it('snapshots a folder on C:, reads the files from the shadow copy, and releases', async () => {
    const root = await mkdtemp('C:\\stillpoint-vss-test-');
    try {
      mkdirSync(join(root, 'data'));
      writeFileSync(join(root, 'data', 'plain.txt'), 'plain\n');
      const volume = { name: 'data', root: join(root, 'data') };
      expect(await vssProvider.probe(volume, plan)).toEqual({ available: true });
      const states: string[] = [];
      const set = await vssProvider.createSnapshotSet([volume], plan, {
        runId: 'windows-test',
        job: 'windows-test',
        signal: new AbortController().signal,
        freezeTimeoutMs: 10_000,
        snapshotTimeoutMs: 300_000,
        runDuringFreezeHooks: async () => {},
        warn: () => {},
        writerState: (u) => states.push(`${u.writer}:${u.state}`),
      });
      try {
        expect(set.snapshots[0]!.snapshotPath).toMatch(/^\\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy\d+\\/);
        expect(readFileSync(join(set.snapshots[0]!.snapshotPath, 'plain.txt'), 'utf8')).toBe('plain\n');
        expect(states.length).toBeGreaterThan(0); // Windows always has writers (System Writer, Registry Writer...)
        await set.backupComplete!(true);
      } finally {
        await set.release();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 600_000);
});

