// Whether the program a `stillpoint.server.command` setting names can be started, checked
// before the language client tries: the client's own failure is a generic "couldn't create
// connection to server" with a spawn error behind it, which does not say what to fix.

import which from 'which';

/** What is wrong with `command`, as a sentence that says what to do; undefined when its program is found. */
export async function serverCommandProblem(command: readonly string[], path = process.env.PATH): Promise<string | undefined> {
  const program = command[0];
  if (program === undefined || program.trim() === '') return 'The setting stillpoint.server.command is empty: remove it to use the bundled server, or name a program, e.g. ["stillpoint", "lsp"].';
  if ((await which(program, { nothrow: true, ...(path === undefined ? {} : { path }) })) !== null) return undefined;
  const where = /[\\/]/.test(program) ? 'does not exist or cannot be run' : 'was not found on the PATH';
  return `\`${program}\` (setting stillpoint.server.command) ${where}. Install Stillpoint, give its full path (["/usr/local/bin/stillpoint", "lsp"]), or remove the setting to use the bundled server.`;
}
