// Diagnostics are values (HCL's house style): every layer returns them, none throws them.

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units (what editors and the LSP use). */
  column: number;
  /** 0-based offset into the source text. */
  offset: number;
}

export interface SourceRange {
  file: string;
  start: Position;
  /** Exclusive end. */
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInformation {
  message: string;
  range: SourceRange;
}

export interface Diagnostic {
  severity: Severity;
  /** One line: what is wrong. */
  summary: string;
  /** A sentence that tells the user how to fix it. */
  detail: string;
  /** The exact range of the offending text; absent only for whole-file problems before any text exists. */
  range?: SourceRange;
  related?: RelatedInformation[];
  /** A stable machine-readable code, e.g. "unknown-provider". */
  code: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
