// The TextMate grammar of .still files (grammar/stillpoint.tmLanguage.json, `npm run
// grammar`), generated from the lexer's token definitions (tokens.ts) and the catalog's word
// lists, so that highlighting cannot drift from the language: a keyword added to the catalog
// is highlighted the next time the grammar is generated, and a test checks that the
// committed grammar is fresh.

import { BLOCKS, FUNCTIONS, VALUES, type ArgItem } from './catalog.ts';
import { RAW_LANGUAGES } from './raw-block.ts';
import * as T from './tokens.ts';
import type { RawLanguage } from './ast.ts';

export const SCOPE = 'source.stillpoint';

/** The grammar each raw block language embeds. */
export const EMBEDDED_SCOPES: Readonly<Record<RawLanguage, string>> = {
  sh: 'source.shell',
  pwsh: 'source.powershell',
  cmd: 'source.batchfile',
};

type Rule = Record<string, unknown>;

const WORD_START = '(?<![A-Za-z0-9_-])';
const WORD_END = '(?![A-Za-z0-9_-])';
const NAME = (T.Identifier.PATTERN as RegExp).source;

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The longest words first, so that `providers` is not read as `provider`. */
const words = (list: Iterable<string>) => `${WORD_START}(?:${[...new Set(list)].sort((a, b) => b.length - a.length || a.localeCompare(b)).map(escape).join('|')})${WORD_END}`;
const slug = (noun: string) => noun.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();

function definition(type: { name: string }): T.TokenDefinition {
  const found = T.TOKEN_DEFINITIONS.find((d) => d.type.name === type.name);
  if (!found) throw new Error(`tokens.ts has no definition for ${type.name}`);
  return found;
}

/** Every statement keyword of every block. */
export function statementKeywords(): string[] {
  return [...new Set(Object.values(BLOCKS).flatMap((b) => b.statements.map((s) => s.keyword)))];
}

/** The fixed word lists statements take (`provider NAME`, `hook STAGE ACTION`), by noun. */
export function wordLists(): Map<string, Set<string>> {
  const lists = new Map<string, Set<string>>();
  const add = (item: ArgItem | undefined) => {
    if (item?.kind !== 'word') return;
    const list = lists.get(item.noun) ?? new Set<string>();
    for (const word of item.words) list.add(word);
    lists.set(item.noun, list);
  };
  for (const block of Object.values(BLOCKS)) {
    for (const { args } of block.statements) {
      if (args.kind === 'one' || args.kind === 'list') add(args.item);
      if (args.kind === 'sequence') [...args.items, args.more].forEach(add);
      if (args.kind === 'pairs') add({ kind: 'word', name: 'KEY', words: args.keys, noun: 'key' });
    }
  }
  return lists;
}

/** Words that name a kind of thing (`btrfs`, `sqlite`, `restic`): type colour in stock themes. */
const KIND_NOUNS = new Set(['provider', 'writer kind', 'target kind', 'monitor kind']);

/**
 * The scope of a fixed word: kinds as types, `keep` keys as property names, every other
 * word (stages, backup types, actions, events) as an enum member. Stock themes (Dark+,
 * Light+ and those built on them) colour these three; `support.constant` they leave plain.
 */
function wordScope(noun: string): string {
  if (KIND_NOUNS.has(noun)) return `support.type.${slug(noun)}.stillpoint`;
  if (noun === 'key') return 'support.type.property-name.keep.stillpoint';
  return `variable.other.enummember.${slug(noun)}.stillpoint`;
}

/** The vocabularies a reader looks for first come first. */
const HEADLINE_NOUNS = ['provider', 'writer kind', 'hook stage', 'target kind', 'monitor kind'];
const headline = (noun: string) => (HEADLINE_NOUNS.includes(noun) ? HEADLINE_NOUNS.indexOf(noun) : HEADLINE_NOUNS.length);

function numberRule(type: { name: string }, kind: string): Rule {
  const source = definition(type).pattern.source;
  const number = (T.NumberLiteral.PATTERN as RegExp).source;
  if (!source.startsWith(number)) throw new Error(`${type.name} no longer starts with the number pattern ${number}`);
  return {
    name: `constant.numeric.${kind}.stillpoint`,
    match: `${WORD_START}(${number})(${source.slice(number.length)})`,
    captures: { 1: { name: 'constant.numeric.value.stillpoint' }, 2: { name: `keyword.other.unit.${kind}.stillpoint` } },
  };
}

