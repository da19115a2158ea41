// The real engine parts, with a test's own real writers and providers put in where a test
// needs a component that misbehaves on cue.

import type { ProviderName } from '../../../src/plan/types.ts';
import type { SnapshotProvider } from '../../../src/providers/provider.ts';
import type { Writer } from '../../../src/writers/writer.ts';
import type { EventSink, StillpointEvent } from '../../../src/events/types.ts';
import { realParts, type EngineParts } from '../../../src/engine/parts.ts';
import type { CallLog } from './recording-writer.ts';

export function partsWith(options: { writers?: Writer[]; providers?: Partial<Record<ProviderName, SnapshotProvider>> } = {}): EngineParts {
  return {
    ...realParts,
    loadProvider: async (name) => options.providers?.[name] ?? realParts.loadProvider(name),
    createWriter: async (plan, secrets) => options.writers?.find((w) => w.name === plan.name) ?? realParts.createWriter(plan, secrets),
  };
}

/** A provider that is available and fails to create its set, as a real one does when its tool errs. */
export function failingProvider(name: ProviderName, log: CallLog, message: string): SnapshotProvider {
  return {
    name,
    probe: async () => ({ available: true }),
    createSnapshotSet: async () => {
      log.add(name, 'create');
      throw new Error(message);
    },
    cleanupLeftovers: async () => [],
  };
}

export class EventLog implements EventSink {
  readonly events: StillpointEvent[] = [];

  emit(event: StillpointEvent): void {
    this.events.push(event);
  }

  ofType<T extends StillpointEvent['type']>(type: T): Array<Extract<StillpointEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<StillpointEvent, { type: T }> => e.type === type);
  }
}
