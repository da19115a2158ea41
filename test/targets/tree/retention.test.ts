import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyKeep, pruneSnapshots } from '../../../src/targets/tree/retention.ts';
import { snapshotBaseName } from '../../../src/targets/tree/layout.ts';
import { tempDir } from './fixture.ts';

const at = (iso: string) => ({ id: snapshotBaseName(new Date(iso)), time: new Date(iso) });
const ids = (list: Array<{ id: string }>) => list.map((s) => s.id).sort();

// Two snapshots a day for 70 days, ending Thu 2026-03-12.
const SNAPSHOTS = Array.from({ length: 140 }, (_, i) => {
  const time = new Date(Date.UTC(2026, 2, 12, i % 2 === 0 ? 22 : 10) - Math.floor(i / 2) * 86_400_000);
  return { id: snapshotBaseName(time), time };
});

describe('retention (keep)', () => {
  it('keeps the N newest with `last`', () => {
    expect(ids(applyKeep(SNAPSHOTS, { last: 3 }).keep)).toEqual(ids(SNAPSHOTS.slice(0, 3)));
  });

  it('keeps the newest snapshot of each of the N most recent days', () => {
    const { keep } = applyKeep(SNAPSHOTS, { daily: 3 });
    expect(ids(keep)).toEqual(['2026-03-10T220000Z', '2026-03-11T220000Z', '2026-03-12T220000Z']);
  });

  it('keeps the newest snapshot of each ISO week and month', () => {
    // 2026-03-12 is in ISO week 11; week 10 ends Sun 03-08, week 9 ends Sun 03-01.
    expect(ids(applyKeep(SNAPSHOTS, { weekly: 3 }).keep)).toEqual(['2026-03-01T220000Z', '2026-03-08T220000Z', '2026-03-12T220000Z']);
    expect(ids(applyKeep(SNAPSHOTS, { monthly: 2 }).keep)).toEqual(['2026-02-28T220000Z', '2026-03-12T220000Z']);
  });

  it('keeps the union of the rules', () => {
    const { keep, remove } = applyKeep(SNAPSHOTS, { last: 2, daily: 2, monthly: 3 });
    expect(ids(keep)).toEqual(['2026-01-31T220000Z', '2026-02-28T220000Z', '2026-03-11T220000Z', '2026-03-12T100000Z', '2026-03-12T220000Z']);
    expect(keep.length + remove.length).toBe(SNAPSHOTS.length);
  });

  it('counts ISO weeks across a year boundary', () => {
    // Mon 2024-12-30 and Sun 2025-01-05 are both in 2025-W01.
    const list = [at('2024-12-29T12:00:00Z'), at('2024-12-30T12:00:00Z'), at('2025-01-05T12:00:00Z')];
    expect(ids(applyKeep(list, { weekly: 5 }).keep)).toEqual(['2024-12-29T120000Z', '2025-01-05T120000Z']);
  });

  it('never removes the newest snapshot, and removes nothing without a rule', () => {
    expect(ids(applyKeep(SNAPSHOTS, { last: 0 }).keep)).toEqual([SNAPSHOTS[0]!.id]);
    expect(applyKeep(SNAPSHOTS, {}).remove).toEqual([]);
  });

  it('removes complete snapshots from disk and leaves unfinished folders alone', async () => {
    using target = tempDir('keep');
    const names = ['2026-01-01T000000Z', '2026-01-02T000000Z', '2026-01-02T000000Z-01', '2026-01-03T000000Z'];
    for (const name of names) {
      mkdirSync(join(target.path, name, 'vol'), { recursive: true });
      writeFileSync(join(target.path, name, 'snapshot.json'), JSON.stringify({ format: 'stillpoint-tree', volumes: [] }));
    }
    mkdirSync(join(target.path, '.partial-2026-01-04T000000Z'));
    const result = await pruneSnapshots(target.path, { daily: 2 });
    expect(result).toEqual({ removed: ['2026-01-02T000000Z', '2026-01-01T000000Z'], kept: ['2026-01-03T000000Z', '2026-01-02T000000Z-01'] });
    expect(readdirSync(target.path).sort()).toEqual(['.partial-2026-01-04T000000Z', '2026-01-02T000000Z-01', '2026-01-03T000000Z']);
  });
});
