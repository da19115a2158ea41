// A run killed while it holds a VSS snapshot set: the set outlives it (the double, unlike the
// VSS service, cannot drop a dead requester's shadow copies; on Windows a killed requester's
// non-persistent set is dropped by VSS, and this is the path for what it does not drop), and
// cleanupLeftovers finds it through the ledger and deletes it.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { ProviderPlan } from '../../../src/plan/types.ts';
import { vssProvider } from '../../../src/providers/vss/index.ts';
import { command, describeWith, linux } from '../../support/requirements.ts';
import { buildDouble, mingwHeaders, useDouble } from './double.ts';

const plan: ProviderPlan = { name: 'vss', context: 'backup', includeWriters: [], excludeWriters: [], requireWriters: [], timeoutMs: 60_000, origin: 'test' };
const FIXTURE = join(import.meta.dirname, 'fixtures', 'hold-set.ts');

let env: Awaited<ReturnType<typeof useDouble>> | undefined;
const children: ChildProcess[] = [];

/** Starts the fixture and resolves with each JSON line it prints, until `until` accepts one. */
function start(root: string, timeoutMs: number, until: (line: Record<string, unknown>) => boolean): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  const child = spawn(process.execPath, [FIXTURE, root, String(timeoutMs)], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      if (until(line)) resolve({ child, line });
    });
    child.on('exit', (code) => reject(new Error(`fixture exited with ${code}: ${stderr}`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function ledger(): string[] {
  const dir = join(env!.state, 'vss');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describeWith('a run killed while it holds a VSS snapshot set', [linux(), command('gcc', 'apt-get install gcc'), mingwHeaders()], () => {
  beforeAll(() => buildDouble(), 120_000);

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) await kill(child);
    await env?.dispose();
    env = undefined;
  });

  it('leaves a set that cleanupLeftovers deletes, and only that one', async () => {
    env = await useDouble({ writers: [['Stable Writer', 'stable']], asyncMs: 15 });
    const root = join(env.root, 'volume');
    mkdirSync(root);
    writeFileSync(join(root, 'books.db'), 'ledger');

    const { child, line } = await start(root, 60_000, (l) => 'setId' in l);
    expect(readFileSync(join(String(line.path), 'books.db'), 'utf8')).toBe('ledger');
    // While the run is alive, its set is not a leftover.
    expect(await vssProvider.cleanupLeftovers([], plan, 'nightly')).toEqual([]);
    await kill(child);

    const setDir = String(line.path).split('/').slice(0, -1).join('/');
    expect(existsSync(setDir)).toBe(true);
    expect(ledger()).toHaveLength(1);
    expect(await vssProvider.cleanupLeftovers([], plan, 'another-job')).toEqual([]);
    expect(await vssProvider.cleanupLeftovers([], plan, 'nightly')).toEqual([line.setId]);
    expect(existsSync(setDir)).toBe(false);
    expect(ledger()).toEqual([]);
  });

  it('recovers from a run killed during DoSnapshotSet: the next set starts, the record is cleared', async () => {
    env = await useDouble({ writers: [['Slow Writer', 'freeze-timeout']], asyncMs: 15, hangMs: 60_000 });
    const root = join(env.root, 'volume');
    mkdirSync(root);
    const { child } = await start(root, 60_000, (l) => 'started' in l);
    // Wait until the set is recorded (just before DoSnapshotSet), then kill mid-set.
    for (let i = 0; i < 200 && ledger().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(ledger()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    await kill(child);
    expect(existsSync(join(env.store, '.set-in-progress'))).toBe(true); // its lock, held by a dead process

    // Nothing was snapshotted, so nothing is deleted, but the record goes.
    expect(await vssProvider.cleanupLeftovers([], plan, 'nightly')).toEqual([]);
    expect(ledger()).toEqual([]);

    // A dead holder does not block the next snapshot set.
    process.env.STILLPOINT_VSS_DOUBLE = process.env.STILLPOINT_VSS_DOUBLE!.replace('Slow Writer:freeze-timeout', 'Stable Writer:stable');
    const set = await vssProvider.createSnapshotSet([{ name: 'C:', root }], { ...plan, timeoutMs: 5_000 } as ProviderPlan, {
      runId: 'run-2', job: 'nightly', signal: new AbortController().signal, freezeTimeoutMs: 1_000, snapshotTimeoutMs: 10_000,
      runDuringFreezeHooks: async () => {}, warn: () => {},
    });
    await set.release();
  });
});
