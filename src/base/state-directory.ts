// Where Stillpoint keeps what must outlive one run: the engine's job locks, stamps and
// snapshot-set records (src/engine/state.ts) and the providers' ledgers of shadow copies.

import { homedir } from 'node:os';
import { join } from 'node:path';

/** $STILLPOINT_STATE_DIR; else /var/lib/stillpoint as root; else the XDG state home. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string {
  if (env.STILLPOINT_STATE_DIR) return env.STILLPOINT_STATE_DIR;
  if (uid === 0) return '/var/lib/stillpoint';
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'stillpoint');
}
