/**
 * Model-level and time-local context for the pooled forest, without leakage: what a model's Final Test (FT) record
 * says about the next unit of that model, beyond its trim measurements (the model's assembly and its customer's test
 * differ; production lots move defect rates for days). See docs/predictor.md, "Context features".
 *
 * Three features, all computed from FT outcomes of *other* units only:
 * - `model_ft_rate`: the model's FT failure rate, smoothed toward the plant rate by a beta-binomial prior
 *   ({@link fitRatePrior}, {@link smoothedRate}). At training it is **out of fold** (units in {@link CONTEXT_FOLDS}
 *   folds by trim run; a row's rate and the prior come from the other folds only), at apply from all linked units.
 * - `model_ft_recent_rate`: the model's FT failure rate among units trimmed on **earlier days** than this one,
 *   exponentially weighted by age ({@link CONTEXT_HALF_LIFE_DAYS}) and shrunk toward the row's `model_ft_rate`
 *   ({@link recentRate}). A row never sees its own label nor that of any unit of its own day (its twin track
 *   included), at training and at apply alike.
 * - `model_ft_nearby_rate`: the same over earlier **and later** days, with the unit's own day out of fold at
 *   training ({@link nearbyRate}): the outcomes of linked lot-mates of a unit that was not linked.
 * - `model_ft_excess`: ln(observed / expected) FT failures of the model, the expected count from a track-only
 *   logistic model ({@link excessRate}); out of fold at training (both the counts and the logistic model).
 *
 * A model's FT record is kept in its context as day counts ({@link FinalTestHistory}), so apply computes the same
 * features for every track (new units have no FT; their recent rate uses the FT of earlier days).
 *
 * @module
 */
import { labelOf } from '../../core/labels.js';
import type { TrainingRecord } from '../../core/types.js';

/** Milliseconds per day: day numbers are `floor(epoch ms / 86,400,000)` (UTC days). */
const DAY_MS = 86_400_000;

