// fast-check arbitraries for valid .still scripts, written with varied layout (indentation,
// blank lines, comments, `;`, line breaks after commas, one-line and multi-line blocks).

import fc from 'fast-check';

const NAMES = ['job', 'volume', 'hook', 'run', 'keep', 'last', 'x', 'before-backup', 'a_b', 'C2', 'target', 'tree', 'env', 'allow-failure'];
const name = fc.constantFrom(...NAMES);
const text = fc.stringMatching(/^[a-z0-9 /*.:_-]{0,8}$/);

const leaf: fc.Arbitrary<string> = fc.oneof(
  text.map((s) => `"${s}"`),
  fc.tuple(text, fc.constantFrom('\\n', '\\"', '\\\\', '\\$', '\\t')).map(([s, e]) => `"${s}${e}"`),
  text.map((s) => `'${s.replace(/'/g, '')}\\x'`),
  fc.nat(999).map(String),
  fc.tuple(fc.nat(99), fc.nat(9)).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.nat(500), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w')).map(([n, u]) => `${n}${u}`),
  fc.tuple(fc.nat(500), fc.constantFrom('B', 'KB', 'MB', 'GB', 'TB', 'KiB', 'MiB', 'GiB', 'TiB')).map(([n, u]) => `${n}${u}`),
  fc.nat(100).map((n) => `${n}%`),
  fc.constantFrom('C:', 'd:', 'true', 'false', 'none'),
  name,
);

const { expression } = fc.letrec<{ expression: string }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(name, fc.array(tie('expression'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.array(tie('expression'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc.array(tie('expression'), { minLength: 1, maxLength: 3 }).map((items) => `[\n${items.join(',\n')}\n]`),
    fc.tuple(tie('expression'), fc.constantFrom('??', '==', '!=', 'and', 'or'), tie('expression')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('expression').map((e) => `not ${e}`),
    tie('expression').map((e) => `(${e})`),
    // A string is one line: a list written over several lines goes on one inside it.
    fc.tuple(text, tie('expression')).map(([s, e]) => `"${s}\${${e.replace(/\n/g, ' ')}}"`),
  ),
}));

const RAW_LINES = {
  sh: ['echo "}" \'{\'', 'if true; then echo "${HOME}"; fi', '{ a; } # }', 'logger "stillpoint ${STILLPOINT_JOB}"'],
  pwsh: ["Write-Host 'it''s {'", 'if ($x) { Resume-Service -Name MSSQL }', '# } comment', '"`"}"'],
  cmd: ['echo "}"', 'echo ^{', 'net stop MSSQL'],
} as const;

const rawBlock = fc
  .tuple(fc.constantFrom('sh', 'pwsh', 'cmd'), fc.integer({ min: 0, max: 3 }), fc.boolean())
  .chain(([language, count, oneLine]) =>
    fc.array(fc.constantFrom(...RAW_LINES[language]), { minLength: count, maxLength: count }).map((lines) => {
      if (oneLine && lines.length <= 1 && !lines.some((l) => l.includes('#'))) return `${language} { ${lines.join('')} }`;
      return `${language} {\n${lines.map((l) => `      ${l}`).join('\n')}\n   }`;
    }),
  );

const separator = fc.constantFrom('\n', '\n', '\n\n', '\n\n\n', ' ; ', ';\n');
const comment = fc.constantFrom('# note', '// why', '#', '# } { "');
const indentation = fc.constantFrom('', '  ', '\t', '     ');

const args = fc.array(fc.array(expression, { minLength: 1, maxLength: 3 }), { maxLength: 3 }).chain((groups) =>
  fc.array(fc.constantFrom(', ', ',\n    ', ',', ', # c\n '), { minLength: Math.max(0, groups.length - 1), maxLength: Math.max(0, groups.length - 1) }).map((commas) =>
    groups.map((g, i) => (i === 0 ? '' : commas[i - 1]) + g.join(' ')).join(''),
  ),
);

const { statement } = fc.letrec<{ statement: string; block: string }>((tie) => ({
  block: fc
    .tuple(fc.array(fc.tuple(indentation, tie('statement'), fc.option(comment)), { maxLength: 3 }), separator, fc.boolean())
    .map(([statements, sep, brokenOpen]) => {
      const body = statements.map(([indent, s, c]) => `${indent}${s}${c === null ? '' : ` ${c}`}`);
      if (body.length === 0) return brokenOpen ? '{\n}' : '{}';
      return `{${brokenOpen ? '\n' : ' '}${body.join(sep.includes('\n') || body.some((b) => b.includes('#') || b.includes('//')) ? '\n' : sep)}\n}`;
    }),
  statement: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(name, expression).map(([n, e]) => `let ${n} = ${e}`),
    // A raw block's language word is an item, so it cannot follow an assignment.
    fc.tuple(name, args, fc.option(expression), fc.option(fc.oneof(tie('block'), rawBlock))).map(([keyword, a, assignment, body]) =>
      [keyword, a, assignment === null ? '' : `= ${assignment}`, assignment !== null && body !== null && !body.startsWith('{') ? '{}' : (body ?? '')]
        .filter((p) => p !== '')
        .join(' '),
    ),
    fc.tuple(expression, tie('block'), fc.array(fc.tuple(expression, tie('block')), { maxLength: 2 }), fc.option(tie('block'))).map(
      ([condition, body, elifs, elseBody]) =>
        `if ${condition} ${body}${elifs.map(([c, b]) => ` else if ${c} ${b}`).join('')}${elseBody === null ? '' : `\nelse ${elseBody}`}`,
    ),
    fc.tuple(name, expression, tie('block')).map(([v, e, b]) => `for ${v} in ${e} ${b}`),
    rawBlock,
  ),
}));

/** A whole script: statements with comments between them. */
export const script: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.option(comment), indentation, statement, fc.option(comment), fc.constantFrom('\n', '\n\n', '\n\n\n')), { maxLength: 6 })
  .map((parts) => parts.map(([before, indent, s, after, end]) => `${before === null ? '' : `${before}\n`}${indent}${s}${after === null ? '' : ` ${after}`}${end}`).join(''));
