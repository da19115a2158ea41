// `stillpoint lsp` as an editor starts it: a process speaking LSP on stdin/stdout.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver/node';

const bin = new URL('../../bin/stillpoint.js', import.meta.url).pathname;

describe('stillpoint lsp', () => {
  it('serves diagnostics over stdio and exits after shutdown and exit', async () => {
    const server = spawn(process.execPath, [bin, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (chunk) => (stderr += chunk));
    const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
    const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification('textDocument/publishDiagnostics', resolve));
    connection.listen();
    try {
      await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      await connection.sendNotification('initialized', {});
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: 'untitled:one.still', languageId: 'stillpoint', version: 1, text: 'job "a" {\n  volume "/srv"\n  hook befor-backup run "x"\n}\n' },
      });
      const { diagnostics } = await published;
      const stage = diagnostics.find((d) => d.range.start.line === 2);
      expect(stage?.range, stderr).toEqual({ start: { line: 2, character: 7 }, end: { line: 2, character: 19 } });
      expect(stage?.message).toContain('before-backup');
      await connection.sendRequest('shutdown');
      const exited = once(server, 'exit');
      await connection.sendNotification('exit');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      connection.dispose();
      server.kill();
    }
  });
});
