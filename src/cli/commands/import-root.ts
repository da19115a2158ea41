// `--import-root DIR`, shared by the commands that read a script's imports: the folders a
// script may import from instead of its own folder tree (SECURITY.md).

import { Option } from 'commander';

export function importRootOption(): Option {
  return new Option('--import-root <dir>', "a folder imports may come from, instead of the script's own folder (repeatable)").argParser((dir: string, previous: string[] | undefined) => [...(previous ?? []), dir]);
}
