import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/tui/store.ts';
import { cancelledRun } from '../support/event-sequences.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RunStore', () => {
  it('tells subscribers at most once per interval however many events arrive, and never loses the last', async () => {
    const store = new RunStore({ notifyEveryMs: 80 });
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.version));
    const events = cancelledRun().untilCancel.events;
    for (const event of events) store.apply(event);
    // The first event is told at once; the rest wait for the next frame.
    expect(seen).toEqual([1]);
    await sleep(120);
    expect(seen).toEqual([1, events.length]);
    expect(store.summary.jobs[0]!.targets[0]!.filesDone).toBe(20_000);
  });

  it('tells at once on flush and when a cancel is asked for', () => {
    const store = new RunStore({ notifyEveryMs: 10_000 });
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.version));
    const [first, second, third] = cancelledRun().untilCancel.events;
    store.apply(first!);
    store.apply(second!);
    expect(seen).toEqual([1]);
    store.flush();
    expect(seen).toEqual([1, 2]);
    store.apply(third!);
    store.markCancelling();
    expect(seen).toEqual([1, 2, 4]);
    expect(store.cancelling).toBe(true);
  });

  it('keeps the last three hook lines, each with the stage of its hook', () => {
    const store = new RunStore();
    const s = cancelledRun().untilCancel;
    s.hook('h5', 'after-snapshot', 'sh', ['a', 'b', 'c', 'd']);
    for (const event of s.events) store.apply(event);
    expect(store.hookTail.map((l) => `${l.stage}| ${l.line}`)).toEqual(['after-snapshot| b', 'after-snapshot| c', 'after-snapshot| d']);
  });
});
