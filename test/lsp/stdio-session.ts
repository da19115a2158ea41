// `stillpoint lsp --stdio` as an editor drives it, in a process of its own: initialize, open
// one document, wait for its diagnostics, shut down and exit.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type InitializeResult, type PublishDiagnosticsParams } from 'vscode-languageserver/node';

export interface StdioSession {
  initialized: InitializeResult;
  diagnostics: PublishDiagnosticsParams['diagnostics'];
  exitCode: number | null;
  stderr: string;
}

/** Runs `command ...args` (which must start the server on stdio) through one editor session on `text`. */
export async function lspStdioSession(command: string, args: string[], text: string, env: NodeJS.ProcessEnv = process.env): Promise<StdioSession> {
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification('textDocument/publishDiagnostics', resolve));
  connection.listen();
  try {
    const initialized = await connection.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: 'untitled:one.still', languageId: 'stillpoint', version: 1, text } });
    const { diagnostics } = await published;
    await connection.sendRequest('shutdown');
    const exited = once(server, 'exit');
    await connection.sendNotification('exit');
    const [exitCode] = (await exited) as [number | null];
    return { initialized, diagnostics, exitCode, stderr };
  } finally {
    connection.dispose();
    server.kill();
  }
}
