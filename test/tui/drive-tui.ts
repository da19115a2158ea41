// Drives the real TUI renderer on this process's terminal with a scripted run, at a speed a
// person could follow, for the tmux test (test/system/tui-terminal.test.ts).
//   node test/tui/drive-tui.ts succeeded|cancelled CONTROL_DIR
// Events are restamped with the wall clock as they are emitted, as the engine would stamp them.
// The succeeded scenario holds while writers are frozen until CONTROL_DIR/go-frozen exists, so
// that a test can look at the freeze timer however slow the machine is. In the cancelled
// scenario the copy stops until `q` or Ctrl-C arrives (noted in CONTROL_DIR/cancel.log), then
// the run cleans up.

import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRenderer } from '../../src/cli/render/select.ts';
import type { StillpointEvent } from '../../src/events/types.ts';
import { cancelledRun, runUntilFrozen, successfulRun } from '../support/event-sequences.ts';

const [scenario, controlDir] = process.argv.slice(2);
if ((scenario !== 'succeeded' && scenario !== 'cancelled') || !controlDir) {
  process.stderr.write('usage: node test/tui/drive-tui.ts succeeded|cancelled CONTROL_DIR\n');
  process.exit(2);
}

let cancelRequested: () => void = () => {};
const cancelled = new Promise<void>((resolve) => (cancelRequested = resolve));
const renderer = await createRenderer({
  mode: 'tui',
  stdout: process.stdout,
  stdin: process.stdin,
  onCancel: () => {
    appendFileSync(join(controlDir, 'cancel.log'), 'cancel\n');
    cancelRequested();
  },
});

/** Replays events at half their recorded pace (at most 500 ms apart), stamped now: the 0.8 s
 * freeze stays on screen for 0.4 s, long enough for the test to see it. */
async function replay(events: StillpointEvent[]): Promise<void> {
  let previous: number | undefined;
  for (const event of events) {
    const at = Date.parse(event.time);
    if (previous !== undefined) await sleep(Math.min(500, (at - previous) / 2));
    previous = at;
    renderer.emit({ ...event, time: new Date().toISOString() });
  }
}

if (scenario === 'succeeded') {
  const events = successfulRun().events;
  const frozen = runUntilFrozen().events.length;
  await replay(events.slice(0, frozen));
  while (!existsSync(join(controlDir, 'go-frozen'))) await sleep(20);
  await replay(events.slice(frozen));
} else {
  const { untilCancel, rest } = cancelledRun();
  await replay(untilCancel.events);
  await cancelled;
  // Cleaning up takes a moment in a real run: long enough to see the cancel message.
  await sleep(1500);
  await replay(rest.events);
}
await renderer.close();
