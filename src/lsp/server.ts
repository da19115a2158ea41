// The Stillpoint language server (`stillpoint lsp`) for .still scripts: diagnostics and quick
// fixes, completion, signature help, hover, formatting, folding, symbols, definition,
// references, rename and import links.
//
// Each change re-runs the loader that `stillpoint check` runs, for the changed script and the
// open scripts that import it; there is no separate incremental parser because a full parse
// and evaluation of a 1,000-line script stays well inside the 50 ms budget
// (bench/results/lsp.md). What keeps the server responsive while someone types is that a
// check superseded by a newer one of the same script publishes nothing.

import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { hasErrors } from '../language/diagnostic.ts';
import { format } from '../language/formatter.ts';
import { codeActions } from './code-actions.ts';
import { completions } from './completion.ts';
import { foldingRanges } from './folding.ts';
import { documentPath, toLsp, type ScriptDocument } from './document.ts';
import { definition, documentSymbols, hover, importLinks, workspaceSymbols } from './navigation.ts';
import { letAt, references, rename, renameRange, type LetTarget, type Referrer } from './let-references.ts';
import { signatureHelp } from './signature-help.ts';
import { Workspace } from './workspace.ts';

/** Serves the language on `connection` until it closes. */
export function serve(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace(documents);
  const script = (uri: string) => workspace.script(uri);
  let watchFiles = false;
  let folderChanges = false;

  connection.onInitialize((params): InitializeResult => {
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    folderChanges = params.capabilities.workspace?.workspaceFolders === true;
    workspace.importRoots = workspaceFolders(params);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [' ', '(', ','] },
        hoverProvider: true,
        documentFormattingProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentLinkProvider: {},
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        foldingRangeProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'stillpoint' },
    };
  });
  connection.onInitialized(() => {
    // Imported files change on disk too (a save from another editor, a git checkout).
    if (watchFiles) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.still' }] });
    // The folders are the import roots (SECURITY.md): a change allows or refuses imports in every open script.
    if (folderChanges) {
      connection.workspace.onDidChangeWorkspaceFolders(async ({ added, removed }) => {
        workspace.changeFolders(folderPaths(added.map((f) => f.uri)), folderPaths(removed.map((f) => f.uri)));
        await Promise.all(workspace.openUris().map((uri) => publish(uri)));
      });
    }
  });

  // Each publish of a document supersedes the ones still under way for it.
  const latest = new Map<string, number>();
  let requests = 0;
  const publish = async (uri: string) => {
    const request = (requests += 1);
    latest.set(uri, request);
    const check = workspace.check(uri);
    const current = script(uri);
    if (check === undefined || current === undefined) return;
    const version = documents.get(uri)?.version;
    const { diagnostics, sources } = await check;
    if (latest.get(uri) !== request) return;
    const order = [...sources.keys()];
    await connection.sendDiagnostics({ uri, version, diagnostics: diagnostics.map((d) => toLsp(d, current, order)) });
  };
  /** Re-checks the open scripts that read `path`, besides the one at `path` itself. */
  const publishImporters = (path: string) => Promise.all(workspace.importersOf(path).map((uri) => publish(uri)));

  documents.onDidChangeContent(async ({ document }) => {
    workspace.changed();
    await Promise.all([publish(document.uri), publishImporters(documentPath(document.uri))]);
  });
  documents.onDidClose(({ document }) => {
    workspace.closed(document.uri);
    latest.delete(document.uri);
    workspace.changed();
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    // Its importers read the file from disk again, without the unsaved text.
    void publishImporters(documentPath(document.uri));
  });
  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    workspace.changed();
    const importers = new Set(changes.flatMap((c) => (c.uri.startsWith('file:') ? workspace.importersOf(documentPath(c.uri)) : [])));
    await Promise.all([...importers].map((uri) => publish(uri)));
  });

  connection.onCompletion(({ textDocument, position, context }) => {
    const current = script(textDocument.uri);
    return current ? completions(current, current.offsetAt(position), context?.triggerCharacter) : [];
  });
  connection.onHover(async ({ textDocument, position }) => {
    const current = script(textDocument.uri);
    return current ? hover(current, current.offsetAt(position), await imported(textDocument.uri)) : null;
  });
  connection.onDefinition(async ({ textDocument, position }) => {
    const current = script(textDocument.uri);
    return current ? definition(current, current.offsetAt(position), await imported(textDocument.uri)) : null;
  });
  connection.onReferences(async ({ textDocument, position, context }) => {
    const found = await letTargetAt(textDocument.uri, position);
    return found ? references(found.target, await referrersOf(found.target), context.includeDeclaration) : [];
  });
  connection.onPrepareRename(async ({ textDocument, position }) => {
    const found = await letTargetAt(textDocument.uri, position);
    return found ? renameRange(found.document, found.offset, found.target, await referrersOf(found.target)) : null;
  });
  connection.onRenameRequest(async ({ textDocument, position, newName }) => {
    const found = await letTargetAt(textDocument.uri, position);
    return found ? rename(found.target, await referrersOf(found.target), newName) : null;
  });
  connection.onDocumentLinks(({ textDocument }) => {
    const current = script(textDocument.uri);
    return current ? importLinks(current) : [];
  });
  connection.onCodeAction(async ({ textDocument, range }) => {
    const current = script(textDocument.uri);
    const check = workspace.check(textDocument.uri);
    return current && check ? codeActions(current, (await check).diagnostics, range) : [];
  });
  connection.onFoldingRanges(({ textDocument }) => {
    const current = script(textDocument.uri);
    return current ? foldingRanges(current) : [];
  });
  connection.onSignatureHelp(({ textDocument, position }) => {
    const current = script(textDocument.uri);
    return current ? signatureHelp(current, current.offsetAt(position)) : null;
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const current = script(textDocument.uri);
    return current ? documentSymbols(current) : [];
  });
  connection.onWorkspaceSymbol(async ({ query }) => workspaceSymbols(await scriptsInWorkspace(), query));
  connection.onDocumentFormatting(({ textDocument }) => {
    const current = script(textDocument.uri);
    if (current === undefined) return [];
    const formatted = format(current.text, current.path);
    // A script with syntax errors is left as it is; its diagnostics already say why.
    if (hasErrors(formatted.diagnostics) || formatted.text === current.text) return [];
    const end = current.positionAt(current.text.length);
    return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted.text }];
  });

  /** The files `uri` imports, directly or not, as its check read them. */
  async function imported(uri: string): Promise<ScriptDocument[]> {
    const check = workspace.check(uri);
    if (check === undefined) return [];
    const { sources } = await check;
    return [...sources.keys()].slice(1).flatMap((path) => workspace.scriptAt(path, sources) ?? []);
  }

  async function letTargetAt(uri: string, position: { line: number; character: number }) {
    const current = script(uri);
    if (current === undefined) return undefined;
    const offset = current.offsetAt(position);
    const target = letAt(current, offset, await imported(uri));
    return target && { document: current, offset, target };
  }

  /** The script of `target` and the open scripts that import it, each with what it imports. */
  async function referrersOf(target: LetTarget): Promise<Referrer[]> {
    const own = script(target.document.uri) ?? target.document;
    const importers = workspace.importersOf(target.document.path).flatMap((uri) => script(uri) ?? []);
    return Promise.all([own, ...importers].map(async (document) => ({ document, imported: await imported(document.uri) })));
  }

  /** The open scripts and every file they import, each once. */
  async function scriptsInWorkspace(): Promise<ScriptDocument[]> {
    const all = new Map<string, ScriptDocument>();
    for (const uri of workspace.openUris()) {
      const open = script(uri);
      if (open) all.set(open.path, open);
      for (const file of await imported(uri)) if (!all.has(file.path)) all.set(file.path, file);
    }
    return [...all.values()];
  }

  documents.listen(connection);
  connection.listen();
}

/** The file-system folders of the workspace; undefined when the editor opened no folder. */
function workspaceFolders(params: InitializeParams): string[] | undefined {
  const folders = folderPaths(params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []));
  return folders.length > 0 ? folders : undefined;
}

/** The file-system paths of folder URIs (others, such as a remote editor's, have none). */
function folderPaths(uris: readonly string[]): string[] {
  return uris.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
}
