// The HTML report in a real browser: headless Chromium from the distribution, driven by
// playwright-core (no browser download). The screenshot is kept under test/output/ for a person
// to look at; the assertions check that the timeline and writers table are visible and that
// opening the report made no request beyond the file itself.

import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeReport } from '../../src/report/write.ts';
import { describeWith, type Requirement } from '../support/requirements.ts';
import { providerFallbackRun, successfulRun } from '../support/event-sequences.ts';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(import.meta.dirname, '..', 'output', 'report');

function chromiumInstalled(): Requirement {
  return { ok: existsSync(CHROMIUM), reason: `needs ${CHROMIUM} (apt-get install chromium)` };
}

describeWith('HTML run report in headless Chromium', [chromiumInstalled()], () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stillpoint-html-'));
    await mkdir(OUTPUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, sequence] of [
    ['succeeded', successfulRun()],
    ['fallback-partial', providerFallbackRun()],
  ] as const) {
    it(`shows the timeline with the freeze window and the writers table, offline (${name})`, async () => {
      const file = join(dir, `${name}.html`);
      await writeReport(file, sequence.events);
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

      await expect(page.locator('.timeline').first().isVisible()).resolves.toBe(true);
      const rows = page.locator('.timeline .row:not(.freeze-row) .label');
      expect(await rows.allTextContents()).toEqual(['plan', 'before-backup', 'prepare', 'quiesce', 'snapshot', 'copy', 'backup-complete', 'release', 'retention', 'after-backup']);
      // The freeze window is drawn: a band of real width over the stage rows, and its own bar.
      const band = await page.locator('.timeline .freeze-band').first().boundingBox();
      expect(band!.width).toBeGreaterThan(5);
      expect(await page.locator('.timeline .freeze-row .bar.frozen').isVisible()).toBe(true);
      // The snapshot stage's bar overlaps the freeze window in the picture, as it did in time.
      const snapshotBar = await page.locator('.timeline .row', { hasText: 'snapshot' }).first().locator('.bar').boundingBox();
      expect(snapshotBar!.x).toBeLessThanOrEqual(band!.x + band!.width);
      expect(snapshotBar!.x + snapshotBar!.width).toBeGreaterThanOrEqual(band!.x);

      const writers = page.locator('table.writers');
      expect(await writers.isVisible()).toBe(true);
      expect(await writers.locator('tbody tr td:first-child').allTextContents()).toEqual(['books', 'ledger-pg']);
      expect(await page.locator('table.providers').isVisible()).toBe(true);
      expect(await page.locator('table.targets').isVisible()).toBe(true);

      const screenshot = join(OUTPUT, `${name}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
      expect(requests).toEqual([pathToFileURL(file).href]);
      await context.close();
    });
  }
});