/** UTC day number of a date (`floor(ms / 86,400,000)`). */
export function dayNumber(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/**
 * A model's linked FT outcomes by trim day: `days` ascending UTC day numbers of trim dates that have at least one
 * linked FT outcome, `units[i]` outcomes and `failures[i]` FT failures among them (tracks counted, as the pooled
 * forest's rows are).
 */
export interface FinalTestHistory {
  readonly days: number[];
  readonly units: number[];
  readonly failures: number[];
}

/** The model's FT outcomes by trim day, from its clean records (records without a linked FT are skipped). */
export function finalTestHistory(records: readonly TrainingRecord[]): FinalTestHistory {
  const byDay = new Map<number, [number, number]>();
  for (const r of records) {
    const y = labelOf(r, 'final_test');
    if (y === null) continue;
    const d = dayNumber(r.fileDate);
    if (!Number.isFinite(d)) continue;
    const c = byDay.get(d) ?? [0, 0];
    c[0]++;
    c[1] += y;
    byDay.set(d, c);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  return { days, units: days.map((d) => byDay.get(d)![0]), failures: days.map((d) => byDay.get(d)![1]) };
}

/** Totals of a history. */
export function historyTotals(h: FinalTestHistory): { units: number; failures: number } {
  let units = 0;
  let failures = 0;
  for (let i = 0; i < h.days.length; i++) {
    units += h.units[i]!;
    failures += h.failures[i]!;
  }
  return { units, failures };
}

/**
 * A beta prior on models' FT failure rates: mean `rate`, strength `strength` (= α + β, in units: the prior weighs as
 * much as `strength` linked units of the model).
 */
export interface RatePrior {
  readonly rate: number;
  readonly strength: number;
}

/** Bounds of the prior strength: at least 1 unit, at most 10,000 (models indistinguishable). */
export const PRIOR_STRENGTH_BOUNDS = { min: 1, max: 10_000 } as const;

/**
 * Fits the beta-binomial prior of model FT failure rates by the method of moments over models with ≥ 1 outcome:
 * ```
 * p0 = Σ F_i / Σ n_i                                  (N = Σ n_i, k models)
 * S  = Σ n_i (F_i/n_i − p0)²
 * τ² = max(0, (S − (k − 1) p0 (1 − p0)) / (N − Σ n_i² / N))   (between-model variance of the true rates)
 * m  = p0 (1 − p0) / τ² − 1                             (Beta(α, β) with α + β = m has variance p(1−p)/(m+1))
 * ```
 * E[S] = (k − 1) p0(1 − p0) + τ² (N − Σ n_i²/N) for binomial counts with random rates (the DerSimonian-Laird moment
 * equation written for proportions). `m` is clamped to {@link PRIOR_STRENGTH_BOUNDS} (τ² = 0 gives the upper bound).
 * With no outcome at all the prior is `{ rate: 0.5, strength: 1 }`; with one model, or all rates equal, the
 * strength is the upper bound.
 *
 * @example
 * ```ts
 * fitRatePrior([{ units: 10, failures: 1 }, { units: 10, failures: 5 }, { units: 20, failures: 4 }]);
 * // p0 = 10/40 = 0.25, S = 10·0.0225 + 10·0.0625 + 20·0.0025 = 0.9, τ² = (0.9 − 0.375)/(40 − 15) = 0.021,
 * // m = 0.1875/0.021 − 1 = 7.93
 * ```
 */
export function fitRatePrior(models: Iterable<{ readonly units: number; readonly failures: number }>): RatePrior {
  let n = 0;
  let f = 0;
  let k = 0;
  let sumSq = 0;
  const list: { units: number; failures: number }[] = [];
  for (const m of models) {
    if (!(m.units > 0)) continue;
    list.push(m);
    n += m.units;
    f += m.failures;
    sumSq += m.units * m.units;
    k++;
  }
  if (n === 0) return { rate: 0.5, strength: PRIOR_STRENGTH_BOUNDS.min };
  const p0 = f / n;
  let s = 0;
  for (const m of list) s += m.units * (m.failures / m.units - p0) ** 2;
  const denom = n - sumSq / n;
  const v = p0 * (1 - p0);
  const tau2 = denom > 0 ? Math.max(0, (s - (k - 1) * v) / denom) : 0;
  const strength = tau2 > 0 && v > 0 ? v / tau2 - 1 : PRIOR_STRENGTH_BOUNDS.max;
  return { rate: p0, strength: Math.min(PRIOR_STRENGTH_BOUNDS.max, Math.max(PRIOR_STRENGTH_BOUNDS.min, strength)) };
}

/**
 * The posterior mean FT failure rate of a model with `failures` among `units` under the beta prior:
 * `(F + m·p0) / (n + m)`.
 *
 * @example
 * ```ts
 * smoothedRate(3, 10, { rate: 0.25, strength: 10 }); // (3 + 2.5) / 20 = 0.275
 * ```
 */
export function smoothedRate(failures: number, units: number, prior: RatePrior): number {
  return (failures + prior.strength * prior.rate) / (units + prior.strength);
}

/**
 * Half-life of the recent FT failure rate, in days: a production lot (a reel of element, a paste batch, a setup)
 * moves defect rates for days to weeks, so a unit trimmed a week ago counts half as much as one trimmed yesterday.
 * A property of plants, not fitted to any data set.
 */
export const CONTEXT_HALF_LIFE_DAYS = 7;

/**
 * Prior strength of the recent rate, in (decayed) units: the recent rate is the model rate until about this many
 * recent outcomes are known, then follows them. Five units: a day's lot of a small model moves it, one unit does not.
 */
export const CONTEXT_RECENT_STRENGTH = 5;

/** Folds of the out-of-fold model rate at training. */
export const CONTEXT_FOLDS = 5;

/** The parameters of the context features (kept in the pooled forest's state, so apply computes what training did). */
export interface ContextParams {
  /** The plant prior fitted on all linked units (used at apply). */
  readonly prior: RatePrior;
  readonly halfLifeDays: number;
  readonly recentStrength: number;
  readonly folds: number;
  /** The `model_ft_excess` column's counts (pooled forest v3; absent in v2). */
  readonly excess?: ExcessParams;
}

/**
 * Prior strength of `model_ft_excess`, in expected failures: ln((F + s) / (E + s)) stays near 0 until a model's
 * linked units expect about this many failures. Five, like {@link CONTEXT_RECENT_STRENGTH}: a property of the
 * counts (a ratio of a handful of failures is noise), not fitted to a data set.
 */
export const EXCESS_STRENGTH = 5;

/**
 * What apply needs for `model_ft_excess`: per model, its linked units' FT failures `F` and expected failures `E`
 * (the sum of the track-only logistic model's probabilities, fitted on every linked unit of the plant), as of the
 * train-all that fitted the forest. A model absent here (no linked unit then) has no evidence: F = E = 0.
 */
export interface ExcessParams {
  readonly strength: number;
  readonly models: Readonly<Record<string, { readonly failures: number; readonly expected: number }>>;
}

/**
 * The model's FT failure excess: `ln((F + s) / (E + s))`, `F` its linked units' FT failures, `E` their expected
 * failures under a track-only model, `s` the prior strength in failures ({@link EXCESS_STRENGTH}). 0 without evidence;
 * > 0 where the model fails Final Test more often than its trim measurements explain (its assembly, its customer's
 * test), < 0 where less. Unlike `model_ft_rate`, a model whose units are merely rougher (and fail for it) has no excess.
 *
 * @example
 * ```ts
 * excessRate(12, 7, 5); // ln(17 / 12) = 0.3483
 * excessRate(0, 0, 5);  // 0
 * ```
 */
export function excessRate(failures: number, expected: number, strength: number): number {
  return Math.log((failures + strength) / (expected + strength));
}

/**
 * Fold of a trim run for the out-of-fold model rate: a seeded integer hash of the trim run's id, mod `folds`. Both
 * tracks of a dual-track unit share a fold, so a track's rate never uses its twin's outcome.
 */
export function contextFold(trimResultId: number, seed: number, folds: number): number {
  let z = (Math.imul(trimResultId | 0, 0x9e3779b1) ^ Math.imul((trimResultId / 4294967296) | 0, 0x85ebca77) ^ seed) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return ((z ^ (z >>> 16)) >>> 0) % folds;
}
