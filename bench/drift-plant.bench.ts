/**
 * The drift detector on simulated plant-like series (seeded): skewed ln sigma (glitch-prone units), production lots,
 * steps and ramps up and down, histories of 40–3,000 units, the manager's baseline rule (first 30% of the units, at
 * least 30 and at most 500) and its production rate (units per year over the whole history).
 *
 * Run: npx tsx bench/drift-plant.bench.ts [--seed 1] [--models 400] [--lot-ratio 0.5] [--glitch 0.25] [--json]
 *
 * Per model:
 * - units N log-uniform in [40, 3000], over a span of U(0.3, 1) × 730 days (dates uniform, sorted);
 * - within-lot ln sigma: N(0, 0.4²) plus, with probability pg ~ U(0, glitch), an Exponential glitch of mean
 *   g·0.4, g ~ U(1, 3) (skewness of ln sigma up to ~2.5);
 * - lots in time: each lot lasts a log-uniform 2–28 days, offset N(0, (ρ·0.4)²), ρ ~ U(0.3, lot-ratio) (0 when
 *   lot-ratio is 0);
 * - half the models drift: a step or a ramp (linear over the first half of the units after onset, then held), up or
 *   down, of 0.5, 1 or 2 σ (σ = the sd of the model's in-control ln sigma, lots included), onset U(0.3, 0.8)·N.
 * Judged as `bench/quality.bench.ts` does: a drift is caught by an alert in its direction detected at or after the
 * onset; a stable model is flagged by any alert over its whole history.
 */
import { parseArgs } from 'node:util';
import { createRng, type Rng } from '../src/core/rng.js';
import { ModelDriftDetector } from '../src/drift/model-drift-detector.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    models: { type: 'string' },
    'lot-ratio': { type: 'string' },
    glitch: { type: 'string' },
    json: { type: 'boolean' },
  },
});
const seed = Number(values.seed ?? 1);
const nModels = Number(values.models ?? 400);
const lotRatio = Number(values['lot-ratio'] ?? 0.8);
const glitch = Number(values.glitch ?? 0.25);
const DAY = 86_400_000;

interface Row {
  drift: null | { size: number; dir: 'up' | 'down'; kind: 'step' | 'ramp'; after: number };
  caught: boolean;
  flagged: boolean;
  delay: number | null;
  skew: number;
  f: number;
}

const expo = (rng: Rng): number => -Math.log(1 - rng.next());

function simulate(rng: Rng, index: number): Row {
  const N = Math.round(Math.exp(Math.log(40) + rng.next() * (Math.log(3000) - Math.log(40))));
  const span = (0.3 + 0.7 * rng.next()) * 730 * DAY;
  const t0 = Date.UTC(2024, 0, 1);
  const dates = Array.from({ length: N }, () => t0 + rng.next() * span)
    .sort((a, b) => a - b)
    .map((t) => new Date(t));
  const sw = 0.4;
  const pg = rng.next() * glitch;
  const g = 1 + 2 * rng.next();
  const sb = lotRatio > 0 ? (Math.min(0.3, lotRatio) + rng.next() * Math.max(0, lotRatio - 0.3)) * sw : 0;
  const y = new Float64Array(N);
  const lotDays = (): number => Math.exp(Math.log(2) + rng.next() * (Math.log(28) - Math.log(2))) * DAY;
  let b = sb * rng.nextNormal();
  let lotEnd = t0 + lotDays();
  const m = N / (span / (9.6 * DAY)); // mean units per lot (mean lot length ≈ 9.6 days)
  for (let i = 0; i < N; i++) {
    while (dates[i]!.getTime() > lotEnd) {
      b = sb * rng.nextNormal();
      lotEnd += lotDays();
    }
    y[i] = Math.log(3.5e-4) + b + sw * rng.nextNormal() + (rng.next() < pg ? g * sw * expo(rng) : 0);
  }
  let mean = 0;
  for (const v of y) mean += v / N;
  let ss = 0;
  let s3 = 0;
  for (const v of y) {
    ss += (v - mean) ** 2;
    s3 += (v - mean) ** 3;
  }
  const sd = Math.sqrt(ss / (N - 1));
  const skew = s3 / N / (ss / N) ** 1.5;
  const nBase = Math.min(500, Math.max(30, Math.floor(N * 0.3)));
  let drift: Row['drift'] = null;
  if (index % 2 === 1) {
    const onset = Math.max(nBase + 1, Math.floor((0.3 + 0.5 * rng.next()) * N));
    if (onset < N) {
      const size = [0.5, 1, 2][rng.nextInt(3)]!;
      const dir = rng.next() < 0.5 ? 'up' : 'down';
      const kind = rng.next() < 0.5 ? 'step' : 'ramp';
      const after = N - onset;
      const rampLen = Math.max(1, Math.floor(after / 2));
      for (let i = onset; i < N; i++) {
        const frac = kind === 'step' ? 1 : Math.min(1, (i - onset + 1) / rampLen);
        y[i]! += (dir === 'up' ? 1 : -1) * size * sd * frac;
      }
      drift = { size, dir, kind, after };
      (drift as { onset?: number }).onset = onset;
    }
  }
  const sigma = Array.from(y, Math.exp);
  const unitsPerYear = ((N - 1) * 365.25 * DAY) / Math.max(dates[N - 1]!.getTime() - dates[0]!.getTime(), 30 * DAY);
  const det = new ModelDriftDetector(`m${index}`, JSON.parse(process.env.DRIFT_OPTS ?? '{}'));
  if (N < nBase + 1 || !det.setBaseline(sigma.slice(0, nBase), dates.slice(0, nBase), { unitsPerYear })) {
    return { drift, caught: false, flagged: false, delay: null, skew, f: Number.NaN };
  }
  const { episodes, results } = det.detectSeries(sigma.slice(nBase), dates.slice(nBase));
  const onsetIdx = (drift as { onset?: number } | null)?.onset ?? Number.POSITIVE_INFINITY;
  const onsetDate = onsetIdx < N ? dates[onsetIdx]!.getTime() : Number.POSITIVE_INFINITY;
  const hit = drift ? episodes.find((e) => e.direction === drift.dir && e.detectedDate.getTime() >= onsetDate) : undefined;
  const delay = hit ? dates.filter((d) => d.getTime() >= onsetDate && d.getTime() <= hit.detectedDate.getTime()).length : null;
  const f = (det.params as { correlationInflation?: number }).correlationInflation ?? 1;
  if (process.env.DEBUG && drift === null && episodes.length > 0)
    console.log(
      `flagged N=${N} base=${nBase} m=${m.toFixed(0)} sb/sw=${(sb / sw).toFixed(2)} f=${f.toFixed(2)} B=${det.params.blockSize} arl0=${det.params.targetArl0.toFixed(0)} at=${episodes.map((e) => `${e.direction}${e.statistic}@${dates.findIndex((d) => d.getTime() >= e.detectedDate.getTime())}`).join(',')}`,
    );
  if (process.env.DEBUG && drift && drift.size >= 1 && !hit) {
    const maxC = Math.max(...results.map((r) => (drift.dir === 'up' ? r.cusumPos : r.cusumNeg)));
    const ew = Math.max(...results.map((r) => ((drift.dir === 'up' ? 1 : -1) * r.ewma) / r.ewmaLimit));
    console.log(
      `missed ${drift.size}σ ${drift.dir} ${drift.kind} N=${N} base=${nBase} after=${drift.after} m=${m.toFixed(0)} sb/sw=${(sb / sw).toFixed(2)} f=${f.toFixed(2)} B=${det.params.blockSize} h=${det.params.h.toFixed(1)} maxC=${maxC.toFixed(1)} ewma/lim=${ew.toFixed(2)} other=${episodes.length}`,
    );
  }
  return { drift, caught: hit !== undefined, flagged: drift === null && episodes.length > 0, delay, skew, f };
}

