// What the lifecycle calls out to: providers, volumes, targets, writers, hooks. The engine
// takes them as one value so that a run is assembled in one place; the real parts are
// imported lazily, so a dry run or a `copy`-only run never loads koffi or a database driver.

import type { HookPlan, ProviderName, TargetPlan, WriterPlan } from '../plan/types.ts';
import type { SecretStore } from '../base/secret.ts';
import type { SnapshotProvider, VolumeInfo } from '../providers/provider.ts';
import type { Target } from '../targets/target.ts';
import type { Writer } from '../writers/writer.ts';
import type { HookRunContext } from './hooks.ts';

export interface EngineParts {
  loadProvider(name: ProviderName): Promise<SnapshotProvider>;
  resolveVolume(path: string): Promise<VolumeInfo>;
  createTarget(plan: TargetPlan, secrets: SecretStore): Promise<Target>;
  createWriter(plan: WriterPlan, secrets: SecretStore): Promise<Writer>;
  runHooks(hooks: HookPlan[], context: HookRunContext): Promise<void>;
}

export const realParts: EngineParts = {
  loadProvider: async (name) => (await import('../providers/index.ts')).loadProvider(name),
  resolveVolume: async (path) => (await import('../providers/volume-info.ts')).resolveVolume(path),
  createTarget: async (plan, secrets) => (await import('../targets/index.ts')).createTarget(plan, secrets),
  createWriter: async (plan, secrets) => (await import('../writers/index.ts')).createWriter(plan, secrets),
  runHooks: async (hooks, context) => (await import('./hooks.ts')).runHooks(hooks, context),
};
