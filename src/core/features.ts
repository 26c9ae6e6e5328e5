/**
 * Feature extraction and data hygiene. The 11 features are the design's, in a fixed order; missing values are
 * `null` here and imputed with per-model medians learned at training time ({@link FeatureImputer}), never a
 * silent 0. Rows that must not reach a statistic are excluded with a counted reason ({@link exclusionReason}).
 *
 * @module
 */
import type { FinalTestOutcome, TrimTrack } from './types.js';

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
  /**
   * `sigma_gradient` is NaN, infinite, negative, exactly 0 (a flat gradient is not a measurement) or above
   * {@link PHYSICAL_BOUNDS}' `sigmaMax`.
   */
  | 'invalid_sigma'
  /** `linearity_spec` is 0, negative, not finite (ratios to spec are undefined) or above `specMax`. */
  | 'invalid_spec'
  /** The outcome the model learns from (trim or Final Test linearity) is NULL. */
  | 'missing_outcome'
  /** An exact duplicate row (same model, serial, track, file date and sigma) already seen. */
  | 'duplicate'
  /**
   * A numeric or boolean cell of the track (or of its linked Final Test track) that is no number / boolean (`'abc'`,
   * `''` in a REAL column, a text fail count): the adapter marks the row ({@link TrimTrack.unreadable}).
   */
  | 'unreadable_value'
  /** The trim file date (or the linked Final Test date) is NULL, no date, or outside {@link PHYSICAL_BOUNDS}' years. */
  | 'unreadable_date'
  /**
   * A measurement outside its physical bounds ({@link PHYSICAL_BOUNDS}): error, fail points, offset, travel, unit
   * length, a resistance, or the linked Final Test's fail points or error.
   */
  | 'implausible_value';

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
    unreadable_value: 0,
    unreadable_date: 0,
    implausible_value: 0,
  };
}

/**
 * Physical bounds of the stored measurements, from the plant's facts (`shared/domain.md`) with wide margins: a value
 * outside them is no measurement of a potentiometer (a unit mix-up, a corrupt file, an overflow such as 1e308), and a
 * row holding one is excluded and counted ({@link exclusionReason}) instead of reaching a statistic, where one 1e308
 * turns a mean, a variance or a drift score into ±Infinity. Bounds are inclusive; NULL (and NaN, which SQLite stores
 * as NULL) is *missing*, not out of bounds.
 *
 * - `sigmaMax` 10: sigma is a gradient std in volts per degree (or per inch); plant median 3.5e-4, p95 7e-3, linear
 *   parts 10-100× higher: 10 is ~1,400× the p95 and ~3 decades above the highest linear part. (The 999.999
 *   placeholder is counted as `placeholder_sigma` first.) The lower bound is `> 0` (`invalid_sigma`).
 * - `specMax` 5 V: the specs in use are 0.01-0.5 V; 10× the largest.
 * - `errorMax` 100 V (|linearity_error|, trim and Final Test): fails reach 60 × spec = 30 V at the largest spec; no
 *   excitation of a trimmed element is above ~10 V.
 * - `offsetMax` 100 V (|optimal_offset|): the same reasoning as the error.
 * - `failPointsMax` 100,000 (trim and Final Test fail points, which must also be whole numbers ≥ 0): tracks have
 *   61-354 points; ~300× the longest.
 * - `travelMax` 3,600 (travel_length and unit_length, degrees or inches, ≥ 0; 0 is read as missing): rotary parts
 *   travel 100-360°, ten-turn parts 3,600°; linear parts < 4 inches.
 * - `resistanceMin` / `resistanceMax` 1e-3 Ω .. 1e9 Ω (both resistances, when present, must be > 0): parts are
 *   1 kΩ-100 kΩ; six decades below, four above. A negative or zero resistance is no measurement.
 * - `yearMin` / `yearMax` 1950..9999 (file and test dates): laser trimming started in the 1960s; ISO text dates, which
 *   the adapters sort and page by, have four-digit years.
 */
