// References and rename for `let` names: the `let` and every name that refers to it (also
// inside `${...}`), by the scope rules of letNamed, in its own script and in the open
// scripts that import it (where a top-level `let` of an imported file is visible).

import { ResponseError, type Location, type WorkspaceEdit } from 'vscode-languageserver';
import type { LetStatement } from '../language/ast.ts';
import type { SourceRange } from '../language/diagnostic.ts';
import { lspRange, type LspRange, type ScriptDocument } from './document.ts';
import { eachNode, letNamed, nodeAt } from './syntax-tree.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A `let` and the script it is in. */
export interface LetTarget {
  document: ScriptDocument;
  binding: LetStatement;
}

/** A script that may refer to a `let`, with the files it imports (directly or not). */
export interface Referrer {
  document: ScriptDocument;
  imported: readonly ScriptDocument[];
}

/** The `let` whose name, or a use of it, is at `offset`: of this script, or of one it imports. */
export function letAt(document: ScriptDocument, offset: number, imported: readonly ScriptDocument[]): LetTarget | undefined {
  const node = nodeAt(document.file, offset);
  if (node?.kind === 'let') return { document, binding: node.statement };
  if (node?.kind !== 'name') return undefined;
  const binding = letNamed(document.file, node.name, offset);
  return binding ? { document, binding } : importedLet(imported, node.name);
}

/** The top-level `let` of an imported file that binds `name`: imported lets are visible in the importer. */
export function importedLet(imported: readonly ScriptDocument[], name: string): LetTarget | undefined {
  for (const document of imported) {
    const binding = document.file.statements.findLast((s): s is LetStatement => s.kind === 'Let' && s.name.name === name);
    if (binding) return { document, binding };
  }
  return undefined;
}

/** Where `target` is named: its own name, then each use, script by script. */
export function letPlaces(target: LetTarget, referrers: readonly Referrer[]): { document: ScriptDocument; ranges: SourceRange[] }[] {
  const name = target.binding.name.name;
  return referrers.map(({ document, imported }) => {
    const ranges: SourceRange[] = document.path === target.document.path ? [target.binding.name.range] : [];
    eachNode(document.file.statements, (node) => {
      if (node.kind !== 'Name' || (node as { name?: string }).name !== name) return;
      const local = letNamed(document.file, name, node.range.start.offset);
      const refersTo = local ? { document, binding: local } : importedLet(imported, name);
      if (refersTo?.document.path === target.document.path && refersTo.binding.range.start.offset === target.binding.range.start.offset) ranges.push(node.range);
    });
    return { document, ranges };
  });
}

export function references(target: LetTarget, referrers: readonly Referrer[], includeDeclaration: boolean): Location[] {
  return letPlaces(target, referrers).flatMap(({ document, ranges }) =>
    ranges.filter((range) => includeDeclaration || range !== target.binding.name.range).map((range) => ({ uri: document.uri, range: lspRange(range) })),
  );
}

/** The range of the name at `offset` of `document` when it names `target`. */
export function renameRange(document: ScriptDocument, offset: number, target: LetTarget, referrers: readonly Referrer[]): LspRange | null {
  const here = letPlaces(target, referrers).find((p) => p.document.path === document.path);
  const at = here?.ranges.find((r) => r.start.offset <= offset && offset <= r.end.offset);
  return at ? lspRange(at) : null;
}

export function rename(target: LetTarget, referrers: readonly Referrer[], newName: string): WorkspaceEdit {
  if (!NAME.test(newName)) throw new ResponseError(-32602, `\`${newName}\` is not a name: start with a letter or _, then letters, digits, _ or -`);
  const changes: Record<string, { range: LspRange; newText: string }[]> = {};
  for (const { document, ranges } of letPlaces(target, referrers)) {
    if (ranges.length > 0) changes[document.uri] = ranges.map((range) => ({ range: lspRange(range), newText: newName }));
  }
  return { changes };
}
