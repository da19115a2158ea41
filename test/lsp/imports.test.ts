// Scripts that import each other, open in the editor together: re-checks of importers,
// definition and hover across imports, import links, workspace symbols, references and rename.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentLink, Hover, Location, SymbolInformation, WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startServer, withCursor, type TestClient } from './client.ts';

let client: TestClient;
let dir: string;
const uriOf = (name: string) => pathToFileURL(join(dir, name)).href;
const errorsOf = (published: { diagnostics: { severity?: number; code?: number | string }[] }) => published.diagnostics.filter((d) => d.severity === 1).map((d) => d.code);
const importer = (name: string) => `import "${name}"\njob "a" {\n  volume "/srv"\n  provider copy\n  target tree path(root, "a")\n}\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stillpoint-lsp-imports-'));
  client = await startServer();
});
afterAll(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('open importers', () => {
  it('are checked again when the file they import changes, against its unsaved text', async () => {
    writeFileSync(join(dir, 'common.still'), 'let root = "/b"\n');
    await client.open(uriOf('common.still'), 'let root = "/b"\n');
    const first = await client.open(uriOf('one.still'), importer('common.still'));
    const second = await client.open(uriOf('two.still'), importer('common.still'));
    expect(errorsOf(first)).toEqual([]);
    expect(errorsOf(second)).toEqual([]);

    // Unsaved: the file on disk still binds `root`.
    const one = client.nextDiagnostics(uriOf('one.still'));
    const two = client.nextDiagnostics(uriOf('two.still'));
    await client.change(uriOf('common.still'), 'let rot = "/b"\n');
    expect(errorsOf(await one)).toEqual(['unknown-name']);
    expect(errorsOf(await two)).toEqual(['unknown-name']);

    const fixed = client.nextDiagnostics(uriOf('one.still'));
    await client.change(uriOf('common.still'), 'let root = "/b"\n');
    expect(errorsOf(await fixed)).toEqual([]);
  });

  it('are checked again when a file they import changes on disk (didChangeWatchedFiles)', async () => {
    writeFileSync(join(dir, 'disk.still'), 'let root = "/b"\n');
    expect(errorsOf(await client.open(uriOf('three.still'), importer('disk.still')))).toEqual([]);
    writeFileSync(join(dir, 'disk.still'), 'let root = nope\n');
    const next = client.nextDiagnostics(uriOf('three.still'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf('disk.still'), type: 2 }] });
    const published = await next;
    expect(errorsOf(published)).toEqual(['unknown-name']);
    expect(published.diagnostics[0]!.range.start).toEqual({ line: 0, character: 7 });
  });
});

describe('across imports', () => {
  async function at<T>(method: string, name: string, marked: string, extra: object = {}): Promise<T> {
    const { text, position } = withCursor(marked);
    await client.open(uriOf(name), text);
    return (await client.connection.sendRequest(method, { textDocument: { uri: uriOf(name) }, position, ...extra })) as T;
  }

  it('goes to the let of an imported file, and hovers its value', async () => {
    writeFileSync(join(dir, 'shared.still'), '# shared\nlet base = "/mnt/backup"\n');
    const marked = 'import "shared.still"\njob "a" {\n  volume "/srv"\n  target tree path(ba|se, "a")\n}\n';
    expect(await at<Location>('textDocument/definition', 'def.still', marked)).toEqual({ uri: uriOf('shared.still'), range: { start: { line: 1, character: 4 }, end: { line: 1, character: 8 } } });
    const hover = await at<Hover>('textDocument/hover', 'hov.still', marked);
    expect((hover.contents as { value: string }).value).toBe('`let base` = `"/mnt/backup"`');
  });

  it('links each import path to its file', async () => {
    writeFileSync(join(dir, 'linked.still'), 'let x = 1\n');
    await client.open(uriOf('links.still'), '# top\nimport "linked.still"\nimport "sub/other.still"\n');
    const links = (await client.connection.sendRequest('textDocument/documentLink', { textDocument: { uri: uriOf('links.still') } })) as DocumentLink[];
    expect(links).toEqual([
      { range: { start: { line: 1, character: 7 }, end: { line: 1, character: 21 } }, target: uriOf('linked.still') },
      { range: { start: { line: 2, character: 7 }, end: { line: 2, character: 24 } }, target: uriOf('sub/other.still') },
    ]);
  });

  it('finds jobs and lets in the open scripts and the files they import', async () => {
    writeFileSync(join(dir, 'jobs.still'), 'job "ledger-imported" {\n  volume "/srv"\n}\n');
    await client.open(uriOf('symbols.still'), 'import "jobs.still"\nlet ledger_root = "/b"\njob "ledger" { volume "/srv" }\n');
    const symbols = (await client.connection.sendRequest('workspace/symbol', { query: 'LEDGER' })) as SymbolInformation[];
    expect(symbols.map((s) => `${s.name} ${s.location.uri.split('/').at(-1)}`).sort()).toEqual(['ledger symbols.still', 'ledger-imported jobs.still', 'ledger_root symbols.still']);
  });
});

describe('references and rename of a let', () => {
  const marked = 'let dir = "/b"\njob "a" {\n  volume "/srv/${dir}"\n  let dir = "/shadow"\n  target tree path(dir, "x")\n}\njob "b" { target tree d|ir }\n';

  it('finds the let and the names that refer to it, not a shadowing let', async () => {
    const { text, position } = withCursor(marked);
    await client.open(uriOf('refs.still'), text);
    const locations = (await client.connection.sendRequest('textDocument/references', { textDocument: { uri: uriOf('refs.still') }, position, context: { includeDeclaration: true } })) as Location[];
    expect(locations.map((l) => [l.range.start.line, l.range.start.character])).toEqual([[0, 4], [2, 17], [6, 22]]);
  });

  it('renames the let and its uses, and refuses a name that is not one', async () => {
    const { text, position } = withCursor(marked);
    const uri = uriOf('rename.still');
    await client.open(uri, text);
    const edit = (await client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position, newName: 'target_dir' })) as WorkspaceEdit;
    const renamed = TextDocument.applyEdits(TextDocument.create(uri, 'stillpoint', 1, text), edit.changes![uri]!);
    expect(renamed).toBe(text.replace('let dir = "/b"', 'let target_dir = "/b"').replace('${dir}', '${target_dir}').replace('target tree dir }', 'target tree target_dir }'));
    await expect(client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position, newName: 'not a name' })).rejects.toThrow('is not a name');
    expect(await client.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri }, position: { line: 1, character: 1 } })).toBeNull();
  });

  it('renames a let of an imported file in that file and in the open scripts that import it', async () => {
    writeFileSync(join(dir, 'base.still'), 'let root = "/b"\n');
    await client.open(uriOf('base.still'), 'let root = "/b"\n');
    await client.open(uriOf('user-one.still'), importer('base.still'));
    // Binds its own `root`: the import's is not the one it uses.
    await client.open(uriOf('user-own.still'), 'import "base.still"\nlet root = "/own"\njob "a" { target tree root }\n');
    const { text, position } = withCursor('import "base.still"\njob "b" {\n  volume "/srv"\n  target tree path(ro|ot, "b")\n}\n');
    await client.open(uriOf('user-two.still'), text);
    const edit = (await client.connection.sendRequest('textDocument/rename', { textDocument: { uri: uriOf('user-two.still') }, position, newName: 'base_dir' })) as WorkspaceEdit;
    const edited = Object.fromEntries(Object.entries(edit.changes!).map(([uri, edits]) => [uri.split('/').at(-1), edits.map((e) => `${e.range.start.line}:${e.range.start.character}`)]));
    expect(edited).toEqual({ 'base.still': ['0:4'], 'user-one.still': ['4:19'], 'user-two.still': ['3:19'] });
    const locations = (await client.connection.sendRequest('textDocument/references', { textDocument: { uri: uriOf('base.still') }, position: { line: 0, character: 5 }, context: { includeDeclaration: false } })) as Location[];
    expect(locations.map((l) => l.uri.split('/').at(-1)).sort()).toEqual(['user-one.still', 'user-two.still']);
  });
});
