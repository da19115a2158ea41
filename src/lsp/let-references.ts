// References and rename for `let` names, within the script: the `let` and every name that
// refers to it (also inside `${...}`), by the scope rules of letNamed.

import { ResponseError, type Location, type WorkspaceEdit } from 'vscode-languageserver';
import type { LetStatement } from '../language/ast.ts';
import type { SourceRange } from '../language/diagnostic.ts';
import { lspRange, type LspRange, type ScriptDocument } from './document.ts';
import { eachNode, letNamed, nodeAt } from './syntax-tree.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function references(document: ScriptDocument, offset: number, includeDeclaration: boolean): Location[] {
  const binding = bindingAt(document, offset);
  if (binding === undefined) return [];
  const ranges = usesOf(document, binding);
  return (includeDeclaration ? [binding.name.range, ...ranges] : ranges).map((range) => ({ uri: document.uri, range: lspRange(range) }));
}

/** The range of the name at `offset` when it is a `let` of this script or a use of one. */
export function prepareRename(document: ScriptDocument, offset: number): LspRange | null {
  const binding = bindingAt(document, offset);
  if (binding === undefined) return null;
  const at = [binding.name.range, ...usesOf(document, binding)].find((r) => r.start.offset <= offset && offset <= r.end.offset);
  return at ? lspRange(at) : null;
}

export function rename(document: ScriptDocument, offset: number, newName: string): WorkspaceEdit | null {
  const binding = bindingAt(document, offset);
  if (binding === undefined) return null;
  if (!NAME.test(newName)) throw new ResponseError(-32602, `\`${newName}\` is not a name: start with a letter or _, then letters, digits, _ or -`);
  const edits = [binding.name.range, ...usesOf(document, binding)].map((range) => ({ range: lspRange(range), newText: newName }));
  return { changes: { [document.uri]: edits } };
}

/** The `let` whose name, or a use of it, is at `offset`. */
function bindingAt(document: ScriptDocument, offset: number): LetStatement | undefined {
  const node = nodeAt(document.file, offset);
  if (node?.kind === 'let') return node.statement;
  return node?.kind === 'name' ? letNamed(document.file, node.name, offset) : undefined;
}

function usesOf(document: ScriptDocument, binding: LetStatement): SourceRange[] {
  const uses: SourceRange[] = [];
  eachNode(document.file.statements, (node) => {
    if (node.kind !== 'Name' || (node as { name?: string }).name !== binding.name.name) return;
    if (letNamed(document.file, binding.name.name, node.range.start.offset) === binding) uses.push(node.range);
  });
  return uses;
}
