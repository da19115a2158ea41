// The railroad diagrams: grammar/ is up to date with the parser, and the page draws every
// rule in headless Chromium without any network request.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { railroadHtml } from '../../src/language/railroad.ts';
import { stillParser } from '../../src/language/parser.ts';
import { GENERATORS } from '../../scripts/generate-grammar.ts';
import { command, describeWith } from '../support/requirements.ts';

const grammarDir = join(import.meta.dirname, '..', '..', 'grammar');

describe('grammar/', () => {
  it('holds what `npm run grammar` generates (run it after changing the parser)', () => {
    for (const generator of GENERATORS) {
      for (const file of generator.generate()) expect(readFileSync(join(grammarDir, file.path), 'utf8'), file.path).toBe(file.content);
    }
  });

  it('loads every resource from the given base, nothing from elsewhere', () => {
    const html = railroadHtml('diagrams/');
    const sources = [...html.matchAll(/(?:src|href)='([^']*)'/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source).toMatch(/^diagrams\//);
  });
});

describeWith('railroad diagrams in headless Chromium', [command('chromium')], () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws a diagram for every rule, offline', async () => {
    const page = await browser.newPage();
    const remote: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith('file:')) return route.continue();
      remote.push(route.request().url());
      return route.abort();
    });
    await page.goto(pathToFileURL(join(grammarDir, 'railroad.html')).href);
    await page.waitForSelector('svg');
    const drawn = await page.$$eval('h2', (headers) => headers.map((h) => h.textContent?.trim()));
    expect(drawn).toEqual(stillParser().getSerializedGastProductions().map((rule) => (rule as unknown as { name: string }).name));
    expect(await page.$$eval('svg', (svgs) => svgs.length)).toBe(drawn.length);
    expect(remote).toEqual([]);
  });
});
