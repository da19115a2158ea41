// Chooses how a run is shown: the Ink TUI for a person at a terminal, plain lines for logs,
// NDJSON for machines. Ink and React are imported only when the TUI is chosen, so that
// `--plain` and `--json` runs (cron, CI, PowerShell) never load them.

import type { EventSink } from '../../events/types.ts';
import { createNdjsonRenderer } from './ndjson.ts';
import { createPlainRenderer } from './plain.ts';

export type RenderMode = 'auto' | 'tui' | 'plain' | 'json';

export interface RendererOptions {
  mode: RenderMode;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** Called when the person asks to cancel (q or Ctrl-C in the TUI). */
  onCancel: () => void;
  /** No colour; defaults to whether NO_COLOR is set (https://no-color.org). */
  noColor?: boolean;
}

export type Renderer = EventSink & { close(): Promise<void> };

export async function createRenderer(options: RendererOptions): Promise<Renderer> {
  const mode = options.mode === 'auto' ? autoMode(options.stdout) : options.mode;
  switch (mode) {
    case 'json':
      return createNdjsonRenderer({ out: options.stdout });
    case 'plain':
      return createPlainRenderer({ out: options.stdout });
    case 'tui': {
      const { createTuiRenderer } = await import('./tui.ts');
      return createTuiRenderer({
        stdout: options.stdout,
        stdin: options.stdin,
        onCancel: options.onCancel,
        noColor: options.noColor ?? noColorRequested(process.env),
      });
    }
  }
}

/** The TUI when a person is watching a capable terminal; plain lines otherwise. */
export function autoMode(stdout: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): 'tui' | 'plain' {
  return stdout.isTTY && env.TERM !== 'dumb' ? 'tui' : 'plain';
}

export function noColorRequested(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}
