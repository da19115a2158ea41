// Hover, go to definition, import links and document and workspace symbols.

import { pathToFileURL } from 'node:url';
import { MarkupKind, SymbolKind, type DocumentLink, type DocumentSymbol, type Hover, type Location, type SymbolInformation } from 'vscode-languageserver';
import type { Expr, Setting, Statement } from '../language/ast.ts';
import { literalText, statementSpec, type BlockKind } from '../language/catalog.ts';
import { lspRange, type ScriptDocument } from './document.ts';
import { importedLet } from './let-references.ts';
import { staticValue, valueText } from './let-value.ts';
import { anyWordDoc, statementDoc, wordDoc } from './reference.ts';
import { bodiesOf, letNamed, nodeAt } from './syntax-tree.ts';

const WORD_CHAR = /[A-Za-z0-9_-]/;

/** `imported`: the files the document imports, directly or not, for names it does not bind itself. */
export function hover(document: ScriptDocument, offset: number, imported: readonly ScriptDocument[] = []): Hover | null {
  const text = hoverText(document, offset, imported);
  return text ? { contents: { kind: MarkupKind.Markdown, value: text } } : null;
}

function hoverText(document: ScriptDocument, offset: number, imported: readonly ScriptDocument[]): string | undefined {
  const file = document.file;
  const node = nodeAt(file, offset);
  switch (node?.kind) {
    case 'keyword': {
      const spec = statementSpec(node.block, node.setting.keyword.name);
      return spec && statementDoc(spec);
    }
    case 'let':
      return letHover(document, node.statement.name.name, node.statement.value, node.statement.range.start.offset);
    case 'callee':
      return anyWordDoc(node.name, true);
    case 'name': {
      const binding = letNamed(file, node.name, offset);
      if (binding) return letHover(document, node.name, binding.value, binding.range.start.offset);
      const elsewhere = importedLet(imported, node.name);
      if (elsewhere) return letHover(elsewhere.document, node.name, elsewhere.binding.value, elsewhere.binding.range.start.offset);
      const noun = node.setting && node.block && wordNoun(node.block, node.setting, node.name);
      return (noun && wordDoc(noun, node.name)) || anyWordDoc(node.name, false);
    }
    default: {
      // Syntax words (`let`, `if`, `and`) are not nodes of the tree.
      const word = wordAt(document.text, offset);
      return word ? anyWordDoc(word, false) : undefined;
    }
  }
}

