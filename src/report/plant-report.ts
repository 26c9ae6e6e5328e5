/**
 * The plant report: one self-contained HTML file (inline CSS and inline SVG, no script, no external resource; a
 * Content-Security-Policy forbids any fetch) with a plant overview and a section per model drawing its chart data
 * (`src/charts/`). See `docs/report.md`.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { throwIfAborted } from '../core/errors.js';
import type { ModelName } from '../core/types.js';
import { plantChartData } from '../charts/chart-data.js';
import type { ModelChartData, ModelChartSummary, PlantChartData } from '../charts/types.js';
import type { MLManager } from '../manager/ml-manager.js';
import { decimateExtremes } from './decimate.js';
import { ChartRenderer } from './render.js';

/** Options of {@link plantReportHtml} and {@link writePlantReport}. */
export interface PlantReportOptions {
  /** Only these models (default: all). */
  readonly models?: readonly ModelName[];
  /** Most points per time-series chart (min–max decimation beyond it, `decimateExtremes`). Default 240. */
  readonly maxPoints?: number;
  /** Report title. Default "laser-trim-ml plant report". */
  readonly title?: string;
  readonly signal?: AbortSignal;
  /** Called after each model's section is drawn. */
  readonly onModel?: (model: ModelName, done: number, total: number) => void;
}

