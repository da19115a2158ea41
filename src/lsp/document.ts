// One script as the language server sees it: its text, its parse and its imports, and how
// the diagnostics of `stillpoint check` (workspace.ts runs it) show in the editor.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Expr, Setting, SourceFile } from '../language/ast.ts';
import type { Diagnostic, Position, SourceRange } from '../language/diagnostic.ts';
import { parse } from '../language/parse.ts';
import { lineStarts } from '../language/positions.ts';
import { importPathOf, importTarget } from '../plan/imports.ts';

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

/**
 * A diagnostic of this document in place. One of an imported file goes on the `import` that
 * leads to that file (`readOrder`: the files a check read, depth first), with its own place
 * as related information; one of no place goes at the top.
 */
export function toLsp(diagnostic: Diagnostic, document: ScriptDocument, readOrder: readonly string[] = []): LspDiagnostic {
  const { path } = document;
  const range = diagnostic.range;
  const here = range !== undefined && range.file === path;
  const where = range === undefined || here ? '' : ` (${range.file}:${range.start.line}:${range.start.column})`;
  const related = [
    ...(range !== undefined && !here ? [{ message: diagnostic.summary, location: { uri: pathToFileURL(range.file).href, range: lspRange(range) } }] : []),
    ...(diagnostic.related ?? []).map((r) => ({ message: r.message, location: { uri: r.range.file === path ? document.uri : pathToFileURL(r.range.file).href, range: lspRange(r.range) } })),
  ];
  return {
    range: here ? lspRange(range) : ((range && importLeadingTo(document, range.file, readOrder)) ?? START),
    severity: SEVERITY[diagnostic.severity],
    code: diagnostic.code,
    source: 'stillpoint',
    message: `${diagnostic.summary}${where}\n${diagnostic.detail}`,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
  };
}

/** The path of the `import` of `document` whose file is, or (depth first) imports, `file`. */
function importLeadingTo(document: ScriptDocument, file: string, readOrder: readonly string[]): LspRange | undefined {
  const at = readOrder.indexOf(file);
  if (at === -1) return undefined;
  let best: { index: number; range: LspRange } | undefined;
  for (const { file: imported, argument } of document.imports()) {
    const index = readOrder.indexOf(imported);
    if (index !== -1 && index <= at && (best === undefined || index > best.index)) best = { index, range: lspRange(argument.range) };
  }
  return best?.range;
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

  /** The `import` statements with a plain path: the file each names (as a check's sources name it) and its path argument. */
  imports(): { file: string; setting: Setting; argument: Expr }[] {
    return this.file.statements.flatMap((statement) => {
      if (statement.kind !== 'Setting' || statement.keyword.name !== 'import') return [];
      const path = importPathOf(statement);
      return path === undefined ? [] : [{ file: importTarget(this.path, path).file, setting: statement, argument: statement.args[0]![0]! }];
    });
  }
}