function letHover(document: ScriptDocument, name: string, expr: Expr, offset: number): string {
  const value = staticValue(document.file, expr, offset);
  if (value !== undefined) return `\`let ${name}\` = \`${valueText(value)}\``;
  // `env("X") ?? "/mnt/backup"`, `env("X", "/mnt/backup")`: what it falls back to is known
  // now; what the environment holds is not for an editor to show.
  const fallbackExpr = expr.kind === 'Binary' && expr.op === '??' ? expr.right : expr.kind === 'Call' && expr.callee.name === 'env' ? expr.args[1] : undefined;
  const fallback = fallbackExpr && staticValue(document.file, fallbackExpr, offset);
  return `\`let ${name}\` = \`known when the script runs\`${fallback === undefined ? '' : `, else \`${valueText(fallback)}\``}`;
}

/** The noun of the word list that `setting` takes `word` from (`provider`, `writer kind`). */
function wordNoun(block: BlockKind, setting: Setting, word: string): string | undefined {
  const args = statementSpec(block, setting.keyword.name)?.args;
  if (args === undefined) return undefined;
  const items = args.kind === 'sequence' ? args.items : args.kind === 'one' || args.kind === 'list' ? [args.item] : [];
  for (const item of items) if (item.kind === 'word' && item.words.includes(word)) return item.noun;
  return undefined;
}

function wordAt(text: string, offset: number): string | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && WORD_CHAR.test(text[start - 1]!)) start -= 1;
  while (end < text.length && WORD_CHAR.test(text[end]!)) end += 1;
  return end > start ? text.slice(start, end) : undefined;
}

export function definition(document: ScriptDocument, offset: number, imported: readonly ScriptDocument[] = []): Location | null {
  const zero = { line: 0, character: 0 };
  const target = document.imports().find(({ argument }) => argument.range.start.offset <= offset && offset <= argument.range.end.offset);
  if (target) return { uri: pathToFileURL(target.file).href, range: { start: zero, end: zero } };
  const node = nodeAt(document.file, offset);
  if (node?.kind !== 'name') return null;
  const binding = letNamed(document.file, node.name, offset);
  if (binding) return { uri: document.uri, range: lspRange(binding.name.range) };
  const elsewhere = importedLet(imported, node.name);
  return elsewhere ? { uri: elsewhere.document.uri, range: lspRange(elsewhere.binding.name.range) } : null;
}

/** A link on each `import` path to the file it names. */
export function importLinks(document: ScriptDocument): DocumentLink[] {
  return document.imports().map(({ file, argument }) => ({ range: lspRange(argument.range), target: pathToFileURL(file).href }));
}

/** The jobs, `defaults` and top-level `let`s of `documents` whose name contains `query` (any case). */
export function workspaceSymbols(documents: readonly ScriptDocument[], query: string): SymbolInformation[] {
  const wanted = query.toLowerCase();
  return documents.flatMap((document) =>
    documentSymbols(document)
      .filter((symbol) => symbol.name.toLowerCase().includes(wanted))
      .map((symbol) => ({ name: symbol.name, kind: symbol.kind, location: { uri: document.uri, range: symbol.selectionRange }, containerName: symbol.detail ?? 'let' })),
  );
}

/** Jobs and `defaults` with their writers, targets and hooks; top-level `let`s. */
export function documentSymbols(document: ScriptDocument): DocumentSymbol[] {
  return symbolsOf(document.file.statements, 'file');
}

const SYMBOL_KINDS: Record<string, SymbolKind> = {
  job: SymbolKind.Module,
  defaults: SymbolKind.Namespace,
  writer: SymbolKind.Object,
  target: SymbolKind.Package,
  hook: SymbolKind.Event,
};

function symbolsOf(statements: readonly Statement[], block: 'file' | 'job'): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const statement of statements) {
    if (statement.kind === 'Let' && block === 'file') {
      symbols.push({ name: statement.name.name, kind: SymbolKind.Variable, range: lspRange(statement.range), selectionRange: lspRange(statement.name.range) });
    } else if (statement.kind === 'Setting' && SYMBOL_KINDS[statement.keyword.name] !== undefined && statementSpec(block, statement.keyword.name)) {
      const children = statement.keyword.name === 'job' || statement.keyword.name === 'defaults' ? symbolsOf(statement.body?.kind === 'Block' ? statement.body.statements : [], 'job') : [];
      symbols.push({
        name: symbolName(statement),
        detail: statement.keyword.name,
        kind: SYMBOL_KINDS[statement.keyword.name]!,
        range: lspRange(statement.range),
        selectionRange: lspRange((statement.args[0]?.[0] ?? statement.keyword).range),
        children,
      });
    } else if (statement.kind === 'If' || statement.kind === 'For') {
      for (const body of bodiesOf(statement)) symbols.push(...symbolsOf(body.statements, block));
    }
  }
  return symbols;
}

/** `job "ledger"` → ledger; `writer "books" sqlite` → books (sqlite); `hook before-backup run` → before-backup. */
function symbolName(setting: Setting): string {
  const words = (setting.args[0] ?? []).map((e) => (e.kind === 'Name' ? e.name : (literalText(e) ?? '…')));
  switch (setting.keyword.name) {
    case 'writer':
      return `${words[0] ?? '?'} (${words[1] ?? '?'})`;
    case 'target':
      return `${words[0] ?? '?'} ${words[1] ?? ''}`.trim();
    case 'defaults':
      return 'defaults';
    default:
      return words[0] ?? '?';
  }
}
