// The bounds that keep reading an untrusted script finite (SECURITY.md). Each is far above
// what a real backup script needs; crossing one is an error that names the limit.

/** Bytes in one script file. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;
/** Bytes in a script and everything it imports, together. */
export const MAX_IMPORT_GRAPH_BYTES = 8 * 1024 * 1024;
/** Files in a script's import graph, the script included. */
export const MAX_IMPORTED_FILES = 256;
/** Jobs in a script and its imports. */
export const MAX_JOBS = 1000;
/** Characters in one string, written or computed. */
export const MAX_STRING_LENGTH = 64 * 1024;
/** Repetitions of `for` bodies, all loops of a script together. */
export const MAX_LOOP_ITERATIONS = 10_000;
/** Evaluations of a script that is only read, to check each branch of the `if`s known only at run time. */
export const MAX_BRANCH_PASSES = 16;
/** Brackets, blocks and operators nested inside each other. */
export const MAX_NESTING = 100;

/** Diagnostics shown for one script; the rest are counted. */
export const MAX_DIAGNOSTICS = 100;

/** "1 MiB", "64 KiB". */
export function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}
