// The Stillpoint language server (`stillpoint lsp`): diagnostics, completion, hover,
// formatting, document symbols and go to definition for .still scripts.
//
// Each change re-runs the loader that `stillpoint check` runs; there is no separate
// incremental parser because a full parse and evaluation of a 1,000-line script stays well
// inside the 50 ms budget (bench/results/lsp.md). What keeps the server responsive while
// someone types is that a check whose document changed again before it finished publishes
// nothing, so only the newest text's diagnostics reach the editor.

import {
  CodeActionKind,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { hasErrors } from '../language/diagnostic.ts';
import { format } from '../language/formatter.ts';
import { codeActions } from './code-actions.ts';
import { completions } from './completion.ts';
import { ScriptDocument, toLsp } from './document.ts';
import { definition, documentSymbols, hover } from './navigation.ts';


/** Serves the language on `connection` until it closes. */
export function serve(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const scripts = new Map<string, ScriptDocument>();
  const script = (uri: string): ScriptDocument | undefined => {
    const document = documents.get(uri);
    if (document === undefined) return undefined;
    let cached = scripts.get(uri);
    if (cached?.text !== document.getText()) {
      cached = new ScriptDocument(uri, document.getText());
      scripts.set(uri, cached);
    }
    return cached;
  };

  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [' ', '(', ','] },
        hoverProvider: true,
        documentFormattingProvider: true,
        documentSymbolProvider: true,
        definitionProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'stillpoint' },
    }),
  );

  documents.onDidChangeContent(async ({ document }) => {
    const current = script(document.uri)!;
    const version = document.version;
    const diagnostics = await current.diagnostics();
    // A newer change has its own check under way: this one's diagnostics are stale.
    if (documents.get(document.uri)?.version !== version) return;
    await connection.sendDiagnostics({ uri: document.uri, version, diagnostics: diagnostics.map((d) => toLsp(d, current)) });
  });
  documents.onDidClose(({ document }) => {
    scripts.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onCompletion(({ textDocument, position, context }) => {
    const current = script(textDocument.uri);
    return current ? completions(current, current.offsetAt(position), context?.triggerCharacter) : [];
  });
  connection.onHover(({ textDocument, position }) => {
    const current = script(textDocument.uri);
    return current ? hover(current, current.offsetAt(position)) : null;
  });
  connection.onDefinition(({ textDocument, position }) => {
    const current = script(textDocument.uri);
    return current ? definition(current, current.offsetAt(position)) : null;
  });
  connection.onCodeAction(({ textDocument, range }) => {
    const current = script(textDocument.uri);
    return current ? codeActions(current, range) : [];
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const current = script(textDocument.uri);
    return current ? documentSymbols(current) : [];
  });
  connection.onDocumentFormatting(({ textDocument }) => {
    const current = script(textDocument.uri);
    if (current === undefined) return [];
    const formatted = format(current.text, current.path);
    // A script with syntax errors is left as it is; its diagnostics already say why.
    if (hasErrors(formatted.diagnostics) || formatted.text === current.text) return [];
    const end = current.positionAt(current.text.length);
    return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted.text }];
  });

  documents.listen(connection);
  connection.listen();
}
