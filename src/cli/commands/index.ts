// The list of commands. A command module is cheap to import: it only declares options and
// loads its implementation inside the action.

import type { Command } from 'commander';

export type SetExitCode = (code: number) => void;
export type DefineCommand = (program: Command, setExitCode: SetExitCode) => void;

export const COMMANDS: DefineCommand[] = [];
