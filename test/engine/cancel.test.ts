import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RunCancelled, cancelOnSignals } from '../../src/engine/cancel.ts';

describe('cancelOnSignals', () => {
  it('aborts on the first SIGINT or SIGTERM, reports every signal, and lets go of them when disposed', () => {
    const target = new EventEmitter();
    const seen: string[] = [];
    {
      using cancellation = cancelOnSignals((name, count) => seen.push(`${name}#${count}`), target);
      expect(cancellation.signal.aborted).toBe(false);
      target.emit('SIGTERM');
      expect(cancellation.signal.reason).toBeInstanceOf(RunCancelled);
      expect(cancellation.signal.reason.message).toBe('cancelled by SIGTERM');
      // A second signal is reported (the CLI says cleanup is still running) but changes nothing.
      target.emit('SIGINT');
      expect(cancellation.signal.reason.message).toBe('cancelled by SIGTERM');
      expect(target.listenerCount('SIGINT')).toBe(1);
    }
    expect(seen).toEqual(['SIGTERM#1', 'SIGINT#2']);
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(0);
  });

  it('cancels on request too (the terminal view\'s q)', () => {
    using cancellation = cancelOnSignals(() => {}, new EventEmitter());
    cancellation.cancel('the user');
    expect(cancellation.signal.reason.message).toBe('cancelled by the user');
  });
});
