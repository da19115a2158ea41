// `stillpoint lsp` as an editor starts it: a process speaking LSP on stdin/stdout.

import { describe, expect, it } from 'vitest';
import { lspStdioSession } from './stdio-session.ts';

const bin = new URL('../../bin/stillpoint.js', import.meta.url).pathname;

describe('stillpoint lsp', () => {
  it('serves diagnostics over stdio and exits after shutdown and exit', async () => {
    const { diagnostics, exitCode, stderr } = await lspStdioSession(process.execPath, [bin, 'lsp', '--stdio'], 'job "a" {\n  volume "/srv"\n  hook befor-backup run "x"\n}\n');
    const stage = diagnostics.find((d) => d.range.start.line === 2);
    expect(stage?.range, stderr).toEqual({ start: { line: 2, character: 7 }, end: { line: 2, character: 19 } });
    expect(stage?.message).toContain('before-backup');
    expect(exitCode).toBe(0);
  });
});
