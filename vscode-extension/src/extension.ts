// The VS Code side of Stillpoint: starts the language server (bundled in dist/server.js, or
// the command the `stillpoint.server.command` setting names) for .still files.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace.getConfiguration('stillpoint').get<string[]>('server.command', []);
  const server: ServerOptions =
    command.length > 0
      ? { command: command[0]!, args: command.slice(1), transport: TransportKind.stdio }
      : { module: context.asAbsolutePath('dist/server.js'), transport: TransportKind.stdio };
  client = new LanguageClient('stillpoint', 'Stillpoint', server, {
    documentSelector: [{ language: 'stillpoint' }],
  });
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
