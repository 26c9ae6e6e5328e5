/**
 * The drift baseline of one model: which sigma values it uses and the statistics of them.
 *
 * Charts work on y = ln(sigma): sigma is strongly right-skewed (p95/p50 ≈ 20 plant-wide), and ln(sigma) is close to
 * normal within a model, which normal-theory CUSUM/EWMA limits assume. Values ≤ 0 or not finite are dropped (counted
 * in `dropped`). Gross errors are then screened out robustly: values with |y − median| > `outlierCut` × 1.4826·MAD
 * (default 5) are excluded (counted in `outliers`; the minimum size applies before this screen, which by
 * construction keeps at least half of the values), so that a few failed analyses cannot widen the limits. On the
 * remaining values the location and scale are the classical mean and sample standard deviation (ddof = 1): on clean
 * normal data they are the efficient estimators (the median and MAD have efficiencies 64% and 37%), and they are what
 * the self-starting t score (see `selfStartingScore`) is exact for.
 *
 * @module
 */
import { welford } from './welford.js';

/** Statistics of a model's drift baseline. */
export interface DriftBaseline {
  /** Values used (after dropping non-positive / non-finite values and outliers). */
  readonly n: number;
  /** Non-positive or non-finite values dropped. */
  readonly dropped: number;
  /** Robust outliers excluded. */
  readonly outliers: number;
  /** Mean of ln(sigma) over the used values. */
  readonly logMean: number;
  /** Sample standard deviation (ddof = 1) of ln(sigma) over the used values. */
  readonly logStd: number;
  /** Mean of sigma (original scale) over the used values, for display. */
  readonly mean: number;
  /** Sample standard deviation (ddof = 1) of sigma over the used values, for display. */
  readonly std: number;
  /** 95th percentile of sigma over the used values (numpy's default 'linear' method), for display. */
  readonly p95: number;
}

/** The outcome of fitting a baseline: the statistics, or why there are none. */
export type DriftBaselineFit = { readonly ok: true; readonly baseline: DriftBaseline } | { readonly ok: false; readonly reason: string };

/**
 * Percentile of sorted values by numpy's default 'linear' method: position h = (n − 1)·q, linear interpolation
 * between the neighbouring order statistics (e.g. [1, 2, 3, 4] at 0.95: h = 2.85, 3.85).
 */
function percentileLinear(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return a + (h - lo) * (b - a);
}

function meanStd(xs: readonly number[]): [number, number] {
  const { mean, m2 } = welford(xs);
  return [mean, xs.length > 1 ? Math.sqrt(m2 / (xs.length - 1)) : Number.NaN];
}

/**
 * Fits the baseline statistics (see the module comment). Fails, with a reason that says what to do, when fewer
 * than `minSize` usable values remain or ln(sigma) has no spread.
 *
 * @example
 * ```ts
 * const fit = fitDriftBaseline(sigmas, { minSize: 30, outlierCut: 5 });
 * if (fit.ok) console.log(fit.baseline.logMean, fit.baseline.logStd);
 * else console.warn(fit.reason);
 * ```
 */
export function fitDriftBaseline(values: readonly number[], opts: { minSize: number; outlierCut: number }): DriftBaselineFit {
  const usable = values.filter((v) => Number.isFinite(v) && v > 0);
  const dropped = values.length - usable.length;
  if (usable.length < opts.minSize) {
    return {
      ok: false,
      reason:
        `only ${usable.length} positive finite sigma values (${dropped} of ${values.length} dropped as ≤ 0, NaN or ` +
        `infinite); a drift baseline needs at least ${opts.minSize}. Collect more samples or lower minBaselineSize.`,
    };
  }
  const logs = usable.map(Math.log).sort((a, b) => a - b);
  const med = percentileLinear(logs, 0.5);
  const mad =
    1.4826 *
    percentileLinear(
      logs.map((y) => Math.abs(y - med)).sort((a, b) => a - b),
      0.5,
    );
  const inside = (v: number): boolean => mad === 0 || Math.abs(Math.log(v) - med) <= opts.outlierCut * mad;
  const sigmas = usable.filter(inside).sort((a, b) => a - b);
  const keep = sigmas.map(Math.log);
  const [logMean, logStd] = meanStd(keep);
  if (!(logStd > 1e-12 * Math.max(1, Math.abs(logMean)))) {
    return {
      ok: false,
      reason:
        'sigma has no spread in the baseline (all values equal): a control chart cannot be scaled. Check that the ' +
        'sigma column holds measured values, not a placeholder.',
    };
  }
  const [mean, std] = meanStd(sigmas);
  return {
    ok: true,
    baseline: {
      n: keep.length,
      dropped,
      outliers: logs.length - keep.length,
      logMean,
      logStd,
      mean,
      std,
      p95: percentileLinear(sigmas, 0.95),
    },
  };
}
