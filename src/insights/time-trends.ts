/**
 * Time-based insights of the design: quality trends (is a model improving or degrading?) and batch effects (do
 * some dates / lots fail more than chance allows?). Pure functions over a model's dated outcomes.
 *
 * - Fail-rate trend: the **Cochran–Armitage test for trend** over time bins with scores = bin index,
 *   `Z = Σ tᵢ(xᵢ − nᵢp̄) / √(p̄(1−p̄)[Σ nᵢtᵢ² − (Σ nᵢtᵢ)²/N])`, two-sided p = P(χ²₁ > Z²).
 * - Sigma trend: the **Mann–Kendall test** on the per-bin medians of ln(sigma),
 *   `S = Σ_{i<j} sign(mⱼ − mᵢ)`, `Var S = n(n−1)(2n+5)/18` (no tie correction), `Z = (S − sign S)/√Var S`.
 * - Batch effects: the **chi-square test of homogeneity** of fail rates across batches,
 *   `X² = Σ (xᵢ − nᵢp̄)² / (nᵢp̄(1−p̄))`, df = k − 1, over batches with at least `minBatchSize` units.
 *
 * @module
 */
import { chiSquareSurvival } from '../core/stats/chi-square.js';
import { quantileLinear } from '../core/stats/descriptive.js';

/** One dated unit outcome. */
export interface DatedOutcome {
  readonly date: Date;
  /** 1 = failed, 0 = passed, `null` = unknown (ignored by fail-rate tests). */
  readonly fail: 0 | 1 | null;
  /** sigma_gradient (> 0), or `null`. */
  readonly sigma: number | null;
}

/** Calendar bin of a date (UTC). */
export type TimeBin = 'day' | 'week' | 'month';

/** Units, failures and median sigma of one time bin. */
export interface TimeBinSummary {
  /** First instant of the bin (UTC). */
  readonly start: Date;
  readonly units: number;
  /** Units with a known outcome. */
  readonly withOutcome: number;
  readonly failures: number;
  /** failures / withOutcome, or `null` without outcomes. */
  readonly failRate: number | null;
  /** Median sigma of the bin (numpy median), or `null`. */
  readonly medianSigma: number | null;
}

/** Result of a trend test. */
export interface TrendTest {
  readonly statistic: number;
  readonly z: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** `degrading` / `improving` when p < alpha (more failures or higher sigma over time is degrading), else `stable`. */
  readonly direction: 'improving' | 'degrading' | 'stable';
}

/** Quality trend of one model. */
export interface QualityTrend {
  readonly bin: TimeBin;
  readonly bins: TimeBinSummary[];
  /** Cochran–Armitage on fail rates; `null` with < 3 bins with outcomes or no variation. */
  readonly failRate: TrendTest | null;
  /** Mann–Kendall on median ln(sigma); `null` with < 4 bins with sigma. */
  readonly sigma: TrendTest | null;
  readonly alpha: number;
}

/** Batch-effect test of one model. */
export interface BatchEffects {
  readonly bin: TimeBin;
  /** Batches tested (≥ minBatchSize units with outcomes). */
  readonly batches: TimeBinSummary[];
  /** Batches left out as too small. */
  readonly smallBatches: number;
  readonly chiSquare: number | null;
  readonly df: number;
  readonly pValue: number | null;
  readonly significant: boolean;
  /** Batches whose standardized residual exceeds 2 (fail rate above what chance allows), worst first. */
  readonly worst: (TimeBinSummary & { readonly residual: number })[];
}

const DAY = 86_400_000;

/** Start of the UTC bin containing `d` (weeks start on Monday). */
export function binStart(d: Date, bin: TimeBin): Date {
  if (bin === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const day = Math.floor(d.getTime() / DAY) * DAY;
  if (bin === 'day') return new Date(day);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(day - weekday * DAY);
}

/** Groups outcomes into calendar bins, in time order. */
export function summarizeBins(points: readonly DatedOutcome[], bin: TimeBin): TimeBinSummary[] {
  const groups = new Map<number, { units: number; withOutcome: number; failures: number; sigmas: number[] }>();
  for (const p of points) {
    const key = binStart(p.date, bin).getTime();
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { units: 0, withOutcome: 0, failures: 0, sigmas: [] }));
    g.units++;
    if (p.fail !== null) {
      g.withOutcome++;
      g.failures += p.fail;
    }
    if (p.sigma !== null && Number.isFinite(p.sigma) && p.sigma > 0) g.sigmas.push(p.sigma);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, g]) => ({
      start: new Date(start),
      units: g.units,
      withOutcome: g.withOutcome,
      failures: g.failures,
      failRate: g.withOutcome > 0 ? g.failures / g.withOutcome : null,
      medianSigma: quantileLinear(g.sigmas, 0.5),
    }));
}

function twoSided(z: number): number {
  return chiSquareSurvival(z * z, 1);
}

/**
 * Cochran–Armitage trend test on (nᵢ, xᵢ) with scores tᵢ. Returns `null` when all units pass or all fail, or the
 * scores do not vary.
 *
 * @example
 * ```ts
 * cochranArmitage([10, 10, 10], [1, 3, 5], [0, 1, 2]); // z = 4/√4.2 = 1.9518, p = 0.0510
 * ```
 */
