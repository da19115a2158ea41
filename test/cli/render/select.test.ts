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

describe('createRenderer loads Ink and React only for the TUI', () => {
  // A child Node records every module it resolves (module.registerHooks), then creates each
  // renderer in turn; cron and CI runs (plain, json) must not pay for loading React.
  const script = `
    import { registerHooks } from 'node:module';
    const resolved = [];
    registerHooks({ resolve(specifier, context, next) { resolved.push(specifier); return next(specifier, context); } });
    const { createRenderer } = await import(${JSON.stringify(new URL('../../../src/cli/render/select.ts', import.meta.url).href)});
    const { PassThrough } = await import('node:stream');
    const heavy = () => resolved.filter((s) => s === 'ink' || s === 'react').length > 0;
    const seen = {};
    for (const mode of ['plain', 'json', 'tui']) {
      const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
      stdout.resume();
      const stdin = Object.assign(new PassThrough(), { isTTY: false });
      const renderer = await createRenderer({ mode, stdout, stdin, onCancel() {} });
      await renderer.close();
      seen[mode] = heavy();
    }
    process.stdout.write(JSON.stringify(seen));
  `;

  it('plain and json leave them unloaded; tui loads them', async () => {
    const { execFileSync } = await import('node:child_process');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(output.slice(output.lastIndexOf('{')))).toEqual({ plain: false, json: false, tui: true });
  });
});
