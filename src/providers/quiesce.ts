// The quiesce gate (LANGUAGE.md §5 step 4): wait until the volumes' block devices saw no writes
// for `idle`, at most `within`. Activity is read from the kernel's own counters, the "sectors
// written" field of /sys/class/block/<dev>/stat, so it sees every writer on the machine, not
// only the ones Stillpoint knows about.
//
// The counters move when data reaches the device, not when a program calls write(): data
// waiting in the page cache is written back up to vm.dirty_expire_centisecs later (30 s by
// default), so a program that wrote just before the gate can still show up as activity.

import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { basename } from 'node:path';

/** Field 7 of the stat file (Documentation/block/stat.rst): sectors written. */
const SECTORS_WRITTEN_FIELD = 6;
const POLL_MS = 100;

export type QuietResult = { quiet: true; waitedMs: number } | { quiet: false; waitedMs: number; quietForMs: number };

/** The stat file of a block device: partitions, loop and device-mapper devices included. */
export async function blockStatPath(device: string): Promise<string> {
  const problem = `the quiesce gate cannot watch ${device}: it needs the block device behind each volume`;
  // /dev/mapper/vg-lv and /dev/disk/by-uuid/... are links to the kernel's name (dm-0, sda1).
  const name = basename(await realpath(device).catch(() => {
    throw new Error(`${problem}, and ${device} does not exist`);
  }));
  const statPath = `/sys/class/block/${name}/stat`;
  if (!existsSync(statPath)) throw new Error(`${problem}, and ${device} has no ${statPath}`);
  return statPath;
}

async function sectorsWritten(statPath: string): Promise<bigint> {
  const fields = (await readFile(statPath, 'utf8')).trim().split(/\s+/);
  return BigInt(fields[SECTORS_WRITTEN_FIELD] ?? '0');
}

/**
 * Resolves when none of `devices` was written to for `idleMs`, or after `withinMs` with
 * `quiet: false` (the caller applies on-timeout proceed | fail). Calls onWaiting about once a
 * second with how long the devices have been quiet so far.
 */
export async function waitForQuiet(
  devices: string[],
  idleMs: number,
  withinMs: number,
  signal: AbortSignal,
  onWaiting: (quietForMs: number) => void,
): Promise<QuietResult> {
  const statPaths = await Promise.all([...new Set(devices)].map(blockStatPath));
  const read = async () => Promise.all(statPaths.map(sectorsWritten));
  const started = performance.now();
  let last = await read();
  let quietSince = started;
  let lastReport = started;
  for (;;) {
    const now = performance.now();
    if (now - quietSince >= idleMs) return { quiet: true, waitedMs: Math.round(now - started) };
    if (now - started >= withinMs) return { quiet: false, waitedMs: Math.round(now - started), quietForMs: Math.round(now - quietSince) };
    if (now - lastReport >= 1000) {
      lastReport = now;
      onWaiting(Math.round(now - quietSince));
    }
    await sleep(Math.min(POLL_MS, idleMs - (now - quietSince), withinMs - (now - started)), signal);
    const current = await read();
    if (current.some((sectors, index) => sectors !== last[index])) quietSince = performance.now();
    last = current;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
