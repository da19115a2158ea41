// The VS Code extension packaged as CI packages it (npm run vsix): the .vsix holds the
// grammar, the language configuration and the bundled server, and that server works on its own
// on the oldest Node an editor it claims to support runs it with.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { olderNodeBin } from '../support/older-node.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver/node';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
// The Node of each VS Code release whose extension host moved to a newer Node: 1.101 was the
// first on Electron 35 (Node 22.15.1); 1.91 to 1.100 ran Node 20, which Chevrotain 13 cannot.
const EXTENSION_HOST_NODE: Record<string, string> = { '1.101.0': '22.15.1' };
// That Node, pinned (scripts/install-old-nodes.sh).
const oldestNode = join(olderNodeBin('22.15.1'), 'node');
let vsix: string;
let unpacked: string;

beforeAll(async () => {
  const build = await run('npm', ['run', '--silent', 'vsix'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  vsix = build.stdout.trim().split('\n').at(-1)!;
  unpacked = mkdtempSync(join(tmpdir(), 'stillpoint-vsix-'));
  await run('unzip', ['-q', vsix, '-d', unpacked]);
}, 180_000);
afterAll(() => {
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

describe('stillpoint .vsix', () => {
  it('contains the grammar, the language configuration, the snippets, the client and the server bundle', async () => {
    const { stdout } = await run('unzip', ['-l', vsix]);
    for (const file of ['extension/package.json', 'extension/language-configuration.json', 'extension/dist/stillpoint.tmLanguage.json', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/snippets/stillpoint.json', 'extension/LICENSE.md', 'extension/readme.md']) {
      expect(stdout).toContain(file);
    }
    expect(stdout).not.toContain('node_modules');
    expect(stdout).not.toContain('extension/src/');
    expect(readFileSync(join(unpacked, 'extension/dist/stillpoint.tmLanguage.json'), 'utf8')).toBe(readFileSync(join(root, 'grammar/stillpoint.tmLanguage.json'), 'utf8'));
  });

  it('has a client that type-checks against the VS Code API of its engines version', async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', join(root, 'vscode-extension')]).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));
    expect('failed' in result, result.stdout).toBe(false);
  });

  it('names files in its manifest that it contains', () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'extension/package.json'), 'utf8'));
    const paths = [manifest.main, ...manifest.contributes.grammars.map((g: { path: string }) => g.path), ...manifest.contributes.languages.map((l: { configuration: string }) => l.configuration), ...manifest.contributes.snippets.map((s: { path: string }) => s.path)];
    for (const path of paths) expect(() => readFileSync(join(unpacked, 'extension', path)), path).not.toThrow();
    expect(manifest.contributes.languages[0].extensions).toEqual(['.still']);
  });

  it('registers the commands it contributes, and in untrusted workspaces ignores a server command the workspace sets', () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'extension/package.json'), 'utf8'));
    const client = readFileSync(join(unpacked, 'extension/dist/extension.js'), 'utf8');
    const commands = manifest.contributes.commands.map((c: { command: string }) => c.command);
    expect(commands).toContain('stillpoint.restartServer');
    for (const command of commands) expect(client, command).toContain(`"${command}"`);
    expect(manifest.capabilities.untrustedWorkspaces).toMatchObject({ supported: 'limited', restrictedConfigurations: ['stillpoint.server.command'] });
    expect(Object.keys(manifest.contributes.configuration.properties)).toEqual(['stillpoint.server.command']);
  });

  it('says which server command cannot start, and what to do, before the client tries it', async () => {
    // Imported here, by a path the type-checker does not follow (the extension is a CommonJS
    // project of its own): its `which` comes with the extension's packages, which the build installs.
    const module = join(root, 'vscode-extension/src/server-command.ts');
    const { serverCommandProblem } = (await import(module)) as { serverCommandProblem: (command: string[], path?: string) => Promise<string | undefined> };
    expect(await serverCommandProblem(['stillpoint-not-installed', 'lsp'])).toMatch(/^`stillpoint-not-installed` \(setting stillpoint.server.command\) was not found on the PATH\. Install Stillpoint/);
    expect(await serverCommandProblem(['/nowhere/stillpoint', 'lsp'])).toContain('`/nowhere/stillpoint` (setting stillpoint.server.command) does not exist or cannot be run');
    expect(await serverCommandProblem(['', 'lsp'])).toContain('is empty');
    expect(await serverCommandProblem([process.execPath, join(root, 'bin/stillpoint.js'), 'lsp'])).toBeUndefined();
    expect(await serverCommandProblem(['node', 'lsp'], join(process.execPath, '..'))).toBeUndefined();
  });

  it('claims only VS Code releases whose extension host runs Node 22, and is tested on the oldest one', async () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'extension/package.json'), 'utf8'));
    const minimum = /^\^(\d+\.\d+\.\d+)$/.exec(manifest.engines.vscode)?.[1];
    expect(minimum && EXTENSION_HOST_NODE[minimum], `engines.vscode ${manifest.engines.vscode}`).toBeDefined();
    const { stdout } = await run(oldestNode, ['--version']);
    expect(stdout.trim()).toBe(`v${EXTENSION_HOST_NODE[minimum!]}`);
  });

  it('runs the bundled server on its own on that Node: a broken script gets its diagnostics', async () => {
    const server = spawn(oldestNode, [join(unpacked, 'extension/dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
    try {
      const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification('textDocument/publishDiagnostics', resolve));
      connection.listen();
      const init = (await connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} })) as { capabilities: Record<string, unknown> };
      expect(init.capabilities).toMatchObject({ hoverProvider: true, documentFormattingProvider: true, definitionProvider: true });
      await connection.sendNotification('initialized', {});
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: 'untitled:broken.still', languageId: 'stillpoint', version: 1, text: 'job "a" {\n  volume "/srv"\n  provider copy\n  freeze-timeout 5GiB\n  target tree "/b"\n}\n' } });
      const { diagnostics } = await published;
      expect(diagnostics.map((d) => d.range.start)).toContainEqual({ line: 3, character: 17 });
    } finally {
      connection.dispose();
      server.kill();
    }
  });
});
