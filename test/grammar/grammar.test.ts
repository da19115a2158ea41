// The TextMate grammar: fresh, every word of the language highlighted, and the
// vscode-tmgrammar-test cases (test/grammar/cases/*.still, `^` scope markers) passing.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';
import { FUNCTIONS, VALUES } from '../../src/language/catalog.ts';
import { RESERVED_WORDS } from '../../src/language/tokens.ts';
import { SCOPE, statementKeywords, textMateGrammarFile, wordLists } from '../../src/language/textmate.ts';

const root = new URL('../../', import.meta.url);
const grammarPath = new URL('grammar/stillpoint.tmLanguage.json', root);
const require = createRequire(import.meta.url);

async function loadGrammar(): Promise<IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === SCOPE ? parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath.pathname) : null),
  });
  return (await registry.loadGrammar(SCOPE))!;
}

/** The scopes of the token that starts at `column` of `line`. */
function scopesAt(grammar: IGrammar, line: string, column: number): string[] {
  const { tokens } = grammar.tokenizeLine(line, INITIAL);
  return tokens.find((t) => t.startIndex <= column && column < t.endIndex)!.scopes;
}

/** Highlighted: the word has a scope beyond the file's own and a plain name's. */
const highlighted = (scopes: string[]) => scopes.some((s) => s !== SCOPE && !s.startsWith('variable.other'));

describe('TextMate grammar', () => {
  it('is committed as npm run grammar generates it', () => {
    const [file] = textMateGrammarFile.generate();
    expect(readFileSync(grammarPath, 'utf8'), 'run `npm run grammar` and commit grammar/stillpoint.tmLanguage.json').toBe(file!.content);
  });

  it('highlights every statement keyword, reserved word, function, built-in value and listed word of the language', async () => {
    const grammar = await loadGrammar();
    const missing: string[] = [];
    const check = (what: string, line: string, column: number) => {
      if (!highlighted(scopesAt(grammar, line, column))) missing.push(`${what} in \`${line}\``);
    };
    for (const keyword of statementKeywords()) {
      check(keyword, `  ${keyword} x`, 2);
      check(keyword, `quiesce { idle 3s  ${keyword} 2m }`, 20);
    }
    for (const word of RESERVED_WORDS) check(word, `let x = a ${word} b`, 10);
    for (const fn of FUNCTIONS) check(fn.name, `let x = ${fn.name}("a")`, 8);
    for (const value of VALUES) check(value.name, `let x = [${value.name}]`, 9);
    for (const [noun, words] of wordLists()) for (const word of words) check(`${noun} ${word}`, `  target x ${word}`, 11);
    expect(missing).toEqual([]);
    // The check itself can fail: a plain name is not highlighted.
    expect(highlighted(scopesAt(grammar, '  target x some_name', 11))).toBe(false);
  });

  it('passes the vscode-tmgrammar-test cases', async () => {
    const cli = require.resolve('vscode-tmgrammar-test/dist/unit.js');
    const run = await promisify(execFile)(process.execPath, [cli, '-c', '-g', 'grammar/stillpoint.tmLanguage.json', 'test/grammar/cases/*.still'], { cwd: root.pathname }).catch(
      (error: { stdout: string; stderr: string; code: number }) => error,
    );
    expect('code' in run ? run.code : 0, run.stdout + run.stderr).toBe(0);
    for (const name of ['lexical', 'structure', 'hooks', 'example']) expect(run.stdout).toContain(`test/grammar/cases/${name}.still`);
  });
});
