// The VS Code side of Stillpoint: starts the language server (bundled in dist/server.js, or
// the command the `stillpoint.server.command` setting names) for .still files, restarts it
// when that setting changes or on "Stillpoint: Restart Language Server", and says plainly
// when the configured command cannot start.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type ServerOptions } from 'vscode-languageclient/node';
import { serverCommandProblem } from './server-command.ts';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('stillpoint.restartServer', () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('stillpoint.server')) void restart(context);
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running?.isRunning()) await running.stop();
  else await running?.dispose();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  // In an untrusted workspace the workspace's own value of this setting is ignored
  // (package.json: restrictedConfigurations), so a cloned folder cannot run a program.
  const command = vscode.workspace.getConfiguration('stillpoint').get<string[]>('server.command', []);
  const problem = command.length > 0 ? await serverCommandProblem(command) : undefined;
  if (problem !== undefined) return offerFix(context, problem);
  const server: ServerOptions =
    command.length > 0
      ? { command: command[0]!, args: command.slice(1), transport: TransportKind.stdio }
      : { module: context.asAbsolutePath('dist/server.js'), transport: TransportKind.stdio };
  const starting = new LanguageClient('stillpoint', 'Stillpoint', server, {
    documentSelector: [{ language: 'stillpoint' }],
    // The message below says what went wrong; the client's own would only repeat it less clearly.
    initializationFailedHandler: () => false,
  });
  client = starting;
  try {
    await starting.start();
  } catch (error) {
    if (client === starting) client = undefined;
    await starting.dispose().catch(() => undefined);
    const what = command.length > 0 ? `\`${command.join(' ')}\` (setting stillpoint.server.command)` : 'the bundled language server';
    await offerFix(context, `${what} could not start: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

async function offerFix(context: vscode.ExtensionContext, problem: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(`Stillpoint: ${problem}`, 'Open Settings', 'Restart Language Server');
  if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'stillpoint.server.command');
  if (choice === 'Restart Language Server') await restart(context);
}
