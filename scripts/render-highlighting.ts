// Draws example scripts as VS Code colours them with the real grammar, in a dark and a light
// stock theme (Dark+ and Light+, tokenized and coloured by vscode-textmate as in VS Code), and
// takes pictures of them with headless Chromium: docs/highlighting-dark.png and
// docs/highlighting-light.png. Embedded shell and PowerShell stay plain here: VS Code
// colours them with grammars of its own, which this repository does not carry.
//
//   node scripts/render-highlighting.ts

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { themedGrammar, type ThemeName } from './themed-grammar.ts';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLES = ['scripts-examples/linux-btrfs-sqlite.still', 'scripts-examples/windows-workstation-vss.still'];
const PICTURES: Record<ThemeName, string> = { 'Dark+': 'docs/highlighting-dark.png', 'Light+': 'docs/highlighting-light.png' };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function page(name: ThemeName): Promise<string> {
  const theme = await themedGrammar(name);
  const panes = EXAMPLES.map((file) => {
    const lines = theme.colour(readFileSync(join(ROOT, file), 'utf8').trimEnd());
    const code = lines
      .map((tokens) => tokens.map((t) => `<span style="color:${t.foreground}${t.italic ? ';font-style:italic' : ''}${t.bold ? ';font-weight:bold' : ''}">${escape(t.text)}</span>`).join(''))
      .join('\n');
    return `<section><h2>${escape(file)} — ${name}</h2><pre>${code}</pre></section>`;
  });
  return `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; padding: 16px; background: ${theme.background}; color: ${theme.foreground}; display: flex; gap: 24px; align-items: flex-start; }
    h2 { font: 13px sans-serif; opacity: 0.7; margin: 0 0 8px; }
    pre { font: 13px/1.45 'DejaVu Sans Mono', monospace; margin: 0; }
  </style>${panes.join('')}`;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  for (const name of Object.keys(PICTURES) as ThemeName[]) {
    const tab = await browser.newPage({ viewport: { width: 1500, height: 600 } });
    await tab.setContent(await page(name));
    await tab.screenshot({ path: join(ROOT, PICTURES[name]), fullPage: true });
    await tab.close();
    console.log(PICTURES[name]);
  }
} finally {
  await browser.close();
}
