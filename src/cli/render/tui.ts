// The TUI renderer: mounts the Ink app on the terminal and feeds it events. This module is
// the only one that loads Ink and React, and createRenderer imports it only for the TUI.

import { createElement } from 'react';
import { render } from 'ink';
import type { EventSink } from '../../events/types.ts';
import { App } from '../../tui/app.ts';
import { RunStore } from '../../tui/store.ts';

export interface TuiRendererOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  onCancel: () => void;
  noColor: boolean;
  /** Frames per second at most (default 15); 0 draws after every event. */
  maxFps?: number;
}

/** The freeze timer reads well at this rate, and a copy's many progress events cost no more
 * than this many redraws. */
const DEFAULT_MAX_FPS = 15;

export function createTuiRenderer(options: TuiRendererOptions): EventSink & { close(): Promise<void> } {
  const maxFps = options.maxFps ?? DEFAULT_MAX_FPS;
  const store = new RunStore({ notifyEveryMs: maxFps > 0 ? 1000 / maxFps : 0 });
  const instance = render(
    createElement(App, { store, onCancel: options.onCancel, interactive: Boolean(options.stdin.isTTY), noColor: options.noColor }),
    { stdout: options.stdout, stdin: options.stdin, exitOnCtrlC: false, patchConsole: false, maxFps },
  );
  return {
    emit: (event) => store.apply(event),
    async close() {
      // Let React commit the last events before Ink draws its final frame.
      store.flush();
      await new Promise((resolve) => setImmediate(resolve));
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
