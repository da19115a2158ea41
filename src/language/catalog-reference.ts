// The per-keyword reference of docs/language.md, generated from the catalog so that the
// documentation says exactly what the evaluator and the language server know.
// `node scripts/language-doc.ts` rewrites the part of docs/language.md between the markers.

import {
  BLOCKS,
  BLOCK_KINDS,
  FUNCTIONS,
  HOOK_ACTIONS,
  HOOK_STAGES,
  MONITOR_KINDS,
  PROVIDERS,
  SYNTAX_KEYWORDS,
  TARGET_KINDS,
  VALUES,
  WRITER_KINDS,
  type StatementSpec,
} from './catalog.ts';

export const REFERENCE_START = '<!-- reference: generated from src/language/catalog.ts by `node scripts/language-doc.ts`; do not edit by hand -->';
export const REFERENCE_END = '<!-- end of generated reference -->';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function statementRows(statements: readonly StatementSpec[], withMerge: boolean): string[] {
  const header = withMerge ? '| statement | default | with `defaults` | repeatable | what it does |\n|---|---|---|---|---|' : '| statement | default | repeatable | what it does |\n|---|---|---|---|';
  return [
    header,
    ...statements.map((s) => {
      const cells = [`\`${cell(s.syntax)}\``, s.default === undefined ? '' : cell(s.default)];
      if (withMerge) cells.push(s.merge ?? '');
      cells.push(s.repeatable ? 'yes' : 'no', cell(s.doc));
      return `| ${cells.join(' | ')} |`;
    }),
  ];
}

function words(title: string, rows: readonly { name: string; doc: string }[], extra?: (name: string) => string): string[] {
  return [`### ${title}`, '', '| name | what |', '|---|---|', ...rows.map((r) => `| \`${r.name}\` | ${cell((extra?.(r.name) ?? '') + r.doc)} |`), ''];
}

export function catalogReference(): string {
  const lines: string[] = [REFERENCE_START, '', '## Reference', ''];
  for (const kind of BLOCK_KINDS) {
    const block = BLOCKS[kind];
    lines.push(kind === 'file' ? '### The top level of a file' : `### \`${block.title}\``, '', block.doc, '');
    if (block.statements.length) lines.push(...statementRows(block.statements, kind === 'job'), '');
  }
  lines.push(...words('Providers', PROVIDERS, (name) => `(${PROVIDERS.find((p) => p.name === name)!.where}) `));
  lines.push(...words('Writer kinds', WRITER_KINDS, (name) => {
    const argument = WRITER_KINDS.find((w) => w.name === name)!.argument;
    return argument ? `\`writer NAME ${name} ${argument}\`: ` : `\`writer NAME ${name} { ... }\`: `;
  }));
  lines.push(...words('Hook stages', HOOK_STAGES, (name) => `\`STILLPOINT_STAGE=${HOOK_STAGES.find((h) => h.name === name)!.env}\`. `));
  lines.push(...words('Hook actions', HOOK_ACTIONS));
  lines.push(...words('Target kinds', TARGET_KINDS, (name) => `\`target ${name} ${TARGET_KINDS.find((t) => t.name === name)!.argument}\`: `));
  lines.push(...words('Monitor kinds', MONITOR_KINDS, (name) => `\`monitor ${name} ${MONITOR_KINDS.find((m) => m.name === name)!.argument}\`: `));
  lines.push('### Built-in functions', '', '| call | gives | what |', '|---|---|---|', ...FUNCTIONS.map((f) => `| \`${cell(f.signature)}\` | ${f.returns} | ${cell(f.doc)} |`), '');
  lines.push('### Built-in values', '', '| name | type | what |', '|---|---|---|', ...VALUES.map((v) => `| \`${v.name}\` | ${v.type} | ${cell(v.doc)} |`), '');
  lines.push(...words('Syntax keywords', SYNTAX_KEYWORDS));
  lines.push(REFERENCE_END);
  return lines.join('\n');
}

/** `doc` with its generated part replaced by the current one. */
export function withCurrentReference(doc: string): string {
  const start = doc.indexOf(REFERENCE_START);
  const end = doc.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error('docs/language.md lacks the reference markers');
  return doc.slice(0, start) + catalogReference() + doc.slice(end + REFERENCE_END.length);
}
