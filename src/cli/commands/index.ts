// The list of commands. A command module is cheap to import: it only declares options and
// loads its implementation inside the action.

import type { Command } from 'commander';
import { define as check } from './check.ts';
import { define as plan } from './plan.ts';
import { define as list } from './list.ts';
import { define as restore } from './restore.ts';
import { define as verify } from './verify.ts';
import { define as run } from './run.ts';
import { define as providers } from './providers.ts';
import { define as cleanup } from './cleanup.ts';
import { define as writers } from './writers.ts';
import { define as schedule } from './schedule.ts';
import { define as fmt } from './fmt.ts';
import { define as lsp } from './lsp.ts';

export type SetExitCode = (code: number) => void;
export type DefineCommand = (program: Command, setExitCode: SetExitCode) => void;

export const COMMANDS: DefineCommand[] = [
  check,
  plan,
  list,
  restore,
  verify,
  run,
  providers,
  cleanup,
  writers,
  schedule,
  fmt,
  lsp,
];
