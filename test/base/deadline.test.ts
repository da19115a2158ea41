import { describe, expect, it } from 'vitest';
import { DeadlineExceeded, formatMs, withDeadline } from '../../src/base/deadline.ts';

describe('withDeadline', () => {
  it('returns what the step returns in time', async () => {
    expect(await withDeadline(async () => 7, { what: 'step', timeoutMs: 1000 })).toBe(7);
  });

  it('moves on at the deadline even if the step ignores its signal, and hands over what it yields late', async () => {
    const late: number[] = [];
    let stepSignal: AbortSignal | undefined;
    let finish!: (value: number) => void;
    const started = performance.now();
    await expect(
      withDeadline(
        (signal) => {
          stepSignal = signal;
          return new Promise<number>((resolve) => (finish = resolve));
        },
        { what: 'writer "books" freeze', timeoutMs: 100, late: (value) => late.push(value) },
      ),
    ).rejects.toThrow(new DeadlineExceeded('writer "books" freeze did not finish within 100ms'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(stepSignal?.aborted).toBe(true);
    finish(5);
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toEqual([5]);
  });

  it('stops with the enclosing signal\'s reason', async () => {
    const outer = new AbortController();
    const pending = withDeadline(() => new Promise(() => {}), { what: 'step', timeoutMs: 10_000, signal: outer.signal });
    outer.abort(new Error('cancelled by SIGINT'));
    await expect(pending).rejects.toThrow('cancelled by SIGINT');
  });

  it('formats durations the way scripts write them', () => {
    expect([formatMs(250), formatMs(10_000), formatMs(1500), formatMs(120_000)]).toEqual(['250ms', '10s', '1.5s', '2m']);
  });
});
