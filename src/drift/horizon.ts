/**
 * Limits from a model's own monitoring horizon: the in-control ARL that gives a chosen probability of any false
 * alarm over a year of that model's production.
 *
 * Beyond its first few samples the run length of a CUSUM or EWMA chart with a large ARL0 is close to geometric
 * (its signal probability per sample settles at the quasi-stationary rate ≈ 1/ARL0; Woodall 1983, Brook & Evans
 * 1972), so P(false alarm within N samples) ≈ 1 − exp(−N/ARL0). Solving for a target probability p over the N units
 * a model makes in a year gives
 *
 *   ARL0 = N / (−ln(1 − p)).
 *
 * One ARL0 for all models over-alarms the runners (3,000 units a year at ARL0 = 50,000 is a 6% chance a year) and is
 * needlessly slow on small models (100 units a year could afford ARL0 = 10,000 at p = 1%, whose limits are tighter).
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';

const YEAR_MS = 365.25 * 86_400_000;

/**
 * ARL0 = unitsPerYear·years / (−ln(1 − p)) (see the module comment).
 *
 * @example
 * ```ts
 * arl0ForHorizon(500, 0.01);  // 49,749.6: 500 / 0.01005
 * ```
 */
export function arl0ForHorizon(unitsPerYear: number, probability: number, years = 1): number {
  if (!(unitsPerYear > 0) || !Number.isFinite(unitsPerYear))
    throw new InvalidInputError(`unitsPerYear must be a positive finite number, got ${unitsPerYear}.`);
  if (!(probability > 0 && probability < 1))
    throw new InvalidInputError(`The false-alarm probability must be in (0, 1), got ${probability}.`);
  if (!(years > 0) || !Number.isFinite(years)) throw new InvalidInputError(`years must be a positive finite number, got ${years}.`);
  return (unitsPerYear * years) / -Math.log1p(-probability);
}

/**
 * A model's production rate from the dates of its units: (n − 1) / span in years, with the span at least
 * `minSpanDays` (default 30) so that a burst of units on a few days is not read as a year's rate. `null` with fewer
 * than 2 valid dates.
 *
 * @example
 * ```ts
 * // 366 units one a day over exactly one year (365.25 days span → 365 intervals):
 * unitsPerYearOf(Array.from({ length: 366 }, (_, i) => new Date(i * 86_400_000 * 365.25 / 365))); // 365
 * ```
 */
export function unitsPerYearOf(dates: readonly Date[], minSpanDays = 30): number | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let n = 0;
  for (const d of dates) {
    const t = d.getTime();
    if (!Number.isFinite(t)) continue;
    n++;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (n < 2) return null;
  const span = Math.max(hi - lo, minSpanDays * 86_400_000);
  return ((n - 1) * YEAR_MS) / span;
}
