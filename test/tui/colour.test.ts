// Colour needs chalk to believe the terminal has it, decided when chalk loads: so this file
// sets FORCE_COLOR before it imports Ink (vitest runs each test file in its own module graph).
import { afterAll, describe, expect, it } from 'vitest';
import { runUntilFrozen } from '../support/event-sequences.ts';

process.env.FORCE_COLOR = '1';
const { renderApp } = await import('./render-app.ts');
afterAll(() => {
  delete process.env.FORCE_COLOR;
});

describe('TUI colour', () => {
  it('colours states on a colour terminal, and uses no colour at all under NO_COLOR', () => {
    const s = runUntilFrozen();
    const coloured = renderApp({ events: s.events, nowMs: s.nowMs, noColor: false });
    expect(coloured.lastFrame()).toMatch(/\u001b\[33mfrozen/);
    const plain = renderApp({ events: s.events, nowMs: s.nowMs, noColor: true });
    expect(plain.lastFrame()).not.toMatch(/\u001b\[(3\d|9\d)m/);
    expect(plain.lastFrame()).toContain('frozen 0.8 s of 10 s');
    coloured.unmount();
    plain.unmount();
  });
});
