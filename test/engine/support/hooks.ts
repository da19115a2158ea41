// A hook and the context runHooks needs, for the hook tests (sh/pwsh on Linux, cmd on Windows).

import type { HookRunContext } from '../../../src/engine/hooks.ts';
import type { StillpointEventBody } from '../../../src/events/types.ts';
import type { HookAction, HookPlan, HookStage } from '../../../src/plan/types.ts';
import { SecretStore } from '../../../src/base/secret.ts';

export function hook(stage: HookStage, actions: HookAction[], extra: Partial<HookPlan> = {}): HookPlan {
  return { stage, actions, timeoutMs: 10_000, stallTimeoutMs: 60_000, allowFailure: false, env: {}, origin: 'nightly.still:7:3', ...extra };
}

/** A context of job "ledger", run "run-42", with its events recorded. */
export function hookContext(stage: HookStage, extra: Partial<HookRunContext> = {}) {
  const events: StillpointEventBody[] = [];
  const ctx: HookRunContext = {
    runId: 'run-42',
    job: 'ledger',
    stage,
    volumes: ['/srv/ledger', '/srv/media'],
    volumeIds: ['uuid-1', 'uuid-2'],
    hookEnv: 'stillpoint',
    secrets: new SecretStore(),
    signal: new AbortController().signal,
    emit: (e) => events.push(e),
    ...extra,
  };
  return { ctx, events };
}