export function cochranArmitage(n: readonly number[], x: readonly number[], t: readonly number[]): { z: number; pValue: number } | null {
  let N = 0;
  let X = 0;
  for (let i = 0; i < n.length; i++) {
    N += n[i]!;
    X += x[i]!;
  }
  if (N === 0) return null;
  const p = X / N;
  let T = 0;
  let snt2 = 0;
  let snt = 0;
  for (let i = 0; i < n.length; i++) {
    T += t[i]! * (x[i]! - n[i]! * p);
    snt2 += n[i]! * t[i]! * t[i]!;
    snt += n[i]! * t[i]!;
  }
  const v = p * (1 - p) * (snt2 - (snt * snt) / N);
  if (!(v > 0)) return null;
  const z = T / Math.sqrt(v);
  return { z, pValue: twoSided(z) };
}

/**
 * Mann–Kendall trend test (normal approximation with continuity correction, no tie correction).
 *
 * @example
 * ```ts
 * mannKendall([1, 2, 3, 4, 5]); // S = 10, Var = 5·4·15/18 = 16.667, z = 9/4.0825 = 2.2045
 * ```
 */
export function mannKendall(values: readonly number[]): { s: number; z: number; pValue: number } | null {
  const n = values.length;
  if (n < 3) return null;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(values[j]! - values[i]!);
  const v = (n * (n - 1) * (2 * n + 5)) / 18;
  const z = s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(v);
  return { s, z, pValue: twoSided(z) };
}

/**
 * Quality trend of one model: fail rate (Cochran–Armitage) and median sigma (Mann–Kendall) over calendar bins.
 *
 * @example
 * ```ts
 * const trend = qualityTrend(points, { bin: 'month' });
 * trend.failRate?.direction; // 'degrading' when the fail rate rises significantly
 * ```
 */
export function qualityTrend(points: readonly DatedOutcome[], options: { bin?: TimeBin; alpha?: number } = {}): QualityTrend {
  const bin = options.bin ?? 'month';
  const alpha = options.alpha ?? 0.05;
  const bins = summarizeBins(points, bin);
  const withOutcome = bins.filter((b) => b.withOutcome > 0);
  let failRate: TrendTest | null = null;
  if (withOutcome.length >= 3) {
    const ca = cochranArmitage(
      withOutcome.map((b) => b.withOutcome),
      withOutcome.map((b) => b.failures),
      withOutcome.map((_, i) => i),
    );
    if (ca)
      failRate = {
        statistic: ca.z,
        z: ca.z,
        pValue: ca.pValue,
        direction: ca.pValue < alpha ? (ca.z > 0 ? 'degrading' : 'improving') : 'stable',
      };
  }
  let sigma: TrendTest | null = null;
  const medians = bins.filter((b) => b.medianSigma !== null).map((b) => Math.log(b.medianSigma!));
  if (medians.length >= 4) {
    const mk = mannKendall(medians);
    if (mk)
      sigma = {
        statistic: mk.s,
        z: mk.z,
        pValue: mk.pValue,
        direction: mk.pValue < alpha ? (mk.z > 0 ? 'degrading' : 'improving') : 'stable',
      };
  }
  return { bin, bins, failRate, sigma, alpha };
}

/**
 * Batch effects: are fail rates homogeneous across batches (days or weeks)?
 *
 * @example
 * ```ts
 * const b = batchEffects(points, { bin: 'week' });
 * if (b.significant) console.log(b.worst[0]?.start);
 * ```
 */
export function batchEffects(
  points: readonly DatedOutcome[],
  options: { bin?: TimeBin; minBatchSize?: number; alpha?: number } = {},
): BatchEffects {
  const bin = options.bin ?? 'week';
  const minBatch = options.minBatchSize ?? 5;
  const alpha = options.alpha ?? 0.01;
  const all = summarizeBins(points, bin);
  const batches = all.filter((b) => b.withOutcome >= minBatch);
  const smallBatches = all.length - batches.length;
  let N = 0;
  let X = 0;
  for (const b of batches) {
    N += b.withOutcome;
    X += b.failures;
  }
  const p = N > 0 ? X / N : 0;
  if (batches.length < 2 || p === 0 || p === 1) {
    return {
      bin,
      batches,
      smallBatches,
      chiSquare: null,
      df: Math.max(0, batches.length - 1),
      pValue: null,
      significant: false,
      worst: [],
    };
  }
  let chi = 0;
  const residuals: (TimeBinSummary & { residual: number })[] = [];
  for (const b of batches) {
    const e = b.withOutcome * p;
    const r = (b.failures - e) / Math.sqrt(e * (1 - p));
    chi += r * r;
    residuals.push({ ...b, residual: r });
  }
  const df = batches.length - 1;
  const pValue = chiSquareSurvival(chi, df);
  const worst = residuals.filter((r) => r.residual > 2).sort((a, b) => b.residual - a.residual);
  return { bin, batches, smallBatches, chiSquare: chi, df, pValue, significant: pValue < alpha, worst };
}
