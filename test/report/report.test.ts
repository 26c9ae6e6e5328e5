/**
 * The plant report, looked at: written from a trained and applied plant, opened in real headless Chromium from the
 * file, every chart must have drawn (an SVG with marks in each chart figure), with no console error and no request
 * beyond the file itself. Also: the typed error when vega is not installed, and the CLI command.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../../src/core/errors.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { createMemoryRepository } from '../../src/storage/index.js';
import { writePlant } from '../../src/synthetic/index.js';
import { writePlantReport, type PlantReportResult } from '../../src/report/plant-report.js';
import { ChartRenderer, compactSvg, mergeSymbolPaths, roundSvgCoordinates } from '../../src/report/render.js';
import { launchChromium, openAndCheck } from '../helpers/chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'ltml-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SVG compaction', () => {
  it('rounds geometry, merges symbol runs and drops what a static SVG does not need', () => {
    expect(roundSvgCoordinates('<path transform="translate(1.26,-0.04)" d="M0.123,4.56L7,8"/><text>0.000123</text>')).toBe(
      '<path transform="translate(1.3,0)" d="M0.1,4.6L7,8"/><text>0.000123</text>',
    );
    expect(
      mergeSymbolPaths(
        '<g><path transform="translate(10,20)" d="M-1,-1h2v2h-2Z" fill="#999"/><path transform="translate(12.4,5)" d="M-1,-1h2v2h-2Z" fill="#999"/></g>',
      ),
    ).toBe('<g><path d="M9,19h2v2h-2ZM11,4h2v2h-2Z" fill="#999"/></g>');
    expect(
      compactSvg(
        '<svg><g><g class="x" role="graphics-object"><text font-size="10px" fill="#000" opacity="1">a</text><text opacity="0">b</text></g></g><g></g></svg>',
      ),
    ).toBe('<svg><text>a</text></svg>');
    // A label moved by a pure translation gets x/y; a rotated one keeps its transform; the default anchor goes.
    expect(
      compactSvg(
        '<svg><text text-anchor="start" transform="translate(16,9)">formula</text><text text-anchor="middle" transform="translate(-39,75) rotate(-90)">ln</text></svg>',
      ),
    ).toBe('<svg><text x="16" y="9">formula</text><text text-anchor="middle" transform="translate(-39,75) rotate(-90)">ln</text></svg>');
  });
});

describe('ChartRenderer without vega', () => {
  it('throws MissingDependencyError naming the npm install command', async () => {
    const err = await ChartRenderer.create(() => Promise.reject(new Error("Cannot find package 'vega'"))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as MissingDependencyError).code).toBe('MISSING_DEPENDENCY');
    expect((err as Error).message).toContain('npm install vega vega-lite');
  });
});

describe('the plant report in headless Chromium', () => {
  const file = join(dir, 'plant-report.html');
  let result: PlantReportResult;
  let html: string;

  beforeAll(async () => {
    const repo = createMemoryRepository();
    const ml = new MLManager(repo, { seed: 5 });
    await writePlant(repo, { seed: 21, tracks: 7_000, models: 12, scenario: 'realistic', driftModelFraction: 0.6 });
    await ml.trainAllModels();
    await ml.applyToDatabase();
    result = await writePlantReport(ml, file);
    html = readFileSync(file, 'utf8');
  });

  it('is one file with no reference to anything outside it', () => {
    expect(result.models).toBe(12);
    expect(result.bytes).toBe(Buffer.byteLength(html));
    // No script, no stylesheet or image link, no URL other than the SVG namespace.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\(/i);
    const urls = html.match(/https?:\/\/[^"'\s<>]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).toContain("default-src 'none'");
  });

  it('draws every chart with marks, with no console error and no request', async () => {
    const { browser, close } = await launchChromium();
    try {
      const { page, consoleErrors, requests } = await openAndCheck(browser, pathToFileURL(file).href);
      const figures = await page.$$eval('figure.chart', (els) =>
        els.map((el) => {
          const svg = el.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return {
            unavailable: el.classList.contains('none'),
            hasSvg: svg !== null,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            // The marks: paths, lines and rectangles with geometry, beyond the axes' own.
            marks: svg ? [...svg.querySelectorAll('path[d], line, rect')].filter((m) => m.getAttribute('d') !== '').length : 0,
            text: el.textContent ?? '',
          };
        }),
      );
      const sections = await page.$$eval('section.model', (els) => els.length);
      expect(sections).toBe(12);
      const drawn = figures.filter((f) => !f.unavailable);
      expect(drawn.length).toBe(result.charts);
      for (const f of drawn) {
        expect(f.hasSvg).toBe(true);
        expect(f.width).toBeGreaterThan(100);
        expect(f.height).toBeGreaterThan(100);
        expect(f.marks).toBeGreaterThan(3);
      }
      // Every chart kind appears drawn at least once; each missing one says why.
      for (const kind of ['ln(sigma) per unit', 'CUSUM', 'EWMA', 'sigma of passing and failing tracks', 'reliability (out-of-sample)']) {
        expect(drawn.some((f) => f.text.startsWith(kind))).toBe(true);
      }
      for (const f of figures.filter((x) => x.unavailable)) expect(f.text.length).toBeGreaterThan(30);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await close();
    }
  });
});
