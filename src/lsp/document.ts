// One open script as the language server sees it: its text, its parse, and the diagnostics
// of `stillpoint check` (the same loader, so the editor and the CLI never disagree).

import { fileURLToPath } from 'node:url';
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

export class ScriptDocument {
  readonly uri: string;
  readonly path: string;
  readonly text: string;
  #lineStarts: number[] | undefined;
  #file: SourceFile | undefined;

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
    this.#lineStarts ??= lineStarts(this.text);
    const start = this.#lineStarts[Math.min(position.line, this.#lineStarts.length - 1)] ?? 0;
    return Math.min(start + position.character, this.text.length);
  }

  /** What `stillpoint check` reports for this text; imports are read from disk. */
  async diagnostics(): Promise<Diagnostic[]> {
    const result = await loadPlanFromText(this.path, this.text);
    return result.diagnostics;
  }
}
