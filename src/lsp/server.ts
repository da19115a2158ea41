// The Stillpoint language server (`stillpoint lsp`): diagnostics, completion, hover,
// formatting, document symbols and go to definition for .still scripts.
//
// Each change re-runs the loader that `stillpoint check` runs; there is no separate
// incremental parser because a full parse and evaluation of a 1,000-line script stays well
// inside the 50 ms budget (bench/results/lsp.md). What keeps the server responsive while
// someone types is that a check whose document changed again before it finished publishes
// nothing, so only the newest text's diagnostics reach the editor.

import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../language/diagnostic.ts';
import { hasErrors } from '../language/diagnostic.ts';
import { format } from '../language/formatter.ts';
import { completions } from './completion.ts';
import { lspRange, ScriptDocument } from './document.ts';
import { definition, documentSymbols, hover } from './navigation.ts';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;
const START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

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
    const end = documents.get(textDocument.uri)!.positionAt(current.text.length);
    return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted.text }];
  });

  documents.listen(connection);
  connection.listen();
}

/** A diagnostic of this document in place; one of an imported file (or of no place) at the top, naming where it is. */
export function toLsp(diagnostic: Diagnostic, document: { path: string; uri: string }): LspDiagnostic {
  const { path } = document;
  const range = diagnostic.range;
  const here = range !== undefined && range.file === path;
  const where = range === undefined || here ? '' : ` (${range.file}:${range.start.line}:${range.start.column})`;
  return {
    range: here ? lspRange(range) : START,
    severity: SEVERITY[diagnostic.severity],
    code: diagnostic.code,
    source: 'stillpoint',
    message: `${diagnostic.summary}${where}\n${diagnostic.detail}`,
    ...(diagnostic.related
      ? { relatedInformation: diagnostic.related.map((r) => ({ message: r.message, location: { uri: r.range.file === path ? document.uri : pathToFileURL(r.range.file).href, range: lspRange(r.range) } })) }
      : {}),
  };
}
