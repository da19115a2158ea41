// Runs one live tree-target write in its own process (a system test starts it as an
// unprivileged user) and prints the result and the skipped files as JSON.
// Usage: node write-child.ts <target-dir> <source-dir>

import { TreeTarget } from '../../../src/targets/tree/index.ts';
import { recordingContext, sourceOf } from './context.ts';

const [target, source] = process.argv.slice(2) as [string, string];
const context = recordingContext();
const result = await new TreeTarget(target).write([sourceOf(source, { live: { retries: 2, retryDelayMs: 50 } })], context);
process.stdout.write(JSON.stringify({ result, skipped: context.skippedFiles }));
