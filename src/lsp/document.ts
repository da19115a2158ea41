// One open script as the language server sees it: its text, its parse, and the diagnostics
// of `stillpoint check` (the same loader, so the editor and the CLI never disagree).

import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { SourceFile } from '../language/ast.ts';
import type { Diagnostic, Position, SourceRange } from '../language/diagnostic.ts';
import { parse } from '../language/parse.ts';
import { lineStarts } from '../language/positions.ts';
import { loadPlanFromText } from '../plan/load.ts';

/** An LSP position: 0-based line and UTF-16 character. */
export interface LspPosition {
  line: number;
  character: number;
}

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

/** The file name a document's ranges carry: its path for file: URIs, else the URI itself. */
export function documentPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export function lspPosition(position: Position): LspPosition {
  return { line: position.line - 1, character: position.column - 1 };
}

export function lspRange(range: SourceRange): LspRange {
  return { start: lspPosition(range.start), end: lspPosition(range.end) };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;
const START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

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

export class ScriptDocument {
  readonly uri: string;
  readonly path: string;
  readonly text: string;
  #lineStarts: number[] | undefined;
  #file: SourceFile | undefined;
  #diagnostics: Promise<Diagnostic[]> | undefined;

  constructor(uri: string, text: string) {
    this.uri = uri;
    this.path = documentPath(uri);
    this.text = text;
  }

  /** The syntax tree, parsed once per text. */
  get file(): SourceFile {
    this.#file ??= parse(this.text, this.path).file;
    return this.#file;
  }

  offsetAt(position: LspPosition): number {
    const starts = this.#starts();
    const start = starts[Math.min(position.line, starts.length - 1)] ?? 0;
    return Math.min(start + position.character, this.text.length);
  }

  positionAt(offset: number): LspPosition {
    const starts = this.#starts();
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1]! <= offset) line += 1;
    return { line, character: offset - starts[line]! };
  }

  #starts(): number[] {
    this.#lineStarts ??= lineStarts(this.text);
    return this.#lineStarts;
  }

  /** What `stillpoint check` reports for this text, computed once; imports are read from disk. */
  diagnostics(): Promise<Diagnostic[]> {
    this.#diagnostics ??= loadPlanFromText(this.path, this.text).then((result) => result.diagnostics);
    return this.#diagnostics;
  }
}
