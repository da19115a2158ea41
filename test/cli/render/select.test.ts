import { describe, expect, it } from 'vitest';
import { autoMode, createRenderer, noColorRequested } from '../../../src/cli/render/select.ts';
import { successfulRun } from '../../support/event-sequences.ts';
import { CapturedOutput } from './capture.ts';

async function output(mode: 'auto' | 'plain' | 'json'): Promise<string> {
  const out = new CapturedOutput();
  const renderer = await createRenderer({ mode, stdout: out as unknown as NodeJS.WriteStream, stdin: process.stdin, onCancel: () => {} });
  for (const event of successfulRun().events.slice(0, 3)) renderer.emit(event);
  await renderer.close();
  return out.text;
}

describe('createRenderer', () => {
  it('renders plain lines when stdout is not a terminal', async () => {
    expect(await output('auto')).toMatch(/^2026-11-23T09:30:00Z run started/);
    expect(await output('plain')).toBe(await output('auto'));
  });

  it('renders NDJSON for json', async () => {
    const lines = (await output('json')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(successfulRun().events.slice(0, 3));
  });

  it('chooses the TUI only for a terminal that can draw it', () => {
    expect(autoMode({ isTTY: true }, { TERM: 'xterm-256color' })).toBe('tui');
    expect(autoMode({ isTTY: true }, { TERM: 'dumb' })).toBe('plain');
    expect(autoMode({ isTTY: false }, { TERM: 'xterm' })).toBe('plain');
    expect(autoMode({}, {})).toBe('plain');
  });

  it('reads NO_COLOR as the convention says: set and not empty', () => {
    expect(noColorRequested({ NO_COLOR: '1' })).toBe(true);
    expect(noColorRequested({ NO_COLOR: '' })).toBe(false);
    expect(noColorRequested({})).toBe(false);
  });
});
