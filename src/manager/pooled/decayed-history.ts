/**
 * Exponentially decayed Final Test counts of a model's history, for the pooled forest's context features (its recent
 * and nearby fail rates, see pooled-context.ts): precomputed running sums, read by binary search.
 *
 * @module
 */
import type { FinalTestHistory } from './pooled-context.js';

/**
 * Exponentially weighted FT counts of the days strictly before `day`, precomputed for binary search: for each history
 * day i, `a[i] = Σ_{j ≤ i} F_j · 2^(−(d_i − d_j)/H)` and `b[i]` the same over `n_j`.
 */
export interface DecayedHistory {
  readonly days: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  /** The same from the other end: `ra[i] = Σ_{j ≥ i} F_j · 2^(−(d_j − d_i)/H)`, `rb[i]` over `n_j`. */
  readonly ra: Float64Array;
  readonly rb: Float64Array;
  /** The days' own counts. */
  readonly units: Float64Array;
  readonly failures: Float64Array;
  readonly halfLifeDays: number;
}

/** Precomputes the decayed running counts of a history (O(days)). */
export function decayHistory(h: FinalTestHistory, halfLifeDays: number): DecayedHistory {
  const len = h.days.length;
  const days = Float64Array.from(h.days);
  const a = new Float64Array(len);
  const b = new Float64Array(len);
  let pa = 0;
  let pb = 0;
  for (let i = 0; i < len; i++) {
    const decay = i === 0 ? 0 : 2 ** (-(days[i]! - days[i - 1]!) / halfLifeDays);
    pa = pa * decay + h.failures[i]!;
    pb = pb * decay + h.units[i]!;
    a[i] = pa;
    b[i] = pb;
  }
  const ra = new Float64Array(len);
  const rb = new Float64Array(len);
  pa = 0;
  pb = 0;
  for (let i = len - 1; i >= 0; i--) {
    const decay = i === len - 1 ? 0 : 2 ** (-(days[i + 1]! - days[i]!) / halfLifeDays);
    pa = pa * decay + h.failures[i]!;
    pb = pb * decay + h.units[i]!;
    ra[i] = pa;
    rb[i] = pb;
  }
  return { days, a, b, ra, rb, units: Float64Array.from(h.units), failures: Float64Array.from(h.failures), halfLifeDays };
}

/** The first index with `days[i] >= day` (binary search). */
function lowerBound(days: Float64Array, day: number): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Decayed FT failures and outcomes of the days strictly before `day`:
 * `A = Σ_{d_j < day} F_j · 2^(−(day − d_j)/H)`, `B` the same over `n_j` (H the half-life in days).
 */
export function decayedBefore(h: DecayedHistory, day: number): { failures: number; units: number } {
  const i = lowerBound(h.days, day) - 1; // last index with days[i] < day
  if (i < 0) return { failures: 0, units: 0 };
  const w = 2 ** (-(day - h.days[i]!) / h.halfLifeDays);
  return { failures: h.a[i]! * w, units: h.b[i]! * w };
}

/** The same over the days strictly after `day`: `Σ_{d_j > day} F_j · 2^(−(d_j − day)/H)`, and over `n_j`. */
export function decayedAfter(h: DecayedHistory, day: number): { failures: number; units: number } {
  let i = lowerBound(h.days, day);
  if (i < h.days.length && h.days[i] === day) i++; // first index with days[i] > day
  if (i >= h.days.length) return { failures: 0, units: 0 };
  const w = 2 ** (-(h.days[i]! - day) / h.halfLifeDays);
  return { failures: h.ra[i]! * w, units: h.rb[i]! * w };
}

/**
 * The recent FT failure rate of a unit trimmed on `day`: `(A + s·base) / (B + s)`, with A, B the decayed failures
 * and outcomes of the model's earlier days ({@link decayedBefore}), `s` the recent prior strength and `base` the
 * row's model rate. With no earlier outcome it is `base`.
 *
 * @example
 * ```ts
 * // one earlier day, 7 days before, 4 outcomes with 2 failures; H = 7, s = 5, base = 0.2:
 * // A = 2·0.5 = 1, B = 4·0.5 = 2, rate = (1 + 1) / (2 + 5) = 0.2857
 * ```
 */
export function recentRate(h: DecayedHistory, day: number, base: number, strength: number): number {
  const { failures, units } = decayedBefore(h, day);
  return (failures + strength * base) / (units + strength);
}

/** The FT outcomes of the history's day `day` itself (none when the day has none). */
export function countsOnDay(h: DecayedHistory, day: number): { failures: number; units: number } {
  const i = lowerBound(h.days, day);
  if (i >= h.days.length || h.days[i] !== day) return { failures: 0, units: 0 };
  return { failures: h.failures[i]!, units: h.units[i]! };
}

/**
 * The nearby FT failure rate of a unit trimmed on `day`: like {@link recentRate} over the model's days before **and
 * after** `day`, each weighed by its distance in days, plus `sameDay`, outcomes of the unit's own day that it may
 * see (weight 1): `(A_before + A_after + F_same + s·base) / (B_before + B_after + n_same + s)`. At training
 * `sameDay` holds the day's outcomes **outside the row's fold** (never its own, nor its twin's); at apply all of the
 * day's linked outcomes. A unit whose lot-mates were linked while it was not gets their outcomes; for the newest
 * units (nothing linked on or after their day) it is the recent rate.
 *
 * @example
 * ```ts
 * // days 10 (4 outcomes, 2 failures) and 17 (2, 0), unit on day 14, H = 7, s = 5, base = 0.2, nothing same-day:
 * // A = 2·2^(−4/7), B = 4·2^(−4/7) + 2·2^(−3/7); rate = (A + 1) / (B + 5)
 * ```
 */
export function nearbyRate(
  h: DecayedHistory,
  day: number,
  base: number,
  strength: number,
  sameDay: { readonly failures: number; readonly units: number } = { failures: 0, units: 0 },
): number {
  const before = decayedBefore(h, day);
  const after = decayedAfter(h, day);
  return (before.failures + after.failures + sameDay.failures + strength * base) / (before.units + after.units + sameDay.units + strength);
}
