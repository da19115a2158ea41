// Renders the TUI app with ink-testing-library at a fixed clock, fed with events.
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import type { StillpointEvent } from '../../src/events/types.ts';
import { App } from '../../src/tui/app.ts';
import { RunStore } from '../../src/tui/store.ts';

export function renderApp(options: { events: StillpointEvent[]; nowMs: number; interactive?: boolean; noColor?: boolean; onCancel?: () => void; tickMs?: number }) {
  const store = new RunStore();
  for (const event of options.events) store.apply(event);
  let nowMs = options.nowMs;
  const clock = () => nowMs;
  const app = render(
    createElement(App, { store, onCancel: options.onCancel ?? (() => {}), interactive: options.interactive ?? false, noColor: options.noColor ?? true, now: clock, tickMs: options.tickMs ?? 10_000 }),
  );
  return {
    ...app,
    store,
    setNow(ms: number) {
      nowMs = ms;
    },
  };
}
