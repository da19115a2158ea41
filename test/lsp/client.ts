// A real JSON-RPC client talking to the language server over in-memory streams (no editor).

import { PassThrough } from 'node:stream';
import {
  createConnection,
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { serve } from '../../src/lsp/server.ts';

export interface TestClient {
  connection: ProtocolConnection;
  /** What the server answered to `initialize`. */
  initialized: InitializeResult;
  /** Opens (or, for an open document, changes) a document and waits for its diagnostics. */
  open(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  change(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  /** The next diagnostics published for `uri`, whatever causes them. */
  nextDiagnostics(uri: string): Promise<PublishDiagnosticsParams>;
  close(): void;
}

/** `workspaceFolders`: the folders the editor opened (file: URIs); none when absent. */
export async function startServer(workspaceFolders?: string[]): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  serve(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  const connection = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const waiting = new Map<string, (params: PublishDiagnosticsParams) => void>();
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    waiting.get(params.uri)?.(params);
    waiting.delete(params.uri);
  });
  connection.listen();
  const initialized = await connection.sendRequest<InitializeResult>('initialize', { processId: null, rootUri: null, capabilities: { workspace: { workspaceFolders: true } }, workspaceFolders: workspaceFolders?.map((uri) => ({ uri, name: uri })) ?? null });
  await connection.sendNotification('initialized', {});
  const versions = new Map<string, number>();
  const published = (uri: string) => new Promise<PublishDiagnosticsParams>((resolve) => waiting.set(uri, resolve));
  return {
    connection,
    initialized,
    async open(uri, text) {
      const result = published(uri);
      versions.set(uri, 1);
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'stillpoint', version: 1, text } });
      return result;
    },
    nextDiagnostics: published,
    async change(uri, text) {
      const result = published(uri);
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      return result;
    },
    close() {
      connection.dispose();
      toServer.end();
      toClient.end();
    },
  };
}

/** Text with a `|` cursor marker: the text without it, and the marker's LSP position. */
export function withCursor(marked: string): { text: string; position: { line: number; character: number } } {
  const at = marked.indexOf('|');
  if (at === -1) throw new Error('no | cursor marker in the test text');
  const before = marked.slice(0, at);
  const lines = before.split('\n');
  return { text: before + marked.slice(at + 1), position: { line: lines.length - 1, character: lines.at(-1)!.length } };
}
