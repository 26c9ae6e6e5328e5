/**
 * Feature extraction and data hygiene. The 11 features are the design's, in a fixed order; missing values are
 * `null` here and imputed with per-model medians learned at training time ({@link FeatureImputer}), never a
 * silent 0. Rows that must not reach a statistic are excluded with a counted reason ({@link exclusionReason}).
 *
 * @module
 */
import type { TrimTrack } from './types.js';

/** The design's 11 features, in the order every matrix uses. */
export const FEATURE_NAMES = [
  'sigma_gradient',
  'linearity_error',
  'linearity_fail_points',
  'optimal_offset',
  'travel_length',
  'unit_length',
  'linearity_spec',
  'resistance_change',
  'sigma_to_spec_ratio',
  'error_to_spec_ratio',
  'offset_magnitude',
] as const;

/** One of the design's feature names. */
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Feature values of one track; `null` where the value is missing or not usable. */
export type FeatureValues = Record<FeatureName, number | null>;

/** The placeholder sigma the analysis writes when it fails. */
export const PLACEHOLDER_SIGMA = 999.999;

/** Why a track was kept out of learning. Every exclusion is counted per reason. */
export type ExclusionReason =
  /** Host analysis status is `ERROR`. */
  | 'status_error'
  /** `sigma_gradient` is the 999.999 placeholder of a failed analysis. */
  | 'placeholder_sigma'
  /** `sigma_gradient` is NULL. */
  | 'missing_sigma'
  /** `sigma_gradient` is NaN, infinite, negative or exactly 0 (a flat gradient is not a measurement). */
  | 'invalid_sigma'
  /** `linearity_spec` is 0, negative or not finite (ratios to spec are undefined). */
  | 'invalid_spec'
  /** The outcome the model learns from (trim or Final Test linearity) is NULL. */
  | 'missing_outcome'
  /** An exact duplicate row (same model, serial, track, file date and sigma) already seen. */
  | 'duplicate';

/** Counts of excluded rows by reason. */
export type ExclusionCounts = Record<ExclusionReason, number>;

/** A zeroed {@link ExclusionCounts}. */
export function emptyExclusionCounts(): ExclusionCounts {
  return {
    status_error: 0,
    placeholder_sigma: 0,
    missing_sigma: 0,
    invalid_sigma: 0,
    invalid_spec: 0,
    missing_outcome: 0,
    duplicate: 0,
  };
}

/** `x` if it is a finite number, else `null`. */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/**
 * Why a track cannot be used for learning, or `null` when it can (outcome and duplicates are checked elsewhere,
 * since they depend on the label and on the other rows).
 */
export function exclusionReason(track: Pick<TrimTrack, 'status' | 'sigmaGradient' | 'linearitySpec'>): ExclusionReason | null {
  if (track.status !== null && track.status.trim().toUpperCase() === 'ERROR') return 'status_error';
  const s = track.sigmaGradient;
  if (s === null || s === undefined) return 'missing_sigma';
  if (Math.abs(s - PLACEHOLDER_SIGMA) < 1e-9) return 'placeholder_sigma';
  if (!Number.isFinite(s) || s <= 0) return 'invalid_sigma';
  const spec = track.linearitySpec;
  if (spec !== null && spec !== undefined && (!Number.isFinite(spec) || spec <= 0)) return 'invalid_spec';
  return null;
}

/**
 * The 11 raw features of a track. Non-finite inputs become `null`; a travel of 0 is missing (no real part has
 * one); `resistance_change = (trimmed − untrimmed) / untrimmed` needs both resistances > 0; ratios need a spec > 0.
 *
 * @example
 * ```ts
 * const f = extractFeatures(track);
 * f.sigma_to_spec_ratio; // sigma_gradient / linearity_spec, or null
 * ```
 */
export function extractFeatures(track: TrimTrack): FeatureValues {
  const sigma = finiteOrNull(track.sigmaGradient);
  const err = finiteOrNull(track.linearityError);
  const fp = finiteOrNull(track.linearityFailPoints);
  const offset = finiteOrNull(track.optimalOffset);
  const travelRaw = finiteOrNull(track.travelLength);
  const travel = travelRaw !== null && travelRaw > 0 ? travelRaw : null;
  const unitRaw = finiteOrNull(track.unitLength);
  const unit = unitRaw !== null && unitRaw > 0 ? unitRaw : null;
  const specRaw = finiteOrNull(track.linearitySpec);
  const spec = specRaw !== null && specRaw > 0 ? specRaw : null;
  const ru = finiteOrNull(track.untrimmedResistance);
  const rt = finiteOrNull(track.trimmedResistance);
  const resistanceChange = ru !== null && rt !== null && ru > 0 && rt > 0 ? (rt - ru) / ru : null;
  return {
    sigma_gradient: sigma,
    linearity_error: err,
    linearity_fail_points: fp,
    optimal_offset: offset,
    travel_length: travel,
    unit_length: unit,
    linearity_spec: spec,
    resistance_change: resistanceChange,
    sigma_to_spec_ratio: sigma !== null && spec !== null ? sigma / spec : null,
    error_to_spec_ratio: err !== null && spec !== null ? err / spec : null,
    offset_magnitude: offset !== null ? Math.abs(offset) : null,
  };
}
