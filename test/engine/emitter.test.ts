import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/engine/emitter.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { EventLog } from './support/parts.ts';

describe('Emitter', () => {
  it('numbers, timestamps and stamps every event, and scrubs secrets from every string, however deep', () => {
    const secrets = new SecretStore();
    secrets.add('s3cr3t-pass');
    const sink = new EventLog();
    const times = [new Date('2026-11-23T10:00:00.000Z'), new Date('2026-11-23T10:00:01.500Z')];
    const emitter = new Emitter({ runId: 'r1', sinks: [sink], secrets, now: () => times.shift()! });
    emitter.emit({ type: 'warning', message: 'password s3cr3t-pass rejected', detail: 'x' });
    emitter.forJob('nightly')({
      type: 'snapshot-set.created',
      setId: 'set-1',
      provider: 'btrfs',
      snapshots: [{ volume: '/srv/s3cr3t-pass', snapshotPath: '/snap' }],
      durationMs: 3,
    });
    expect(sink.events).toEqual([
      { v: 1, seq: 1, time: '2026-11-23T10:00:00.000Z', runId: 'r1', type: 'warning', message: 'password *** rejected', detail: 'x' },
      {
        v: 1,
        seq: 2,
        time: '2026-11-23T10:00:01.500Z',
        runId: 'r1',
        job: 'nightly',
        type: 'snapshot-set.created',
        setId: 'set-1',
        provider: 'btrfs',
        snapshots: [{ volume: '/srv/***', snapshotPath: '/snap' }],
        durationMs: 3,
      },
    ]);
  });
});
