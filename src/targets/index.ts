// The registry of target kinds. Each kind is imported only when a plan uses it, so that
// commands that never copy do not load koffi or spawn anything.

import type { SecretStore } from '../base/secret.ts';
import type { TargetPlan } from '../plan/types.ts';
import type { Target } from './target.ts';

/** `secrets` reveals a target's credentials (restic's password); the tree target has none. */
export async function createTarget(plan: TargetPlan, secrets: SecretStore): Promise<Target> {
  switch (plan.kind) {
    case 'tree': {
      const { TreeTarget } = await import('./tree/index.ts');
      return new TreeTarget(plan.path);
    }
    case 'restic': {
      const { createResticTarget } = await import('./restic/restic.ts');
      return createResticTarget(plan, secrets);
    }
    case 'exec': {
      const { createExecTarget } = await import('./exec/exec.ts');
      return createExecTarget(plan, secrets);
    }
  }
}
