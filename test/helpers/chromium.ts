/**
 * Opens pages in the machine's own headless Chromium (Debian's /usr/bin/chromium; `CHROMIUM_PATH` to use another)
 * through puppeteer-core, which downloads no browser. The flags are those a root CI container needs, with every
 * background network feature off, and a fresh profile per launch.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** A launched browser and how to close it (the profile directory is removed). */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!chromiumAvailable()) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  const profile = mkdtempSync(join(tmpdir(), 'ltml-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page did while it loaded: console errors, page errors and every request other than the page itself. */
export interface PageCheck {
  readonly consoleErrors: string[];
  readonly requests: string[];
  /** Paint timing of the load (ms since navigation start), from the browser's Performance API. */
  readonly firstPaintMs: number | null;
  readonly firstContentfulPaintMs: number | null;
  readonly loadMs: number;
}

/** Loads `url` in a new page (optionally at a width, taking a screenshot) and records what happened. */
export async function openAndCheck(
  browser: Browser,
  url: string,
  opts: { screenshot?: string; width?: number; height?: number } = {},
): Promise<PageCheck & { page: import('puppeteer-core').Page }> {
  const page = await browser.newPage();
  await page.setViewport({ width: opts.width ?? 1280, height: opts.height ?? 900 });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${String(e)}`));
  page.on('requestfailed', (r) => consoleErrors.push(`requestfailed: ${r.url()}`));
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  // Evaluated in the page (a string: this project's TypeScript has no DOM library).
  const timing = (await page.evaluate(`(() => {
    const paint = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
    const nav = performance.getEntriesByType('navigation')[0];
    return { fp: paint('first-paint'), fcp: paint('first-contentful-paint'), load: nav ? nav.loadEventEnd || nav.duration : 0 };
  })()`)) as { fp: number | null; fcp: number | null; load: number };
  if (opts.screenshot) await page.screenshot({ path: opts.screenshot });
  return { page, consoleErrors, requests, firstPaintMs: timing.fp, firstContentfulPaintMs: timing.fcp, loadMs: timing.load };
}
