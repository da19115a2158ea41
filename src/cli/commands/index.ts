// The list of commands. A command module is cheap to import: it only declares options and
// loads its implementation inside the action.

import type { Command } from 'commander';
import { define as list } from './list.ts';
import { define as restore } from './restore.ts';
import { define as verify } from './verify.ts';

export type SetExitCode = (code: number) => void;
export type DefineCommand = (program: Command, setExitCode: SetExitCode) => void;

export const COMMANDS: DefineCommand[] = [
  list,
  restore,
  verify,
];
