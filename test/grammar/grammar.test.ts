// The TextMate grammar: fresh, every word of the language coloured by stock VS Code themes
// (Dark+ and Light+, through VS Code's own tokenizer), and the vscode-tmgrammar-test cases
// (test/grammar/cases/*.still, `^` scope markers) passing.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, VALUES } from '../../src/language/catalog.ts';
import { RESERVED_WORDS } from '../../src/language/tokens.ts';
import { statementKeywords, textMateGrammarFile, wordLists } from '../../src/language/textmate.ts';
import { THEMES, themedGrammar, type ThemedGrammar, type ThemeName } from '../../scripts/themed-grammar.ts';

const root = new URL('../../', import.meta.url);
const grammarPath = new URL('grammar/stillpoint.tmLanguage.json', root);
const require = createRequire(import.meta.url);

/** The colour of the token that starts at `column` of `line`, and the theme's plain text colour. */
function colourAt(theme: ThemedGrammar, line: string, column: number): { colour: string; plain: string } {
  let at = 0;
  for (const token of theme.colour(line)[0]!) {
    if (at <= column && column < at + token.text.length) return { colour: token.foreground, plain: theme.foreground };
    at += token.text.length;
  }
  throw new Error(`no token at ${column} of \`${line}\``);
}

/** Highlighted: the word gets a colour other than plain text in every stock theme we check. */
const highlighted = (themes: ThemedGrammar[], line: string, column: number) =>
  themes.every((theme) => {
    const { colour, plain } = colourAt(theme, line, column);
    return colour !== plain;
  });

describe('TextMate grammar', () => {
  it('is committed as npm run grammar generates it', () => {
    const [file] = textMateGrammarFile.generate();
    expect(readFileSync(grammarPath, 'utf8'), 'run `npm run grammar` and commit grammar/stillpoint.tmLanguage.json').toBe(file!.content);
  });

  it('colours every statement keyword, reserved word, function, built-in value, listed word, drive letter and ${...} in Dark+ and Light+', async () => {
    const themes = await Promise.all((Object.keys(THEMES) as ThemeName[]).map((name) => themedGrammar(name)));
    const missing: string[] = [];
    const check = (what: string, line: string, column: number) => {
      if (!highlighted(themes, line, column)) missing.push(`${what} in \`${line}\``);
    };
    for (const keyword of statementKeywords()) {
      check(keyword, `  ${keyword} x`, 2);
      check(keyword, `quiesce { idle 3s  ${keyword} 2m }`, 20);
    }
    for (const word of RESERVED_WORDS) check(word, `let x = a ${word} b`, 10);
    for (const fn of FUNCTIONS) check(fn.name, `let x = ${fn.name}("a")`, 8);
    for (const value of VALUES) check(value.name, `let x = [${value.name}]`, 9);
    for (const [noun, words] of wordLists()) for (const word of words) check(`${noun} ${word}`, `  target x ${word}`, 11);
    check('a drive letter', '  volume C:', 9);
    check('${ of an interpolation', '  volume "/a/${x}"', 13);
    check('} of an interpolation', '  volume "/a/${x}"', 16);
    expect(missing).toEqual([]);
    // The check itself can fail: `=` is plain text in both themes.
    expect(highlighted(themes, 'let x = 1', 6)).toBe(false);
    // The expression inside `${...}` is code, not string colour.
    const dark = themes[0]!;
    expect(colourAt(dark, '  volume "/a/${x}"', 15).colour).not.toBe(colourAt(dark, '  volume "/a/${x}"', 10).colour);
  });

  it('gives the kinds, the stages and the keep keys colours that tell them apart from keywords', async () => {
    for (const name of Object.keys(THEMES) as ThemeName[]) {
      const theme = await themedGrammar(name);
      const keyword = colourAt(theme, '  provider btrfs', 2).colour;
      for (const [line, column] of [['  provider btrfs', 11], ['  writer "w" sqlite "/x"', 13], ['  hook before-backup run "x"', 7], ['  keep last 3', 7]] as const) {
        expect(colourAt(theme, line, column).colour, `${name}: ${line}`).not.toBe(keyword);
      }
    }
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
