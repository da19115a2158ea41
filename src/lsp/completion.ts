// Completion from the catalog, by cursor context (cursor-context.ts).

import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import { FUNCTIONS, SYNTAX_KEYWORDS, VALUES, type ArgItem, type StatementSpec } from '../language/catalog.ts';
import { cursorContext, statementsOf, wordBefore } from './cursor-context.ts';
import type { ScriptDocument } from './document.ts';
import { statementDoc, wordDoc } from './reference.ts';
import { letsBefore, loopVariablesAt } from './syntax-tree.ts';

const SYNTAX_DOC = new Map(SYNTAX_KEYWORDS.map((k) => [k.name, k.doc]));
/** Statements that are syntax and may stand in any block. */
const CONTROL_WORDS = ['let', 'if', 'for'];

export function completions(document: ScriptDocument, offset: number): CompletionItem[] {
  const context = cursorContext(document.text, offset);
  const word = wordBefore(document.text, offset);
  switch (context.kind) {
    case 'statement':
      return [
        ...statementsOf(context.block).map((spec) => statementItem(spec)),
        ...CONTROL_WORDS.map((name) => keywordItem(name)),
      ];
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
