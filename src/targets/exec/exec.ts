// `target exec PROGRAM { args ... }`: any program reads the snapshot (vshadow's -exec, rsync,
// robocopy). `snapshot_paths` in its args becomes one argument per readable path; it runs
// without a shell, with the hook environment, and its exit code decides success. Under the
// stall rule its output and the data it reads or writes are its progress.

import { describeCommand, runProcess } from '../../base/process.ts';
import { StallError } from '../../base/stall.ts';
import { expandSnapshotPaths } from '../../plan/argv.ts';
import { shown, type SecretStore } from '../../base/secret.ts';
import type { TargetPlan } from '../../plan/types.ts';
import type { CopySource, Target, TargetContext, TargetResult } from '../target.ts';

type ExecPlan = Extract<TargetPlan, { kind: 'exec' }>;

export function createExecTarget(plan: ExecPlan, secrets: SecretStore): Target {
  return {
    kind: 'exec',
    location: shown(plan.program),

    async write(sources: CopySource[], context: TargetContext): Promise<TargetResult> {
      const argv = [plan.program, ...expandSnapshotPaths(plan.args, sources.map((s) => s.readPath), 'target exec')];
      const command = { argv };
      const result = await runProcess({
        command,
        secrets,
        env: context.env,
        signal: context.signal,
        stall: { timeoutMs: plan.stallTimeoutMs },
        onLine: (stream, line) => context.output(stream, line),
      });
      if (result.aborted) throw new Error(`${describeCommand(command)} was stopped: the run was cancelled`);
      if (result.stalled) throw new StallError(`target exec ${describeCommand(command)}`, plan.stallTimeoutMs, ': no output and no data read or written; its output is above');
      if (result.exitCode !== 0) {
        const how = result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
        throw new Error(`target exec ${describeCommand(command)} ${how}; its output is above`);
      }
      return { status: 'succeeded', bytes: 0, files: 0, skipped: 0, location: shown(plan.program), details: { exitCode: 0 } };
    },

    async prune() {
      // An exec target keeps no history of its own: retention is the program's business.
      return { removed: [], kept: [] };
    },
  };
}
