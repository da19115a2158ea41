// Completion from the catalog, by cursor context (cursor-context.ts).

import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import { FUNCTIONS, SYNTAX_KEYWORDS, VALUES, type ArgItem, type BlockKind, type StatementSpec } from '../language/catalog.ts';
import { cursorContext, statementsOf, wordBefore, type CursorContext } from './cursor-context.ts';
import type { ScriptDocument } from './document.ts';
import { statementDoc, wordDoc } from './reference.ts';
import { letsBefore, loopVariablesAt } from './syntax-tree.ts';

const SYNTAX_DOC = new Map(SYNTAX_KEYWORDS.map((k) => [k.name, k.doc]));
/** Statements that are syntax and may stand in any block. */
const CONTROL_WORDS = ['let', 'if', 'for'];

/**
 * The completions at `offset`, in the order the editor should show them (`sortText`). A
 * space typed (`trigger` ' ') asks only where one of a fixed set of words must come next: a
 * list popping up after every space elsewhere would turn the next Enter into a keyword.
 */
export function completions(document: ScriptDocument, offset: number, trigger?: string): CompletionItem[] {
  const context = cursorContext(document.text, offset);
  if (trigger === ' ' && !expectsWord(context)) return [];
  const items = contextCompletions(document, offset, context);
  const width = String(items.length).length;
  return items.map((item, index) => ({ ...item, sortText: String(index).padStart(width, '0') }));
}

function expectsWord(context: CursorContext): boolean {
  return (context.kind === 'item' && context.item.kind === 'word') || context.kind === 'keys' || context.kind === 'else';
}

function contextCompletions(document: ScriptDocument, offset: number, context: CursorContext): CompletionItem[] {
  const word = wordBefore(document.text, offset);
  switch (context.kind) {
    case 'statement':
      return statementItems(context.block);
    case 'next':
      // A finished statement may be followed by another on its line, but only once the
      // user starts typing one; right after it, nothing is expected.
      return word.start < offset ? statementItems(context.block) : [];
    case 'item':
      return itemCompletions(document, context.item, word.start);
    case 'keys':
      return context.keys.map((key) => ({ label: key, kind: CompletionItemKind.Property }));
    case 'expression':
      return expressionCompletions(document, word.start);
    case 'else':
      return [keywordItem('if')];
    case 'none':
      return [];
  }
}

function statementItems(block: BlockKind): CompletionItem[] {
  return [...statementsOf(block).map((spec) => statementItem(spec)), ...CONTROL_WORDS.map((name) => keywordItem(name))];
}

function itemCompletions(document: ScriptDocument, item: ArgItem, offset: number): CompletionItem[] {
  switch (item.kind) {
    case 'word':
      return item.words.map((w) => ({ label: w, kind: CompletionItemKind.EnumMember, detail: item.noun, documentation: markdown(wordDoc(item.noun, w)) }));
    case 'value':
      return expressionCompletions(document, offset);
    case 'name':
      return [];
  }
}

function expressionCompletions(document: ScriptDocument, offset: number): CompletionItem[] {
  const lets = new Map(letsBefore(document.file, offset).map((l) => [l.name.name, l]));
  return [
    ...[...lets.keys()].map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: 'let' })),
    ...loopVariablesAt(document.file, offset).map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: 'for' })),
    ...VALUES.map((v) => ({ label: v.name, kind: CompletionItemKind.Constant, detail: v.type, documentation: markdown(v.doc) })),
    ...FUNCTIONS.map((f) => ({
      label: f.name,
      kind: CompletionItemKind.Function,
      detail: f.signature,
      documentation: markdown(f.doc),
      insertText: `${f.name}($1)`,
      insertTextFormat: InsertTextFormat.Snippet,
    })),
    ...['true', 'false', 'none', 'not'].map((name) => keywordItem(name)),
  ];
}

function statementItem(spec: StatementSpec): CompletionItem {
  return { label: spec.keyword, kind: CompletionItemKind.Keyword, detail: spec.syntax, documentation: markdown(statementDoc(spec)) };
}

function keywordItem(name: string): CompletionItem {
  return { label: name, kind: CompletionItemKind.Keyword, documentation: markdown(SYNTAX_DOC.get(name) ?? '') };
}

function markdown(value: string) {
  return { kind: MarkupKind.Markdown, value };
}
