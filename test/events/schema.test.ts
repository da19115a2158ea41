// events.schema.json describes src/events/types.ts: every event of real runs validates against
// it, it rejects events that break the contract, and it names exactly the event types of the
// TypeScript union.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/engine/lifecycle.ts';
import { StateStore } from '../../src/engine/state.ts';
import schema from '../../src/events/events.schema.json' with { type: 'json' };
import { EVENT_SCHEMA_VERSION, type EventType, type StillpointEvent } from '../../src/events/types.ts';
import { SecretStore } from '../../src/base/secret.ts';
import type { JobPlan } from '../../src/plan/types.ts';
import { EventLog, failingProvider, partsWith } from '../engine/support/parts.ts';
import { commandWriter, copyProvider, job, plan, shHook, treeTarget } from '../engine/support/plan.ts';
import { CallLog, RecordingWriter } from '../engine/support/recording-writer.ts';

/** Every event type of the union; tsc fails when one is added to types.ts and not here. */
const EVENT_TYPES: Record<EventType, true> = {
  'run.started': true,
  'job.started': true,
  'stage.started': true,
  'stage.finished': true,
  'provider.skipped': true,
  'provider.chosen': true,
  'provider.failed': true,
  'snapshot-set.created': true,
  'snapshot-set.released': true,
  'freeze.started': true,
  'freeze.ended': true,
  'writer.state': true,
  'quiesce.waiting': true,
  'hook.started': true,
  'hook.output': true,
  'hook.finished': true,
  'copy.started': true,
  'copy.progress': true,
  'copy.finished': true,
  'file.skipped': true,
  'retention.pruned': true,
  warning: true,
  'dry-run.step': true,
  'job.finished': true,
  'run.finished': true,
};

const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

function problems(event: unknown): string {
  return validate(event) ? '' : JSON.stringify(validate.errors?.slice(0, 3));
}

let dir: string;
const seen: StillpointEvent[] = [];

async function record(jobPlan: JobPlan, parts = partsWith(), dryRun = false) {
  const events = new EventLog();
  await runPlan({
    plan: plan([jobPlan]),
    secrets: new SecretStore(),
    sinks: [events],
    parts,
    signal: new AbortController().signal,
    state: new StateStore(join(dir, 'state')),
    dryRun,
  });
  seen.push(...events.events);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-schema-'));
  const volume = join(dir, 'volume');
  await mkdir(volume);
  for (let i = 0; i < 20; i++) await writeFile(join(volume, `f${i}.txt`), `file ${i}\n`.repeat(100));
  const log = new CallLog();
  const hooks = [shHook('before-backup', 'echo hello; echo oops >&2'), shHook('after-backup', 'exit 3'), shHook('on-error', 'echo "$STILLPOINT_ERROR"')];
  const lvm = { name: 'lvm' as const, size: { percent: 10 }, origin: 'x:1:1' };
  // Success with writers (one optional that vetoes), retention, a failing provider that falls back.
  await record(
    job('schema', [volume], {
      providers: [lvm, copyProvider()],
      writers: [commandWriter('books'), commandWriter('cache', false)],
      hooks,
      targets: [treeTarget(join(dir, 'backups'), { last: 1 })],
    }),
    partsWith({
      writers: [new RecordingWriter('books', log), new RecordingWriter('cache', log, { veto: 'freeze' })],
      providers: { lvm: failingProvider('lvm', log, 'no space in the volume group') },
    }),
  );
  // A failure: a missing volume, a skipped provider.
  await record(job('schema', [join(dir, 'missing')], { hooks, targets: [treeTarget(join(dir, 'backups'))] }));
  // A provider that declines (btrfs on a non-btrfs folder) and a dry run.
  await record(job('schema', [volume], { providers: [{ name: 'btrfs', snapshotDir: '.snap', origin: 'x:1:1' }, copyProvider()], hooks, targets: [treeTarget(join(dir, 'backups'))] }), partsWith(), true);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('events.schema.json', () => {
  it('accepts every event of real runs', () => {
    expect(seen.length).toBeGreaterThan(50);
    for (const event of seen) expect(problems(event), `${event.type} #${event.seq}`).toBe('');
    const types = new Set(seen.map((e) => e.type));
    for (const type of ['provider.failed', 'provider.skipped', 'freeze.ended', 'writer.state', 'hook.output', 'copy.finished', 'retention.pruned', 'warning', 'dry-run.step'] as const) {
      expect(types).toContain(type);
    }
  });

  it('rejects events that break the contract', () => {
    const good = seen.find((e) => e.type === 'job.finished')!;
    expect(problems(good)).toBe('');
    expect(problems({ ...good, status: 'done' })).not.toBe('');
    expect(problems({ ...good, surprise: 1 })).not.toBe('');
    expect(problems({ ...good, seq: 0 })).not.toBe('');
    expect(problems({ ...good, v: EVENT_SCHEMA_VERSION + 1 })).not.toBe('');
    expect(problems({ ...good, type: 'job.exploded' })).not.toBe('');
    const { bytes: _bytes, ...missing } = good as Extract<StillpointEvent, { type: 'job.finished' }>;
    expect(problems(missing)).not.toBe('');
  });

  it('names exactly the event types of src/events/types.ts', () => {
    const inSchema = schema.oneOf.map((variant) => variant.properties.type.const).sort();
    expect(inSchema).toEqual(Object.keys(EVENT_TYPES).sort());
  });
});
