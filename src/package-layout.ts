// Where Stillpoint's own files are. The same code runs from two layouts: a checkout, where
// Node runs the TypeScript in src/ by type stripping, and the installed package, where
// scripts/build.ts has bundled src/ into one flat folder, dist/ (Node strips no types under
// node_modules). This module sits directly in src/, and the bundle puts its code directly in
// dist/: the package's root is the parent folder in both.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const built = !here.endsWith('.ts');

/** The checkout, or the installed package (<prefix>/lib/node_modules/stillpoint). */
export const PACKAGE_ROOT = dirname(dirname(here));

/**
 * The modules that start a process or a thread of their own, by their path under src/. The
 * build makes each an entry point named after its file (dist/<name>.js); the rest of src/ is
 * reached from these by imports.
 */
export const ENTRY_POINTS = ['cli/main', 'targets/tree/copy-worker', 'targets/tree/scan-worker', 'providers/watchdog-process'] as const;

/** The file that runs an entry point: its source in a checkout, its bundle in the package. */
export function entryPointFile(entry: (typeof ENTRY_POINTS)[number]): string {
  return built ? join(dirname(here), `${entry.slice(entry.lastIndexOf('/') + 1)}.js`) : join(dirname(here), `${entry}.ts`);
}

/**
 * A file other than code that Stillpoint reads at run time (a PowerShell script), by its path
 * under src/: there in a checkout; scripts/build.ts copies it into dist/ for the package.
 */
export function shippedFile(path: string): string {
  return built ? join(dirname(here), path.slice(path.lastIndexOf('/') + 1)) : join(dirname(here), path);
}
