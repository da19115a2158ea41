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
}

/** Frames per second at most: the freeze timer reads well at this rate and a copy's many
 * progress events cost no more than this many redraws. */
const MAX_FPS = 15;

export function createTuiRenderer(options: TuiRendererOptions): EventSink & { close(): Promise<void> } {
  const store = new RunStore({ notifyEveryMs: 1000 / MAX_FPS });
  const instance = render(
    createElement(App, { store, onCancel: options.onCancel, interactive: Boolean(options.stdin.isTTY), noColor: options.noColor }),
    { stdout: options.stdout, stdin: options.stdin, exitOnCtrlC: false, patchConsole: false, maxFps: MAX_FPS },
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
