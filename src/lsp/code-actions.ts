// Quick fixes: a diagnostic that says "did you mean `x`?" replaces its word with `x`; an
// unknown name can be defined with a `let` above the top-level statement that uses it.

import { CodeActionKind, type CodeAction } from 'vscode-languageserver';
import type { Diagnostic } from '../language/diagnostic.ts';
import { meantIn } from '../language/suggest.ts';
import { lspRange, toLsp, type LspRange, type ScriptDocument } from './document.ts';


/** The fixes of `diagnostics` (the document's check) that touch `range`. */
export function codeActions(document: ScriptDocument, diagnostics: readonly Diagnostic[], range: LspRange): CodeAction[] {
  const start = document.offsetAt(range.start);
  const end = document.offsetAt(range.end);
  const here = diagnostics.filter(
    (d) => d.range !== undefined && d.range.file === document.path && d.range.start.offset <= end && start <= d.range.end.offset,
  );
  return here.flatMap((diagnostic) => fixes(document, diagnostic));
}

function fixes(document: ScriptDocument, diagnostic: Diagnostic): CodeAction[] {
  const range = diagnostic.range!;
  const actions: CodeAction[] = [];
  const replacement = meantIn(diagnostic.detail);
  if (replacement !== undefined) actions.push(fix(document, diagnostic, `Change to \`${replacement}\``, lspRange(range), replacement, true));
  if (diagnostic.code === 'unknown-name') {
    const name = document.text.slice(range.start.offset, range.end.offset);
    const at = topLevelLineStart(document, range.start.offset);
    const position = document.positionAt(at);
    actions.push(fix(document, diagnostic, `Define \`${name}\` with \`let\``, { start: position, end: position }, `let ${name} = ""\n`, replacement === undefined));
  }
  return actions;
}

function fix(document: ScriptDocument, diagnostic: Diagnostic, title: string, range: LspRange, newText: string, isPreferred: boolean): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [toLsp(diagnostic, document)],
    isPreferred,
    edit: { changes: { [document.uri]: [{ range, newText }] } },
  };
}

/** Where the top-level statement around `offset` starts its line: a `let` there is in scope for all of it. */
function topLevelLineStart(document: ScriptDocument, offset: number): number {
  const statement = document.file.statements.find((s) => s.range.start.offset <= offset && offset <= s.range.end.offset);
  const start = statement?.range.start.offset ?? offset;
  return document.text.lastIndexOf('\n', start - 1) + 1;
}
