// Folding ranges: every `{ ... }` block, raw block and list that spans lines.

import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { ScriptDocument } from './document.ts';
import { eachNode } from './syntax-tree.ts';

const FOLDED = new Set(['Block', 'RawBlock', 'List']);

export function foldingRanges(document: ScriptDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  eachNode(document.file.statements, ({ kind, range }) => {
    // The closing line stays visible, as editors fold `{ ... }` elsewhere.
    if (FOLDED.has(kind) && range.end.line - 1 > range.start.line) ranges.push({ startLine: range.start.line - 1, endLine: range.end.line - 2, kind: FoldingRangeKind.Region });
  });
  return ranges.sort((a, b) => a.startLine - b.startLine);
}