const rng = createRng(seed);
const t = performance.now();
const rows = Array.from({ length: nModels }, (_, i) => simulate(rng, i));
const ms = performance.now() - t;
const stable = rows.filter((r) => r.drift === null && Number.isFinite(r.f));
const pct = (a: number, b: number): string => `${a}/${b} = ${b ? ((100 * a) / b).toFixed(1) : '—'}%`;
const med = (xs: number[]): number | null => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : null;
};
const out: Record<string, string> = {};
out['stable flagged'] = pct(stable.filter((r) => r.flagged).length, stable.length);
const bySkew = [...stable].sort((a, b) => a.skew - b.skew);
const third = Math.ceil(bySkew.length / 3);
out['stable flagged by skew third (low/mid/high)'] = [0, 1, 2]
  .map((k) => bySkew.slice(k * third, (k + 1) * third).filter((r) => r.flagged).length)
  .join(' / ');
const drifts = rows.filter((r) => r.drift && Number.isFinite(r.f));
const group = (name: string, sel: (r: Row) => boolean): void => {
  const g = drifts.filter(sel);
  out[name] =
    `${pct(g.filter((r) => r.caught).length, g.length)}, median delay ${med(g.filter((r) => r.delay !== null).map((r) => r.delay!)) ?? '—'}`;
};
group('≥1σ, ≥30 after, up', (r) => r.drift!.size >= 1 && r.drift!.after >= 30 && r.drift!.dir === 'up');
group('≥1σ, ≥30 after, down', (r) => r.drift!.size >= 1 && r.drift!.after >= 30 && r.drift!.dir === 'down');
group('≥1σ, ≥30 after, step', (r) => r.drift!.size >= 1 && r.drift!.after >= 30 && r.drift!.kind === 'step');
group('≥1σ, ≥30 after, ramp', (r) => r.drift!.size >= 1 && r.drift!.after >= 30 && r.drift!.kind === 'ramp');
group('0.5σ, ≥100 after, up', (r) => r.drift!.size === 0.5 && r.drift!.after >= 100 && r.drift!.dir === 'up');
group('0.5σ, ≥100 after, down', (r) => r.drift!.size === 0.5 && r.drift!.after >= 100 && r.drift!.dir === 'down');
out['lot allowance f (median, p90)'] =
  `${med(stable.map((r) => r.f))?.toFixed(2)}, ${[...stable.map((r) => r.f)].sort((a, b) => a - b)[Math.floor(0.9 * stable.length)]?.toFixed(2)}`;
out['time'] = `${(ms / 1000).toFixed(1)} s`;
if (values.json) console.log(JSON.stringify({ seed, nModels, lotRatio, glitch, ...out }));
else {
  console.log(`seed ${seed}, ${nModels} models, lot ratio ≤ ${lotRatio}, glitch ≤ ${glitch}`);
  for (const [k, v] of Object.entries(out)) console.log(`  ${k.padEnd(44)} ${v}`);
}
