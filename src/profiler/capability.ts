/**
 * Process capability (Cp, Cpk, Pp, Ppk).
 *
 * Definitions (Montgomery, *Introduction to Statistical Quality Control*, §8.3; AIAG SPC manual):
 * - two-sided: `Cp = (USL − LSL) / 6σ_within`, `Cpk = min(USL − μ, μ − LSL) / 3σ_within`;
 *   `Pp`, `Ppk` the same with the overall sample std (ddof = 1);
 * - one-sided (only USL): `Cp = Cpk = Cpu = (USL − μ) / 3σ` (Montgomery: "for one-sided specifications, Cp is
 *   defined as Cpu"); likewise `Pp = Ppk = Ppu`;
 * - `σ_within = mean moving range / d2`, d2 = 1.128 (moving ranges of 2 consecutive values, in time order).
 *
 * For a laser-trim model the characteristic is `linearity_error / linearity_spec` — the max |error| after the
 * optimal offset, in spec units — against the **one-sided** limit USL = 1 (i.e. |error| ≤ spec). The signed error
 * is not stored, and a small |error| is never a defect, so a lower limit would be meaningless. Expressing the error
 * in spec units gives the same indices as volts against USL = spec, and stays right if a model's spec changed.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { mean, meanMovingRange, sampleStd } from '../core/stats/descriptive.js';
import type { TrainingRecord } from '../core/types.js';
import { validError, validSpec } from './distribution.js';
import type { CapabilitySummary, NullReason } from './types.js';

/** d2 for moving ranges of span 2 (individuals chart). */
export const D2_MOVING_RANGE = 1.128;

/** Specification limits; at least one must be set. */
export interface SpecLimits {
  readonly lsl: number | null;
  readonly usl: number | null;
}

/** The four capability indices; `null` where the σ they use is missing or 0. */
export interface CapabilityIndices {
  readonly cp: number | null;
  readonly cpk: number | null;
  readonly pp: number | null;
  readonly ppk: number | null;
}

/**
 * σ within from the mean moving range of consecutive values (time order): `MR̄ / 1.128`; `null` when n < 2.
 *
 * @example
 * ```ts
 * sigmaWithinFromMovingRange([10, 12, 11, 13, 12]); // MR̄ = 1.5 → 1.5 / 1.128 = 1.32979
 * ```
 */
export function sigmaWithinFromMovingRange(values: readonly number[]): number | null {
  const mr = meanMovingRange(values);
  return mr === null ? null : mr / D2_MOVING_RANGE;
}

function ratio(num: number, sigma: number | null, k: number): number | null {
  return sigma === null || !(sigma > 0) ? null : num / (k * sigma);
}

/**
 * Cp/Cpk (with σ_within) and Pp/Ppk (with σ_overall) for given limits. One-sided limits use Montgomery's
 * convention `Cp = Cpk = Cpu` (or `Cpl`).
 *
 * @example
 * ```ts
 * // μ = 130, σ = 8, LSL = 100, USL = 150: Cp = 50/48 = 1.0417, Cpk = min(20, 30)/24 = 0.8333
 * capabilityIndices(130, 8, 8, { lsl: 100, usl: 150 });
 * ```
 */
export function capabilityIndices(
  mu: number,
  sigmaWithin: number | null,
  sigmaOverall: number | null,
  limits: SpecLimits,
): CapabilityIndices {
  const { lsl, usl } = limits;
  if (lsl === null && usl === null) {
    throw new InvalidInputError('capabilityIndices needs at least one specification limit: pass { usl } and/or { lsl }.');
  }
  if (lsl !== null && usl !== null && !(usl > lsl)) {
    throw new InvalidInputError(`capabilityIndices: USL (${usl}) must be greater than LSL (${lsl}).`);
  }
  if (lsl !== null && usl !== null) {
    const width = usl - lsl;
    const nearest = Math.min(usl - mu, mu - lsl);
    return {
      cp: ratio(width, sigmaWithin, 6),
      cpk: ratio(nearest, sigmaWithin, 3),
      pp: ratio(width, sigmaOverall, 6),
      ppk: ratio(nearest, sigmaOverall, 3),
    };
  }
  const distance = usl !== null ? usl - mu : mu - (lsl as number);
  const cpk = ratio(distance, sigmaWithin, 3);
  const ppk = ratio(distance, sigmaOverall, 3);
  return { cp: cpk, cpk, pp: ppk, ppk };
}

const dateKey = (r: TrainingRecord): number => {
  const t = r.fileDate instanceof Date ? r.fileDate.getTime() : Number.NaN;
  return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
};

/**
 * Capability of the linearity error of one model: `linearity_error / spec` against the one-sided USL = 1, over
 * records with both, in file-date order (ties by `trackResultId`; records without a valid date last) for the
 * moving range. Indices are `null` (with a reason) when n < 2 or σ is 0.
 *
 * @example
 * ```ts
 * linearityCapability(records).cpk; // (1 − mean(error/spec)) / (3 σ_within)
 * ```
 */
export function linearityCapability(records: readonly TrainingRecord[]): CapabilitySummary {
  const rows: { t: number; id: number; r: number }[] = [];
  for (const rec of records) {
    const e = validError(rec);
    const s = validSpec(rec);
    if (e !== null && s !== null) rows.push({ t: dateKey(rec), id: rec.trackResultId, r: e / s });
  }
  rows.sort((a, b) => (a.t === b.t ? a.id - b.id : a.t < b.t ? -1 : 1));
  const values = rows.map((x) => x.r);
  const n = values.length;
  const mu = mean(values);
  const sigmaWithin = sigmaWithinFromMovingRange(values);
  const sigmaOverall = sampleStd(values);
  let reason: NullReason | null = null;
  if (n === 0) {
    reason = { code: 'no_data', message: 'No record has both a linearity error and a spec: capability is undefined.' };
  } else if (n < 2) {
    reason = { code: 'too_few', message: `Only ${n} record with error and spec: capability needs at least 2.` };
  }
  if (mu === null || reason !== null) {
    return { n, mean: mu, sigmaWithin, sigmaOverall, cp: null, cpk: null, pp: null, ppk: null, reason };
  }
  const idx = capabilityIndices(mu, sigmaWithin, sigmaOverall, { lsl: null, usl: 1 });
  if (idx.cpk === null || idx.ppk === null) {
    reason = {
      code: 'zero_variance',
      message: `The linearity error does not vary over the ${n} records (σ = 0): capability is undefined.`,
    };
  }
  return { n, mean: mu, sigmaWithin, sigmaOverall, ...idx, reason };
}
