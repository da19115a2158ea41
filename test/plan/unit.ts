// One Evaluation over a script held in memory, so that each module of the evaluator can be
// called on its own, without the loader: the statement, expression or block under test is
// parsed inside a job and handed to the module's function directly.

import type { Expr, Setting, SourceFile } from '../../src/language/ast.ts';
import { statementSpec, type BlockKind, type StatementSpec } from '../../src/language/catalog.ts';
import { parse } from '../../src/language/parse.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { Evaluation, RunTimeBranches } from '../../src/plan/evaluation.ts';
import { cronProblem } from '../../src/base/cron.ts';
import { Scope, type Ctx } from '../../src/plan/scope.ts';
import { STARTED } from './helpers.ts';

export const SCRIPT = '/scripts/main.still';

export function evaluationOf(text: string, env: Record<string, string> = {}): { ev: Evaluation; file: SourceFile; secrets: SecretStore } {
  const parsed = parse(text, SCRIPT);
  if (parsed.diagnostics.length) throw new Error(`the test's script does not parse: ${parsed.diagnostics.map((d) => d.summary).join('; ')}`);
  const secrets = new SecretStore();
  const ev = new Evaluation({
    script: SCRIPT,
    files: new Map([[SCRIPT, parsed.file]]),
    sources: new Map([[SCRIPT, text]]),
    options: { platform: 'linux', hostname: 'host1', runId: 'run-1', started: STARTED, env, runTime: true },
    secrets,
    cronProblem,
  }, { index: 0, branches: new RunTimeBranches() });
  return { ev, file: parsed.file, secrets };
}

export function jobCtx(): Ctx {
  return { scope: new Scope(), job: 'j', snapshotPaths: false };
}

/** The first statement of `job j { ... }` holding `statement`, with its catalog entry. */
export function statementOf(statement: string, block: BlockKind = 'job'): { ev: Evaluation; setting: Setting; spec: StatementSpec; ctx: Ctx; secrets: SecretStore } {
  const { ev, file, secrets } = evaluationOf(`job j {\n${statement}\n}\n`);
  const job = file.statements[0] as Setting;
  const setting = (job.body as { statements: Setting[] }).statements[0]!;
  const spec = statementSpec(block, setting.keyword.name);
  if (!spec) throw new Error(`\`${setting.keyword.name}\` is no statement of a ${block} block`);
  return { ev, setting, spec, ctx: jobCtx(), secrets };
}

/** The expression of `let x = ...`. */
export function exprOf(text: string, env: Record<string, string> = {}): { ev: Evaluation; expr: Expr } {
  const { ev, file } = evaluationOf(`let x = ${text}\n`, env);
  const statement = file.statements[0]!;
  if (statement.kind !== 'Let') throw new Error('expected a let');
  return { ev, expr: statement.value };
}

/** "code summary" of each diagnostic, for compact assertions. */
export function codes(ev: Evaluation): string[] {
  return ev.diagnostics.map((d) => `${d.code}: ${d.summary}`);
}