function rawBlockRule(language: RawLanguage): Rule {
  const embedded = EMBEDDED_SCOPES[language];
  return {
    name: `meta.embedded.block.${language}.stillpoint`,
    begin: `${WORD_START}(${language})\\s*(\\{)`,
    beginCaptures: { 1: { name: 'keyword.other.raw.stillpoint' }, 2: { name: 'punctuation.section.embedded.begin.stillpoint' } },
    end: '\\}',
    endCaptures: { 0: { name: 'punctuation.section.embedded.end.stillpoint' } },
    contentName: embedded,
    patterns: rawContent(language),
  };
}

/**
 * The quotes of each raw language, whose braces do not count (raw-block.ts scans them the
 * same way). They come after the embedded grammar, which colours the strings where it is
 * installed; without it they still keep a `}` in quotes from ending the block.
 */
const RAW_QUOTES: Readonly<Record<RawLanguage, readonly string[]>> = {
  sh: ['"(?:[^"\\\\]|\\\\.)*"', "'[^']*'"],
  pwsh: ['"(?:[^"`]|`.)*"', "'(?:[^']|'')*'"],
  cmd: ['"[^"\\r\\n]*"?'],
};

/** Braces inside a raw block balance (LANGUAGE.md §1): a nested `{ }` does not end it. */
function rawBracesRule(language: RawLanguage): Rule {
  return { begin: '\\{', end: '\\}', patterns: rawContent(language) };
}

function rawContent(language: RawLanguage): Rule[] {
  return [{ include: `#raw-braces-${language}` }, { include: EMBEDDED_SCOPES[language] }, ...RAW_QUOTES[language].map((match) => ({ match }))];
}