/** What {@link writePlantReport} wrote. */
export interface PlantReportResult {
  readonly file: string;
  readonly bytes: number;
  readonly models: number;
  /** Charts drawn (SVG) and charts replaced by the reason they are unavailable. */
  readonly charts: number;
  readonly unavailableCharts: number;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (v: number | null, digits = 1): string => (v === null ? '–' : `${(v * 100).toFixed(digits)}%`);
const sig = (v: number | null): string => (v === null ? '–' : v.toPrecision(3));
const anchor = (model: string): string => `m-${encodeURIComponent(model).replace(/%/g, '_')}`;
const ms = (d: Date): number => d.getTime();
const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/**
 * Models ranked for the overview: by the lower bound of the Wilson 95% interval of the observed failure rate (a model
 * with 1 failure in 1 labelled track is not ranked above one with 300 in 400), then by the observed rate, then by
 * the predicted risk, then by name; models without labelled tracks last.
 *
 * @example
 * ```ts
 * const ranked = rankModels(summaries); // worst first: by the Wilson lower bound of the failure rate
 * ```
 */
export function rankModels(models: readonly ModelChartSummary[]): ModelChartSummary[] {
  const key = (v: number | null | undefined): number => (v === null || v === undefined ? -1 : v);
  return [...models].sort(
    (a, b) =>
      key(b.failureRateInterval?.[0]) - key(a.failureRateInterval?.[0]) ||
      key(b.failureRate) - key(a.failureRate) ||
      key(b.meanPredictedFailure) - key(a.meanPredictedFailure) ||
      (a.model < b.model ? -1 : 1),
  );
}

function driftCell(s: ModelChartSummary): string {
  if (s.isDrifting) return `<b class="bad">drifting ${s.driftDirection ?? ''}</b>`;
  return s.driftEpisodes > 0 ? `${s.driftEpisodes} past episode${s.driftEpisodes > 1 ? 's' : ''}` : 'in control';
}

function overview(plant: PlantChartData): string {
  const ranked = rankModels(plant.models.map((m) => m.summary));
  const t = plant.totals;
  const rows = ranked
    .map(
      (s, i) =>
        `<tr><td>${i + 1}</td><td><a href="#${anchor(s.model)}">${esc(s.model)}</a></td><td>${esc(s.status)}</td><td>${s.tracks}</td>` +
        `<td>${s.labelledTracks}</td><td>${pct(s.failureRate)}${s.failureRateInterval ? ` <span class="note">(${pct(s.failureRateInterval[0], 0)}–${pct(s.failureRateInterval[1], 0)})</span>` : ''}</td><td>${pct(s.meanPredictedFailure)}</td><td>${s.predictorKind}</td>` +
        `<td>${s.thresholdSource.replace('_', '-')}</td><td>${driftCell(s)}</td><td>${s.openAlerts}</td><td>${s.needsSamples > 0 ? `${s.needsSamples} more` : ''}</td></tr>`,
    )
    .join('\n');
  const drifting = ranked.filter((s) => s.isDrifting);
  const needing = [...ranked].filter((s) => s.needsSamples > 0).sort((a, b) => a.needsSamples - b.needsSamples);
  const list = (xs: readonly ModelChartSummary[], f: (s: ModelChartSummary) => string): string =>
    xs.length === 0 ? '<p>None.</p>' : `<p>${xs.map((s) => `<a href="#${anchor(s.model)}">${esc(s.model)}</a>${f(s)}`).join(', ')}</p>`;
  return `<section id="overview"><h2>Plant overview</h2>
<p>${t.models} models, ${t.tracks} tracks: ${t.trained} trained, ${t.needMoreData} need more data, ${t.failed} failed, <b>${t.drifting} drifting</b>.</p>
<h3>Drifting now</h3>${list(drifting, (s) => ` (${s.driftDirection ?? ''})`)}
<h3>Models that need data</h3>${list(needing, (s) => ` (${s.needsSamples} more)`)}
<h3>Models ranked by failure rate and risk</h3>
<p class="note">Ranked by the lower bound of the 95% (Wilson) interval of the failure rate, so that a rate on a handful of tracks does not rank above a well-measured one. Failure rate: observed on the model's labelled tracks (its label: Final Test where it has enough, else trim), with that interval. Risk: mean out-of-sample predicted P(fail) of the serving predictor on the model's labelled units.</p>
<table><thead><tr><th>#</th><th>Model</th><th>Status</th><th>Tracks</th><th>Labelled</th><th>Failure rate</th><th>Risk</th><th>Predictor</th><th>Threshold</th><th>Drift</th><th>Open alerts</th><th>Needs</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

/** The importance bar chart of the 10 most important features. */
function importanceSvg(r: ChartRenderer, features: readonly { feature: string; importance: number }[]): Promise<string> {
  return r.render('importance', { features: features.slice(0, 10).map((f) => ({ feature: f.feature, importance: r4(f.importance) })) });
}

/** Draws one model's charts (the decimated data sets of each). */
async function modelSection(
  r: ChartRenderer,
  m: ModelChartData,
  maxPoints: number,
  counts: { charts: number; unavailable: number },
): Promise<string> {
  const figures: string[] = [];
  const figure = (title: string, svg: string | { reason: string }, caption = ''): void => {
    if (typeof svg === 'string') {
      counts.charts++;
      figures.push(
        `<figure class="chart"><figcaption>${esc(title)}${caption ? ` <span class="note">${esc(caption)}</span>` : ''}</figcaption>${svg}</figure>`,
      );
    } else {
      counts.unavailable++;
      figures.push(`<figure class="chart none"><figcaption>${esc(title)}</figcaption><p class="note">${esc(svg.reason)}</p></figure>`);
    }
  };
  const episodes = m.drift.available ? m.drift.episodes.map((e) => ({ onset: ms(e.onsetDate), detected: ms(e.detectedDate) })) : [];
  if (m.lnSigma.available) {
    const p = m.lnSigma.points;
    const keep = decimateExtremes(p.length, maxPoints, [(i) => p[i]!.lnSigma]);
    const points = keep.map((i) => ({ t: ms(p[i]!.date), y: r4(p[i]!.lnSigma), phase: p[i]!.phase }));
    // The limits are step functions of time: only the units where they change (and the last) are needed to draw them.
    const limits = p
      .filter(
        (q, i) =>
          i === 0 || i === p.length - 1 || q.centre !== p[i - 1]!.centre || q.lower !== p[i - 1]!.lower || q.upper !== p[i - 1]!.upper,
      )
      .map((q) => ({ t: ms(q.date), centre: r4(q.centre), lower: r4(q.lower), upper: r4(q.upper) }));
    figure(
      'ln(sigma) per unit',
      await r.render('lnSigma', { points, limits, episodes }),
      `${m.lnSigma.baselineUnits} baseline + ${m.lnSigma.monitoredUnits} monitored units${keep.length < p.length ? `, ${keep.length} of ${p.length} drawn (min–max per bucket)` : ''}; centre and limits: the detector's`,
    );
  } else figure('ln(sigma) per unit', m.lnSigma);
  if (m.drift.available) {
    const d = m.drift;
    const p = d.points;
    const keepC = decimateExtremes(p.length, maxPoints, [(i) => p[i]!.cusumPos, (i) => p[i]!.cusumNeg]);
    const cusum = keepC.flatMap((i) => [
      { t: ms(p[i]!.date), side: 'S+ (up)', value: r4(p[i]!.cusumPos) },
      { t: ms(p[i]!.date), side: 'S− (down)', value: r4(p[i]!.cusumNeg) },
    ]);
    figure(
      'CUSUM',
      await r.render('cusum', { points: cusum, limits: [{ h: d.h }], episodes }),
      `h = ${d.h.toFixed(2)}, k = ${d.k}; ${d.blockSize} unit${d.blockSize > 1 ? 's' : ''} per subgroup; ${d.episodes.length} episode${d.episodes.length === 1 ? '' : 's'} (dashed: onset, solid: detection)`,
    );
    const keepE = decimateExtremes(p.length, maxPoints, [(i) => p[i]!.ewma]);
    const ewma = keepE.map((i) => ({
      t: ms(p[i]!.date),
      ewma: r4(p[i]!.ewma),
      limit: r4(p[i]!.ewmaLimit),
      negLimit: r4(-p[i]!.ewmaLimit),
    }));
    figure(
      'EWMA',
      await r.render('ewma', { points: ewma, episodes }),
      `λ = ${d.lambda}, L = ${d.L.toFixed(3)}; designed ARL0 ${Math.round(d.targetArl0)} units`,
    );
  } else {
    figure('CUSUM', m.drift);
    figure('EWMA', m.drift);
  }
  if (m.sigmaDistribution.available) {
    const s = m.sigmaDistribution;
    const bins = s.bins
      .flatMap((b) => [
        { lower: b.lower, upper: b.upper, outcome: 'pass', count: b.pass },
        { lower: b.lower, upper: b.upper, outcome: 'fail', count: b.fail },
      ])
      .filter((b) => b.count > 0);
    const thresholds = [
      ...(s.learnedThreshold !== null ? [{ kind: 'learned', value: s.learnedThreshold }] : []),
      { kind: 'formula', value: s.formulaThreshold.median },
    ];
    figure(
      'sigma of passing and failing tracks',
      await r.render('sigma', { bins, thresholds }),
      `${s.passTracks} pass, ${s.failTracks} fail (${s.labelSource.replace('_', ' ')}); learned ${sig(s.learnedThreshold)} (${s.thresholdSource.replace('_', '-')}), formula ${sig(s.formulaThreshold.median)}`,
    );
  } else figure('sigma of passing and failing tracks', m.sigmaDistribution);
  if (m.reliability.available) {
    const rel = m.reliability;
    const bins = rel.bins.map((b) => ({
      predicted: r4(b.predicted),
      observed: r4(b.observed),
      low: r4(b.observedLow),
      high: r4(b.observedHigh),
      n: b.n,
    }));
    figure(
      'reliability (out-of-sample)',
      await r.render('reliability', {
        bins,
        diagonal: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      }),
      `${rel.predictorKind} forest, ${rel.n} units; Brier ${sig(rel.brier)}, AUC ${sig(rel.auc)}`,
    );
  } else figure('reliability (out-of-sample)', m.reliability);
  if (m.featureImportance.available && m.featureImportance.predictorKind === 'pooled') {
    // The pooled forest's importances are the same for every model it serves: drawn once, in the overview.
    figures.push(
      '<figure class="chart none"><figcaption>feature importance</figcaption><p class="note">Served by the pooled forest: its plant-wide importances are drawn once, in the <a href="#pooled-importance">overview</a>.</p></figure>',
    );
  } else if (m.featureImportance.available) {
    figure('feature importance', await importanceSvg(r, m.featureImportance.features), 'own forest');
  } else figure('feature importance', m.featureImportance);
  const s = m.summary;
  return `<section class="model" id="${anchor(m.model)}"><h2>${esc(m.model)} <span class="status">${esc(s.status)}</span></h2>
<p>${s.tracks} tracks (${s.cleanTracks} usable, ${s.units} units); failure rate ${pct(s.failureRate)} of ${s.labelledTracks} labelled; risk ${pct(s.meanPredictedFailure)}; drift: ${driftCell(s)}. <a href="#overview">overview</a></p>
<div class="charts">${figures.join('\n')}</div></section>`;
}

