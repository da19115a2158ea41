// Chevrotain's checks of the grammar and of the token definitions. Every start skips them (they
// cost `stillpoint check` some 20 ms and can only find mistakes in src/language/, never in a
// script), so this test is where they run: an ambiguous alternative, a left-recursive rule or a
// token pattern that can never match fails here.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { StillParser, stillParser } from '../../src/language/parser.ts';
import { stillLexer } from '../../src/language/lexer.ts';

describe("Chevrotain's grammar checks", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('find nothing wrong with the parser', () => {
    // With checks, Chevrotain throws on what it finds, every error in one message.
    let checked: StillParser | undefined;
    expect(() => (checked = new StillParser({ checks: true }))).not.toThrow();
    // The grammar checked is the one that runs.
    expect(checked!.getSerializedGastProductions()).toEqual(stillParser().getSerializedGastProductions());
  });

  it('find nothing wrong with the token definitions', () => {
    // Errors are thrown; warnings (a pattern the lexer cannot optimise, ...) are printed.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => stillLexer({ checks: true })).not.toThrow();
    expect(warn).not.toHaveBeenCalled();
  });
});
