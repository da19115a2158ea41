// Scopes of `let` names: a block sees its own names and those of the blocks around it.

import { VALUES } from '../language/catalog.ts';
import type { SourceRange } from '../language/diagnostic.ts';
import type { Value } from './values.ts';

export interface Binding {
  /** undefined: its expression failed and was reported; uses stay silent. */
  value: Value | undefined;
  range: SourceRange;
}

export class Scope {
  readonly vars = new Map<string, Binding>();
  readonly parent: Scope | undefined;
  constructor(parent?: Scope) {
    this.parent = parent;
  }
  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  names(): string[] {
    return [...this.vars.keys(), ...(this.parent?.names() ?? [])];
  }
}

export interface Ctx {
  scope: Scope;
  /** The job being evaluated (also while its defaults are). */
  job?: string;
  /** `snapshot_paths` may stand here. */
  snapshotPaths: boolean;
}

/** The built-in values (`hostname`, `platform`...): a `let` may not take their names. */
export const BUILTIN_VALUE_NAMES = new Set(VALUES.map((v) => v.name));
