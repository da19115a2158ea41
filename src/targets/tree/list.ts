// What `stillpoint list` shows of a tree target: its complete snapshots, oldest first, and
// the names of unfinished ones (a run in progress or killed), which are never shown as good.

import { listSnapshots } from './layout.ts';

export interface ListedSnapshot {
  id: string;
  /** ISO-8601 UTC, from the snapshot's name. */
  time: string;
  status: 'succeeded' | 'partial';
  files: number;
  bytes: number;
  /** Files shared with the previous snapshot through hard links. */
  linked: number;
  skipped: number;
  volumes: string[];
}

export async function listTree(targetDir: string): Promise<{ snapshots: ListedSnapshot[]; incomplete: string[] }> {
  const { complete, incomplete } = await listSnapshots(targetDir);
  return {
    snapshots: complete.map(({ id, time, summary }) => ({
      id,
      time: time.toISOString(),
      status: summary.status,
      files: summary.files,
      bytes: summary.bytes,
      linked: summary.linked,
      skipped: summary.skipped,
      volumes: summary.volumes.map((v) => v.volume),
    })),
    incomplete,
  };
}
