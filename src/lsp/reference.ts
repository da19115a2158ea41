// The reference text of a word, from the catalog (the source docs/language.md is generated
// from), for hover and completion.

import { FUNCTIONS, HOOK_ACTIONS, HOOK_STAGES, MONITOR_KINDS, PROVIDERS, SYNTAX_KEYWORDS, TARGET_KINDS, VALUES, WRITER_KINDS, type StatementSpec, type WordSpec } from '../language/catalog.ts';

/** Word lists by the noun the catalog's argument items use for them. */
const WORDS_BY_NOUN: ReadonlyMap<string, readonly WordSpec[]> = new Map<string, readonly WordSpec[]>([
  ['provider', PROVIDERS],
  ['writer kind', WRITER_KINDS],
  ['hook stage', HOOK_STAGES],
  ['hook action', HOOK_ACTIONS],
  ['target kind', TARGET_KINDS],
  ['monitor kind', MONITOR_KINDS],
]);

/** Every word of a fixed list, with its noun; the first list that has a word wins. */
const ANY_WORD = new Map<string, { noun: string; doc: string }>();
for (const [noun, specs] of WORDS_BY_NOUN) for (const spec of specs) if (!ANY_WORD.has(spec.name)) ANY_WORD.set(spec.name, { noun, doc: spec.doc });

export function statementDoc(spec: StatementSpec): string {
  return [`\`${spec.syntax}\``, spec.doc, ...(spec.default === undefined ? [] : [`Default: \`${spec.default}\`.`])].join('\n\n');
}

/** The doc of `word` in the list named `noun`; empty when the list has no doc for it. */
export function wordDoc(noun: string, word: string): string {
  return WORDS_BY_NOUN.get(noun)?.find((w) => w.name === word)?.doc ?? '';
}

/** Hover text for a word with no statement around it to say what it is. */
export function anyWordDoc(word: string, called: boolean): string | undefined {
  const fn = FUNCTIONS.find((f) => f.name === word);
  if (fn && called) return `\`${fn.signature}\` → ${fn.returns}\n\n${fn.doc}`;
  const value = VALUES.find((v) => v.name === word);
  if (value) return `\`${value.name}\` (${value.type})\n\n${value.doc}`;
  const syntax = SYNTAX_KEYWORDS.find((k) => k.name === word);
  if (syntax) return syntax.doc;
  const listed = ANY_WORD.get(word);
  return listed && `\`${word}\` (${listed.noun})\n\n${listed.doc}`;
}
