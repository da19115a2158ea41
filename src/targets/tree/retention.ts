// `keep last N, daily N, weekly N, monthly N` (LANGUAGE.md §4.4), with restic's `forget`
// semantics: `last` keeps the N newest snapshots; `daily`/`weekly`/`monthly` keep the newest
// snapshot of each of the N most recent days / ISO weeks / months that have one (UTC); a
// snapshot is kept when any rule keeps it. The newest snapshot is always kept, and with no
// rule at all nothing is removed.

import type { KeepPlan } from '../../plan/types.ts';
import { listSnapshots, removeSnapshot } from './layout.ts';

export interface Dated {
  id: string;
  time: Date;
}

type Bucket = (time: Date) => string;

function isoWeek(time: Date): string {
  // ISO 8601: the week with the year's first Thursday is week 1; weeks start on Monday.
  const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const BUCKETS: Record<Exclude<keyof KeepPlan, 'last'>, Bucket> = {
  daily: (t) => t.toISOString().slice(0, 10),
  weekly: isoWeek,
  monthly: (t) => t.toISOString().slice(0, 7),
};

/** Splits snapshots (any order) into kept and removed, both newest first. */
export function applyKeep<T extends Dated>(snapshots: T[], keep: KeepPlan): { keep: T[]; remove: T[] } {
  const newestFirst = [...snapshots].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
  const hasRule = Object.values(keep).some((n) => n !== undefined);
  if (!hasRule) return { keep: newestFirst, remove: [] };
  const kept = new Set<T>();
  if (newestFirst[0]) kept.add(newestFirst[0]);
  newestFirst.slice(0, keep.last ?? 0).forEach((s) => kept.add(s));
  for (const [rule, bucket] of Object.entries(BUCKETS) as Array<[keyof typeof BUCKETS, Bucket]>) {
    let left = keep[rule] ?? 0;
    let lastKey: string | undefined;
    for (const snapshot of newestFirst) {
      if (left <= 0) break;
      const key = bucket(snapshot.time);
      if (key === lastKey) continue;
      lastKey = key;
      kept.add(snapshot);
      left--;
    }
  }
  return { keep: newestFirst.filter((s) => kept.has(s)), remove: newestFirst.filter((s) => !kept.has(s)) };
}

/** Removes the complete snapshots `keep` does not hold; unfinished folders are not touched. */
export async function pruneSnapshots(targetDir: string, keep: KeepPlan): Promise<{ removed: string[]; kept: string[] }> {
  const { complete } = await listSnapshots(targetDir);
  const decision = applyKeep(complete, keep);
  const removed: string[] = [];
  for (const snapshot of decision.remove) {
    await removeSnapshot(targetDir, snapshot.id);
    removed.push(snapshot.id);
  }
  return { removed, kept: decision.keep.map((s) => s.id) };
}
