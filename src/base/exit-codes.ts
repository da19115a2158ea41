// LANGUAGE.md §5: the exit codes are part of the contract with schedulers and scripts.
export const EXIT = {
  succeeded: 0,
  failed: 1,
  /** A script or usage error: nothing ran. */
  usage: 2,
  /** Completed, but files were skipped or left out. */
  partial: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