export function textMateGrammar(): Record<string, unknown> {
  const operatorWords = [T.And, T.Or, T.Not].map((t) => (t.PATTERN as RegExp).source);
  const keywords = T.TOKEN_DEFINITIONS.filter((d) => d.category === 'keyword').map((d) => (d.type.PATTERN as RegExp).source);
  const constants = T.TOKEN_DEFINITIONS.filter((d) => d.category === 'literal' && d.type.PATTERN instanceof RegExp && /^[a-z]+$/.test(d.type.PATTERN.source)).map((d) => (d.type.PATTERN as RegExp).source);
  // A word in two lists takes the scope of the first: `copy` is a provider before it is a backup type.
  const lists = [...wordLists()].filter(([noun]) => noun !== 'hook action').sort(([a], [b]) => headline(a) - headline(b));
  const repository: Record<string, Rule> = {
    comment: { name: 'comment.line.stillpoint', match: definition(T.Comment).pattern.source, captures: {} },
    'string-double': {
      name: 'string.quoted.double.stillpoint',
      begin: '"',
      beginCaptures: { 0: { name: 'punctuation.definition.string.begin.stillpoint' } },
      end: '"|$',
      endCaptures: { 0: { name: 'punctuation.definition.string.end.stillpoint' } },
      patterns: [
        { name: 'constant.character.escape.stillpoint', match: '\\\\["\\\\nt$]' },
        { name: 'invalid.illegal.escape.stillpoint', match: '\\\\.' },
        {
          // The scopes of JavaScript's template literals, which every stock theme colours:
          // the `${` `}` as punctuation, the expression in code colours, not string colour.
          name: 'meta.template.expression.stillpoint',
          begin: '\\$\\{',
          beginCaptures: { 0: { name: 'punctuation.definition.template-expression.begin.stillpoint' } },
          end: '\\}',
          endCaptures: { 0: { name: 'punctuation.definition.template-expression.end.stillpoint' } },
          contentName: 'meta.embedded.line.stillpoint',
          patterns: [{ include: '#expression' }, { include: '#identifier' }],
        },
      ],
    },
    'string-single': { name: 'string.quoted.single.stillpoint', match: definition(T.RawStringLiteral).pattern.source },
    numbers: {
      patterns: [
        numberRule(T.DurationLiteral, 'duration'),
        numberRule(T.SizeLiteral, 'size'),
        numberRule(T.PercentLiteral, 'percent'),
        { name: 'invalid.illegal.unit.stillpoint', match: `${WORD_START}${definition(T.UnknownUnitLiteral).pattern.source}` },
        { name: 'constant.numeric.stillpoint', match: `${WORD_START}${definition(T.NumberLiteral).pattern.source}` },
      ],
    },
    // A drive letter names where files are, as a path string does: string colour.
    drive: { name: 'string.unquoted.drive.stillpoint', match: `${WORD_START}${definition(T.DriveLiteral).pattern.source}(?![A-Za-z0-9_\\\\/-])` },
    constants: { name: 'constant.language.stillpoint', match: words(constants) },
    let: {
      match: `${WORD_START}(let)\\s+(${NAME})`,
      captures: { 1: { name: 'keyword.other.let.stillpoint' }, 2: { name: 'variable.other.definition.stillpoint' } },
    },
    for: {
      match: `${WORD_START}(for)\\s+(${NAME})\\s+(in)${WORD_END}`,
      captures: { 1: { name: 'keyword.control.loop.stillpoint' }, 2: { name: 'variable.other.definition.stillpoint' }, 3: { name: 'keyword.control.loop.stillpoint' } },
    },
    // `wordlike`: stock themes colour word operators (`and`, `not`) as keywords, symbols plain.
    'operator-words': { name: 'keyword.operator.wordlike.logical.stillpoint', match: words(operatorWords) },
    keywords: { name: 'keyword.control.stillpoint', match: words(keywords.filter((k) => !operatorWords.includes(k))) },
    calls: {
      match: `${WORD_START}(${FUNCTIONS.map((f) => escape(f.name)).join('|')})\\s*(?=\\()`,
      captures: { 1: { name: 'support.function.builtin.stillpoint' } },
    },
    values: { name: 'variable.language.stillpoint', match: words(VALUES.map((v) => v.name)) },
    statements: { name: 'keyword.other.statement.stillpoint', match: words(statementKeywords()) },
    'word-lists': { patterns: lists.map(([noun, list]) => ({ name: wordScope(noun), match: words(list) })) },
    operators: {
      patterns: T.TOKEN_DEFINITIONS.filter((d) => d.category === 'operator').map((d) => ({ name: d.type === T.Assign ? 'keyword.operator.assignment.stillpoint' : 'keyword.operator.stillpoint', match: d.pattern.source })),
    },
    punctuation: {
      patterns: [
        { name: 'punctuation.section.block.stillpoint', match: '[{}]' },
        { name: 'punctuation.section.parens.stillpoint', match: '[()]' },
        { name: 'punctuation.section.brackets.stillpoint', match: '[\\[\\]]' },
        { name: 'punctuation.separator.comma.stillpoint', match: definition(T.Comma).pattern.source },
        { name: 'punctuation.terminator.stillpoint', match: definition(T.Semicolon).pattern.source },
      ],
    },
    identifier: { name: 'variable.other.stillpoint', match: `${WORD_START}${NAME}` },
    expression: {
      patterns: ['comment', 'string-double', 'string-single', 'numbers', 'drive', 'constants', 'operator-words', 'keywords', 'calls', 'values', 'word-lists', 'operators', 'punctuation'].map((r) => ({ include: `#${r}` })),
    },
    ...Object.fromEntries(RAW_LANGUAGES.map((l) => [`raw-${l}`, rawBlockRule(l)])),
    ...Object.fromEntries(RAW_LANGUAGES.map((l) => [`raw-braces-${l}`, rawBracesRule(l)])),
  };
  // Statement keywords before values and word lists: `job "a"` starts a job, `path(root, job)` reads the value `job`.
  const statementStart = {
    match: `(?:^|(?<=[{;]))\\s*(${words(statementKeywords().filter((k) => !(RAW_LANGUAGES as readonly string[]).includes(k)))})`,
    captures: { 1: { name: 'keyword.other.statement.stillpoint' } },
  };
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Stillpoint',
    scopeName: SCOPE,
    fileTypes: ['still'],
    comment: 'Generated by `npm run grammar` from src/language/tokens.ts and src/language/catalog.ts. Do not edit.',
    patterns: [
      { include: '#comment' },
      ...RAW_LANGUAGES.map((l) => ({ include: `#raw-${l}` })),
      { include: '#let' },
      { include: '#for' },
      statementStart,
      { include: '#expression' },
      { include: '#statements' },
      { include: '#identifier' },
    ],
    repository,
  };
}

/** The generator scripts/generate-grammar.ts runs: grammar/stillpoint.tmLanguage.json. */
export const textMateGrammarFile = {
  name: 'TextMate grammar (stillpoint.tmLanguage.json)',
  generate: () => [{ path: 'stillpoint.tmLanguage.json', content: `${JSON.stringify(textMateGrammar(), null, 2)}\n` }],
};