export const PHYSICAL_BOUNDS = {
  sigmaMax: 10,
  specMax: 5,
  errorMax: 100,
  offsetMax: 100,
  failPointsMax: 100_000,
  travelMax: 3_600,
  resistanceMin: 1e-3,
  resistanceMax: 1e9,
  yearMin: 1950,
  yearMax: 9999,
} as const;

/** Whether a date is a real date within {@link PHYSICAL_BOUNDS}' years (UTC). */
export function isPlausibleDate(d: Date): boolean {
  const t = d.getTime();
  if (Number.isNaN(t)) return false;
  const y = d.getUTCFullYear();
  return y >= PHYSICAL_BOUNDS.yearMin && y <= PHYSICAL_BOUNDS.yearMax;
}

/** `true` when `x` is missing (`null`, NaN) or within `[lo, hi]`. */
function within(x: number | null | undefined, lo: number, hi: number): boolean {
  return x === null || x === undefined || Number.isNaN(x) || (x >= lo && x <= hi);
}

/** Fail points: missing, or a whole number in `[0, failPointsMax]`. */
function failPointsOk(x: number | null | undefined): boolean {
  return x === null || x === undefined || Number.isNaN(x) || (Number.isInteger(x) && x >= 0 && x <= PHYSICAL_BOUNDS.failPointsMax);
}

/** Whether every present measurement of the track (and of its Final Test outcome) is within {@link PHYSICAL_BOUNDS}. */
function measurementsPlausible(t: TrimTrack, ft: FinalTestOutcome | null | undefined): boolean {
  const b = PHYSICAL_BOUNDS;
  const resistanceOk = (r: number | null) => within(r, b.resistanceMin, b.resistanceMax);
  return (
    within(t.linearityError, -b.errorMax, b.errorMax) &&
    failPointsOk(t.linearityFailPoints) &&
    within(t.optimalOffset, -b.offsetMax, b.offsetMax) &&
    within(t.travelLength, 0, b.travelMax) &&
    within(t.unitLength, 0, b.travelMax) &&
    resistanceOk(t.untrimmedResistance) &&
    resistanceOk(t.trimmedResistance) &&
    (ft === null || ft === undefined || (failPointsOk(ft.failPoints) && within(ft.linearityError, -b.errorMax, b.errorMax)))
  );
}

/** `x` if it is a finite number, else `null`. */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/**
 * Why a track cannot be used (for learning, and for scoring in apply), or `null` when it can (outcome and duplicates
 * are checked elsewhere, since they depend on the label and on the other rows). In this order: a cell the adapter
 * could not read (`unreadable_*`), a file date outside the plausible years, status ERROR, the sigma checks, the
 * spec, then every other measurement against {@link PHYSICAL_BOUNDS} (`implausible_value`). A track read for apply
 * has no `finalTest`; a training record's linked outcome is checked too.
 */
export function exclusionReason(track: TrimTrack & { readonly finalTest?: FinalTestOutcome | null }): ExclusionReason | null {
  const u = track.unreadable ?? track.finalTest?.unreadable;
  if (u !== undefined) return u.kind === 'date' ? 'unreadable_date' : 'unreadable_value';
  if (!isPlausibleDate(track.fileDate)) return 'unreadable_date';
  if (track.status !== null && track.status.trim().toUpperCase() === 'ERROR') return 'status_error';
  const s = track.sigmaGradient;
  if (s === null || s === undefined) return 'missing_sigma';
  if (Math.abs(s - PLACEHOLDER_SIGMA) < 1e-9) return 'placeholder_sigma';
  if (!Number.isFinite(s) || s <= 0 || s > PHYSICAL_BOUNDS.sigmaMax) return 'invalid_sigma';
  const spec = track.linearitySpec;
  if (spec !== null && spec !== undefined && (!Number.isFinite(spec) || spec <= 0 || spec > PHYSICAL_BOUNDS.specMax)) return 'invalid_spec';
  const ft = track.finalTest;
  if (ft !== null && ft !== undefined && !isPlausibleDate(ft.testDate)) return 'unreadable_date';
  if (!measurementsPlausible(track, ft)) return 'implausible_value';
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
