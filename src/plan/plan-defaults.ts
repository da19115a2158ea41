// What the Plan holds where the script says nothing.



export const DEFAULTS = {
  freezeTimeoutMs: 10_000,
  snapshotTimeoutMs: 600_000,
  hookTimeoutMs: 300_000,
  writerTimeoutMs: 60_000,
  vssTimeoutMs: 600_000,
  stallTimeoutMs: 600_000,
  btrfsSnapshotDir: '.stillpoint',
  lvmSize: { percent: 10 },
  copyRetries: 2,
  copyRetryDelayMs: 5_000,
} as const;
