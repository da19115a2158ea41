import { describe, expect, it } from 'vitest';
import { createNdjsonRenderer } from '../../../src/cli/render/ndjson.ts';
import { EventSequence, providerFallbackRun, scanningCopyRun, successfulRun } from '../../support/event-sequences.ts';
import { CapturedOutput } from './capture.ts';

describe('NDJSON renderer', () => {
  it('writes exactly the events, one per line, which parse back to the same objects', async () => {
    for (const run of [successfulRun(), providerFallbackRun(), scanningCopyRun(3, 5)]) {
      const out = new CapturedOutput();
      const renderer = createNdjsonRenderer({ out });
      for (const event of run.events) renderer.emit(event);
      await renderer.close();
      expect(out.text.endsWith('\n')).toBe(true);
      const lines = out.text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(run.events.length);
      expect(lines.map((line) => JSON.parse(line))).toEqual(run.events);
    }
  });

  it('keeps a hook line with newlines and escape codes on one NDJSON line', () => {
    const s = new EventSequence();
    s.emit({ type: 'hook.output', hookId: 'h1', stream: 'stdout', line: 'a\nb\u001b[2J' });
    const out = new CapturedOutput();
    createNdjsonRenderer({ out }).emit(s.events[0]!);
    expect(out.lines()).toHaveLength(1);
    expect(out.text).not.toContain('\u001b');
    expect(JSON.parse(out.lines()[0]!)).toEqual(s.events[0]);
  });
});
