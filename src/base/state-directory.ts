// Where Stillpoint keeps what must outlive one run: the engine's job locks, stamps and
// snapshot-set records (src/engine/state.ts) and the providers' ledgers of shadow copies.

import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * $STILLPOINT_STATE_DIR; on Windows %ProgramData%\Stillpoint (one place for every account:
 * a scheduled task runs as SYSTEM or a Backup Operator, `cleanup` perhaps as someone else);
 * elsewhere /var/lib/stillpoint as root, else the XDG state home.
 */
export function stateDirectory(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.STILLPOINT_STATE_DIR) return env.STILLPOINT_STATE_DIR;
  if (platform === 'win32') return win32.join(env.ProgramData || `${env.SystemDrive || 'C:'}\\ProgramData`, 'Stillpoint');
  if (uid === 0) return '/var/lib/stillpoint';
  return posix.join(env.XDG_STATE_HOME || posix.join(homedir(), '.local', 'state'), 'stillpoint');
}
