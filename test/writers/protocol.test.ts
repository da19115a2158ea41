// The writer protocol driver: thaw for every writer whose freeze was called, whatever failed;
// freeze-timeout ends the whole window; step timeouts; required vs optional writers.

import { describe, expect, it } from 'vitest';
import { RunCancelled } from '../../src/engine/cancel.ts';
import type { StillpointEventBody } from '../../src/events/types.ts';
import { WriterFailed, WriterSession } from '../../src/writers/protocol.ts';
import { commandWriter } from '../engine/support/plan.ts';
import { CallLog, RecordingWriter, type Misbehaviour } from '../engine/support/recording-writer.ts';

function session(specs: Array<{ name: string; required?: boolean; timeoutMs?: number; misbehaviour?: Misbehaviour }>, signal = new AbortController().signal) {
  const log = new CallLog();
  const events: StillpointEventBody[] = [];
  const writers = specs.map((spec) => ({
    writer: new RecordingWriter(spec.name, log, spec.misbehaviour),
    plan: { ...commandWriter(spec.name, spec.required ?? true), timeoutMs: spec.timeoutMs ?? 2000 },
  }));
  const writerSession = new WriterSession({
    runId: 'r1',
    job: 'nightly',
    artifactDir: '/nonexistent',
    signal,
    emit: (body) => events.push(body),
    env: (step) => ({ STEP: step }),
  });
  for (const { writer, plan } of writers) writerSession.add(writer, plan);
  return { session: writerSession, log, events, writers: writers.map((w) => w.writer) };
}

const noLate = () => {};

describe('WriterSession.frozen', () => {
  it('freezes in order, runs the snapshot while frozen, thaws in reverse order, and reports the window', async () => {
    const { session: s, log, events, writers } = session([{ name: 'a' }, { name: 'b' }]);
    const value = await s.frozen('set-1', 5000, async () => {
      log.add('provider', 'snapshot');
      return 42;
    }, noLate);
    expect(value).toBe(42);
    expect(log.lines()).toEqual(['a:freeze', 'b:freeze', 'provider:snapshot', 'b:thaw', 'a:thaw']);
    const ended = events.find((e) => e.type === 'freeze.ended');
    expect(ended).toMatchObject({ setId: 'set-1', timedOut: false, writers: [{ writer: 'a' }, { writer: 'b' }] });
    // Each writer learns what is left of the window (for its own watchdog).
    const [first, second] = writers.map((w) => w.freezeBudgets[0]!);
    expect(first).toBeLessThanOrEqual(5000);
    expect(first).toBeGreaterThan(4000);
    expect(second).toBeLessThanOrEqual(first);
  });

  it('thaws every writer whose freeze was called when the snapshot fails', async () => {
    const { session: s, log } = session([{ name: 'a' }, { name: 'b' }]);
    await expect(
      s.frozen('set-1', 5000, async () => {
        throw new Error('ioctl failed');
      }, noLate),
    ).rejects.toThrow('ioctl failed');
    expect(log.lines()).toEqual(['a:freeze', 'b:freeze', 'b:thaw', 'a:thaw']);
  });

  it('a required writer that vetoes its freeze fails the set; it and those before it are thawed, none after it is frozen', async () => {
    const { session: s, log } = session([{ name: 'a' }, { name: 'b', misbehaviour: { veto: 'freeze' } }, { name: 'c' }]);
    const failure = s.frozen('set-1', 5000, async () => log.add('provider', 'snapshot'), noLate);
    await expect(failure).rejects.toBeInstanceOf(WriterFailed);
    await expect(failure).rejects.toThrow('writer "b" failed in freeze: b refuses to freeze');
    expect(log.lines()).toEqual(['a:freeze', 'b:freeze', 'b:thaw', 'a:thaw']);
  });

  it('ends the window at freeze-timeout: writers are thawed at once and a late snapshot is handed over', async () => {
    const { session: s, log, events } = session([{ name: 'a' }]);
    const late: string[] = [];
    const started = performance.now();
    let finishSnapshot!: (value: string) => void;
    const failure = s.frozen('set-1', 200, () => new Promise<string>((resolve) => (finishSnapshot = resolve)), (value) => late.push(value));
    await expect(failure).rejects.toThrow(/freeze window of set-1 exceeded freeze-timeout 200ms; writers were thawed/);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(1000);
    expect(log.lines()).toEqual(['a:freeze', 'a:thaw']);
    expect(events.find((e) => e.type === 'freeze.ended')).toMatchObject({ timedOut: true });
    finishSnapshot('the set');
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toEqual(['the set']);
  });

  it('a cancel during the window stops it as cancelled and still thaws', async () => {
    const controller = new AbortController();
    const { session: s, log } = session([{ name: 'a' }], controller.signal);
    const failure = s.frozen('set-1', 5000, () => new Promise(() => {}), noLate);
    setTimeout(() => controller.abort(new RunCancelled('SIGINT')), 50);
    await expect(failure).rejects.toBeInstanceOf(RunCancelled);
    expect(log.lines()).toEqual(['a:freeze', 'a:thaw']);
  });

  it('a thaw that fails for a required writer fails the set after the others were thawed', async () => {
    const { session: s, log } = session([{ name: 'a' }, { name: 'b', misbehaviour: { veto: 'thaw' } }]);
    await expect(s.frozen('set-1', 5000, async () => 'ok', noLate)).rejects.toThrow('writer "b" failed in thaw');
    expect(log.lines()).toEqual(['a:freeze', 'b:freeze', 'b:thaw', 'a:thaw']);
  });
});

describe('WriterSession steps', () => {
  it('each step runs under the writer\'s own timeout', async () => {
    const { session: s, log } = session([{ name: 'slow', timeoutMs: 100, misbehaviour: { hang: 'prepare-snapshot' } }]);
    await expect(s.prepareSnapshot('set-1')).rejects.toThrow('writer "slow" failed in prepare-snapshot: writer "slow" prepare-snapshot did not finish within 100ms');
    expect(log.lines()).toEqual(['slow:prepare-snapshot', 'slow:prepare-snapshot-abandoned']);
  });

  it('an optional writer that fails is reported and takes no further part', async () => {
    const { session: s, log, events } = session([{ name: 'a' }, { name: 'opt', required: false, misbehaviour: { veto: 'prepare-backup' } }]);
    await s.prepareBackup(undefined);
    await s.prepareSnapshot('set-1');
    expect(log.lines()).toEqual(['a:prepare-backup', 'opt:prepare-backup', 'a:prepare-snapshot']);
    expect(events).toContainEqual(expect.objectContaining({ type: 'writer.state', writer: 'opt', state: 'failed', step: 'prepare-backup' }));
    expect(s.names).toEqual(['a']);
  });

  it('closes every writer once', async () => {
    const { session: s, log } = session([{ name: 'a' }, { name: 'b' }]);
    await s.close();
    await s[Symbol.asyncDispose]();
    expect(log.lines()).toEqual(['a:close', 'b:close']);
  });
});
