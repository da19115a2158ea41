// Folding ranges: every `{ ... }` block, raw block and list that spans lines.

import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { ScriptDocument } from './document.ts';

const FOLDED = new Set(['Block', 'RawBlock', 'List']);

interface Node {
  kind?: unknown;
  range?: { start: { line: number }; end: { line: number } };
}

export function foldingRanges(document: ScriptDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as Node;
    // The closing line stays visible, as editors fold `{ ... }` elsewhere.
    if (typeof node.kind === 'string' && FOLDED.has(node.kind) && node.range && node.range.end.line - 1 > node.range.start.line) {
      ranges.push({ startLine: node.range.start.line - 1, endLine: node.range.end.line - 2, kind: FoldingRangeKind.Region });
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'range') visit(child);
  };
  visit(document.file.statements);
  return ranges.sort((a, b) => a.startLine - b.startLine);
}
