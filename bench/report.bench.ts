/**
 * The plant report on a large plant: generation time, file size, and how fast Chromium opens it (first paint, first
 * contentful paint, load), median of 3 loads, each in a fresh browser profile. Optionally a screenshot.
 *
 * Run: npm run bench:report [-- --db scratch/p300.db --tracks 80000 --models 300 --seed 2026 --screenshot docs/x.png
 *      --section-screenshot docs/y.png]
 * Without an existing --db the plant is generated with `laser-trim-ml demo` (train + apply included).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runCli } from '../src/cli/run.js';
import { MLManager } from '../src/manager/ml-manager.js';
import { createSqliteRepository } from '../src/storage/kysely/sqlite.js';
import { writePlantReport } from '../src/report/plant-report.js';
import { launchChromium, openAndCheck } from '../test/helpers/chromium.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    tracks: { type: 'string' },
    models: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    screenshot: { type: 'string' },
    'section-screenshot': { type: 'string' },
    'screenshot-height': { type: 'string' },
    loads: { type: 'string' },
  },
});
const models = values.models ?? '300';
const tracks = values.tracks ?? '80000';
const db = values.db ?? join(tmpdir(), `ltml-report-bench-${models}-${tracks}.db`);
const out = values.out ?? join(tmpdir(), 'ltml-report-bench.html');
const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
if (!existsSync(db)) {
  console.log(`generating ${tracks} tracks / ${models} models into ${db} (demo: train + apply)`);
  const code = await runCli(['demo', '--db', db, '--tracks', tracks, '--model-count', models, '--seed', values.seed ?? '2026', '--quiet'], {
    stdout: sink,
    stderr: sink,
    signal: new AbortController().signal,
  });
  if (code !== 0) throw new Error(`demo exited ${code}`);
}
const repo = await createSqliteRepository({ file: db });
const ml = new MLManager(repo);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const r = await writePlantReport(ml, out);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await repo.close();
console.log(
  `report: ${r.models} models, ${r.charts} charts (${r.unavailableCharts} unavailable), ${(r.bytes / 1e6).toFixed(2)} MB (${statSync(out).size} bytes); written in ${(wall / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
);

const loads = Number(values.loads ?? 3);
const fp: number[] = [];
const fcp: number[] = [];
const load: number[] = [];
for (let i = 0; i < loads; i++) {
  const { browser, close } = await launchChromium();
  try {
    const last = i === loads - 1 && values.screenshot !== undefined;
    const c = await openAndCheck(
      browser,
      pathToFileURL(out).href,
      last ? { screenshot: values.screenshot!, width: 1280, height: Number(values['screenshot-height'] ?? 1600) } : {},
    );
    if (c.consoleErrors.length > 0 || c.requests.length > 0)
      throw new Error(`console errors ${JSON.stringify(c.consoleErrors)}, requests ${JSON.stringify(c.requests)}`);
    if (last && values['section-screenshot']) {
      // One model's section: the first drifting model (else the first model), as an element screenshot.
      const sections = await c.page.$$('section.model');
      let pick = sections[0];
      for (const el of sections) {
        if ((await el.$eval('h2', (h) => h.textContent ?? '')).includes('drifting')) {
          pick = el;
          break;
        }
      }
      await pick?.screenshot({ path: values['section-screenshot'] });
    }
    fp.push(c.firstPaintMs ?? Number.NaN);
    fcp.push(c.firstContentfulPaintMs ?? Number.NaN);
    load.push(c.loadMs);
  } finally {
    await close();
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `chromium (${loads} loads, median): first paint ${median(fp).toFixed(0)} ms, first contentful paint ${median(fcp).toFixed(0)} ms, load ${median(load).toFixed(0)} ms  [all fcp: ${fcp.map((v) => v.toFixed(0)).join(', ')}]`,
);
if (!values.out) rmSync(out, { force: true });
