// The grammar as VS Code colours it: vscode-textmate (VS Code's own tokenizer and theme
// matcher) with the generated grammar and a stock theme (Dark+ or Light+, as @shikijs/themes
// ships them from VS Code). scripts/render-highlighting.ts draws with it; the grammar test
// checks with it that the words of the language get a colour in both themes.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import darkPlus from '@shikijs/themes/dark-plus';
import lightPlus from '@shikijs/themes/light-plus';
import oniguruma from 'vscode-oniguruma';
import textmate, { type IRawTheme, type StackElement } from 'vscode-textmate';
import { SCOPE } from '../src/language/textmate.ts';

export const THEMES = { 'Dark+': darkPlus, 'Light+': lightPlus } as const;
export type ThemeName = keyof typeof THEMES;

export interface ColouredToken {
  text: string;
  foreground: string;
  bold: boolean;
  italic: boolean;
}

export interface ThemedGrammar {
  background: string;
  /** The editor's default text colour: a token in it is not highlighted. */
  foreground: string;
  /** Each line of `text` as its coloured tokens. */
  colour(text: string): ColouredToken[][];
}

// CommonJS packages: Node gives their exports as the default export only.
const { INITIAL, Registry, parseRawGrammar } = textmate;
const require = createRequire(import.meta.url);
const grammarPath = new URL('../grammar/stillpoint.tmLanguage.json', import.meta.url);
let onigLoaded: Promise<void> | undefined;

// Bits of vscode-textmate's encoded token metadata (EncodedTokenAttributes).
const FONT_STYLE_OFFSET = 11;
const FOREGROUND_OFFSET = 15;
const FOREGROUND_MASK = 0b1_1111_1111 << FOREGROUND_OFFSET;

export async function themedGrammar(name: ThemeName): Promise<ThemedGrammar> {
  onigLoaded ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  })();
  await onigLoaded;
  const theme = THEMES[name] as { colors: Record<string, string>; tokenColors: IRawTheme['settings'] };
  const foreground = theme.colors['editor.foreground']!.toUpperCase();
  const background = theme.colors['editor.background']!.toUpperCase();
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === SCOPE ? parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath.pathname) : null),
    theme: { name, settings: [{ settings: { foreground, background } }, ...theme.tokenColors] },
  });
  const grammar = (await registry.loadGrammar(SCOPE))!;
  const colours = registry.getColorMap().map((c) => c.toUpperCase());
  return {
    background,
    foreground,
    colour(text) {
      let state: StackElement = INITIAL;
      return text.split('\n').map((line) => {
        const { tokens, ruleStack } = grammar.tokenizeLine2(line, state);
        state = ruleStack;
        const out: ColouredToken[] = [];
        for (let i = 0; i < tokens.length; i += 2) {
          const start = tokens[i]!;
          const end = i + 2 < tokens.length ? tokens[i + 2]! : line.length;
          const metadata = tokens[i + 1]!;
          const style = (metadata >>> FONT_STYLE_OFFSET) & 0b1111;
          if (end > start) out.push({ text: line.slice(start, end), foreground: colours[(metadata & FOREGROUND_MASK) >>> FOREGROUND_OFFSET]!, italic: (style & 1) !== 0, bold: (style & 2) !== 0 });
        }
        return out;
      });
    },
  };
}
