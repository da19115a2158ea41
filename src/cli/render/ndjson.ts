// The NDJSON renderer (`--json`): exactly the event objects, one per line, nothing else, so
// that PowerShell or a remote viewer can rebuild every other view from it.

import type { EventSink } from '../../events/types.ts';
import { drained, type RenderOutput } from './output.ts';

export function createNdjsonRenderer(options: { out: RenderOutput }): EventSink & { close(): Promise<void> } {
  return {
    emit(event) {
      options.out.write(`${JSON.stringify(event)}\n`);
    },
    close: () => drained(options.out),
  };
}