const CSS = `body{font:13px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:20px}h2{font-size:16px;border-bottom:1px solid #ccc;padding-top:8px}h3{font-size:13px;margin:10px 0 4px}
table{border-collapse:collapse;font-size:12px}td,th{border-bottom:1px solid #eee;padding:2px 6px;text-align:left}
.note{color:#666;font-size:11px}.bad{color:#c00}.status{font-weight:normal;color:#666;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:8px}.chart{margin:0;border:1px solid #eee;padding:4px}.chart.none{width:260px}
figcaption{font-weight:600;font-size:12px}svg{display:block}svg text{font-family:sans-serif;font-size:10px;fill:#000}`;

/**
 * The report as an HTML string: the plant overview and one section per model, every chart an inline SVG drawn by
 * Vega. Throws `MissingDependencyError` when `vega` / `vega-lite` are not installed.
 *
 * @example
 * ```ts
 * const { html, models } = await plantReportHtml(ml, { models: ['8340-1'] });
 * ```
 */
export async function plantReportHtml(
  ml: MLManager,
  options: PlantReportOptions = {},
): Promise<{ html: string; models: number; charts: number; unavailableCharts: number }> {
  const renderer = await ChartRenderer.create();
  const plant = await plantChartData(ml, {
    ...(options.models ? { models: options.models } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const maxPoints = options.maxPoints ?? 240;
  const counts = { charts: 0, unavailable: 0 };
  const sections: string[] = [];
  const ordered = rankModels(plant.models.map((m) => m.summary)).map((s) => plant.models.find((m) => m.model === s.model)!);
  for (const m of ordered) {
    throwIfAborted(options.signal);
    sections.push(await modelSection(renderer, m, maxPoints, counts));
    options.onModel?.(m.model, sections.length, ordered.length);
  }
  const pooled = plant.models.find(
    (m) => m.featureImportance.available && m.featureImportance.predictorKind === 'pooled',
  )?.featureImportance;
  let pooledSection = '';
  if (pooled?.available) {
    counts.charts++;
    pooledSection = `<section id="pooled-importance"><h3>Pooled forest: feature importances (plant-wide)</h3><figure class="chart">${await importanceSvg(renderer, pooled.features)}</figure></section>`;
  }
  const title = esc(options.title ?? 'laser-trim-ml plant report');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${CSS}</style></head>
<body><h1>${title}</h1><p class="note">Generated ${plant.generatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC by laser-trim-ml. Definitions of every chart: docs/report.md.</p>
${overview(plant)}
${pooledSection}
${sections.join('\n')}
</body></html>
`;
  return { html, models: plant.models.length, charts: counts.charts, unavailableCharts: counts.unavailable };
}

/**
 * Writes the plant report to `file`: one self-contained HTML file that opens offline in any browser.
 *
 * @example
 * ```ts
 * const ml = new MLManager(await createSqliteRepository({ file: './plant.db' }));
 * const r = await writePlantReport(ml, 'plant-report.html');
 * console.log(r.models, 'models,', (r.bytes / 1e6).toFixed(1), 'MB');
 * ```
 */
export async function writePlantReport(ml: MLManager, file: string, options: PlantReportOptions = {}): Promise<PlantReportResult> {
  const { html, models, charts, unavailableCharts } = await plantReportHtml(ml, options);
  await writeFile(file, html, 'utf8');
  return { file, bytes: Buffer.byteLength(html, 'utf8'), models, charts, unavailableCharts };
}
