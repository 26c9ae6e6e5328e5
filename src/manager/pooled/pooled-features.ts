/**
 * Unit-free features for the pooled forest: one forest trained on the Final Test outcomes of every model, serving
 * each model from its first unit (most models are small; a per-model forest on a few dozen units overfits). Every
 * feature is a ratio to the model's own spec or typical sigma, so rotary (volts/degree) and linear (volts/inch) parts
 * share one scale.
 *
 * @module
 */
import { exclusionReason, extractFeatures } from '../../core/features.js';
import { quantileLinear } from '../../core/stats/descriptive.js';
import type { TrimTrack } from '../../core/types.js';
import type { FinalTestHistory } from './pooled-context.js';

/** Columns of the pooled forest, in order. */
export const POOLED_FEATURE_NAMES = [
  /** ln(sigma / the model's median sigma): how unusual the unit is for its own model. */
  'log_sigma_rel_model',
  /** ln(sigma / spec). */
  'log_sigma_to_spec',
  /** linearity_error / spec (trim). */
  'error_to_spec_ratio',
  /** ln(1 + trim fail points). */
  'log1p_fail_points',
  /** |optimal_offset| / spec. */
  'offset_to_spec',
  /** (trimmed − untrimmed) / untrimmed. */
  'resistance_change',
  /** log10(spec). */
  'log10_spec',
  /**
   * resistance_change − the model's median resistance change: an unusual trim removal for its model (models differ
   * in their typical change, 2–15 %). No outcome is involved.
   */
  'resistance_change_rel_model',
  /**
   * The model's Final Test failure rate, beta-binomial smoothed toward the plant rate; out of fold at training
   * (see pooled-context.ts).
   */
  'model_ft_rate',
  /**
   * The model's Final Test failure rate among units trimmed on earlier days, exponentially weighted (half-life 7 days)
   * and shrunk toward `model_ft_rate` (see pooled-context.ts).
   */
  'model_ft_recent_rate',
  /**
   * The same over the model's earlier and later days (never the unit's own day), shrunk toward `model_ft_rate`: the
   * outcomes of linked lot-mates (see pooled-context.ts).
   */
  'model_ft_nearby_rate',
  /**
   * ln(observed / expected) FT failures of the model, the expected count from a track-only logistic model, smoothed
   * by 5 expected failures; out of fold at training (see pooled-context.ts).
   */
  'model_ft_excess',
] as const;

/**
 * The first columns, computed from the track and its model's label-free context alone ({@link pooledFeatureRow});
 * the columns after them are the Final Test context features of pooled-context.ts.
 */
export const POOLED_TRACK_FEATURE_COUNT = 8;

/** The columns of a pooled forest of state v1: the first seven track columns. */
export const POOLED_V1_FEATURE_COUNT = 7;

/** The columns of a pooled forest of state v2: every column before `model_ft_excess`. */
export const POOLED_V2_FEATURE_COUNT = 11;

/** A pooled feature name. */
export type PooledFeatureName = (typeof POOLED_FEATURE_NAMES)[number];

/** What the pooled features need to know about a track's model (learned at training, stored in its state). */
export interface ModelContext {
  /** Median of ln(sigma) over the model's clean tracks (numpy median). */
  readonly medianLogSigma: number;
  /** Clean tracks the median came from. */
  readonly samples: number;
  /**
   * Median resistance change (numpy median) over the model's clean tracks that have one; `null` when none has.
   * Absent in contexts stored before it existed (the column is then imputed).
   */
  readonly medianResistanceChange?: number | null;
  /**
   * The model's linked Final Test outcomes by trim day, for the context features. Absent in contexts stored before
   * they existed: those features are then imputed (the column medians), and a retraining fills them.
   */
  readonly finalTest?: FinalTestHistory;
}

/** Median of ln(sigma) over positive finite values; `null` when there are none. */
export function medianLogSigma(sigmas: Iterable<number | null>): number | null {
  const logs: number[] = [];
  for (const s of sigmas) if (s !== null && Number.isFinite(s) && s > 0 && s !== 999.999) logs.push(Math.log(s));
  return quantileLinear(logs, 0.5);
}

/**
 * Writes the first `columns` ({@link POOLED_TRACK_FEATURE_COUNT}, or {@link POOLED_V1_FEATURE_COUNT} for a v1
 * forest) pooled features of one track into `out` (NaN where a value is missing; the pooled imputer fills them).
 * The context columns after them are left untouched. Returns `false` when the track cannot be scored at all (a
 * track hygiene excludes: no usable sigma, an unreadable cell, a value outside the physical bounds).
 */
export function pooledFeatureRow(
  track: TrimTrack,
  ctx: ModelContext,
  out: Float64Array,
  offset = 0,
  columns: number = POOLED_TRACK_FEATURE_COUNT,
): boolean {
  if (exclusionReason(track) !== null) return false;
  const f = extractFeatures(track);
  const sigma = f.sigma_gradient;
  if (sigma === null || sigma <= 0) return false;
  const spec = f.linearity_spec;
  const logSigma = Math.log(sigma);
  out[offset] = logSigma - ctx.medianLogSigma;
  out[offset + 1] = spec !== null ? logSigma - Math.log(spec) : Number.NaN;
  out[offset + 2] = f.error_to_spec_ratio ?? Number.NaN;
  out[offset + 3] = f.linearity_fail_points !== null && f.linearity_fail_points >= 0 ? Math.log1p(f.linearity_fail_points) : Number.NaN;
  out[offset + 4] = f.offset_magnitude !== null && spec !== null ? f.offset_magnitude / spec : Number.NaN;
  out[offset + 5] = f.resistance_change ?? Number.NaN;
  out[offset + 6] = spec !== null ? Math.log10(spec) : Number.NaN;
  if (columns > POOLED_V1_FEATURE_COUNT) {
    const m = ctx.medianResistanceChange;
    out[offset + 7] = f.resistance_change !== null && typeof m === 'number' ? f.resistance_change - m : Number.NaN;
  }
  return true;
}

/** A track's resistance change `(trimmed − untrimmed) / untrimmed` ({@link extractFeatures}), or `null`. */
export function resistanceChangeOf(track: TrimTrack): number | null {
  return extractFeatures(track).resistance_change;
}

/** Median (numpy median) of the finite values; `null` when there are none. */
export function medianOf(values: Iterable<number | null>): number | null {
  const xs: number[] = [];
  for (const v of values) if (v !== null && Number.isFinite(v)) xs.push(v);
  return quantileLinear(xs, 0.5);
}

/** Column medians (numpy median) ignoring NaN; 0 for a column with no value at all (documented: such a column is constant). */
export function columnMedians(data: Float64Array, columns: number): number[] {
  const rows = Math.floor(data.length / columns);
  const medians: number[] = [];
  const buf = new Float64Array(rows);
  for (let j = 0; j < columns; j++) {
    let n = 0;
    for (let i = 0; i < rows; i++) {
      const v = data[i * columns + j]!;
      if (!Number.isNaN(v)) buf[n++] = v;
    }
    if (n === 0) {
      medians.push(0);
      continue;
    }
    const s = buf.subarray(0, n).sort();
    const m = n >> 1;
    medians.push(n % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2);
  }
  return medians;
}

/** Replaces NaN in place by the column's median. */
export function imputeInPlace(data: Float64Array, columns: number, medians: readonly number[]): void {
  for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i]!)) data[i] = medians[i % columns]!;
}
