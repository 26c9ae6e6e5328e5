/**
 * Distributions of sigma and linearity error over one model's clean records.
 *
 * @module
 */
import { finiteOrNull } from '../core/features.js';
import { mean, quantileLinear, quantilesLinear, sampleStd } from '../core/stats/descriptive.js';
import type { TrainingRecord, TrimTrack } from '../core/types.js';
import type { ErrorSummary, SigmaSummary } from './types.js';

/**
 * The record's spec when it is finite and > 0, else `null`.
 *
 * @example
 * ```ts
 * validSpec(track); // 0.01, or null for a spec of 0 / NULL / NaN
 * ```
 */
export function validSpec(r: Pick<TrimTrack, 'linearitySpec'>): number | null {
  const s = finiteOrNull(r.linearitySpec);
  return s !== null && s > 0 ? s : null;
}

/**
 * The record's linearity error when it is finite and ≥ 0 (a max-abs error cannot be negative), else `null`.
 *
 * @example
 * ```ts
 * validError(track); // 0.004, or null when missing or negative
 * ```
 */
export function validError(r: Pick<TrimTrack, 'linearityError'>): number | null {
  const e = finiteOrNull(r.linearityError);
  return e !== null && e >= 0 ? e : null;
}

/**
 * Sigma distribution: mean, sample std (ddof = 1), numpy-linear p5 / p50 / p95, mean and std (ddof = 1) of
 * log10(sigma), and the median of log10(sigma × travel / spec). Records must be clean (sigma finite and > 0).
 *
 * @example
 * ```ts
 * summariseSigma(cleanTrainingRecords(records).records).p95;
 * ```
 */
export function summariseSigma(records: readonly TrainingRecord[]): SigmaSummary {
  const sigma: number[] = [];
  const travelPerSpec: number[] = [];
  for (const r of records) {
    const s = finiteOrNull(r.sigmaGradient);
    if (s === null || s <= 0) continue;
    sigma.push(s);
    const travel = finiteOrNull(r.travelLength);
    const spec = validSpec(r);
    if (travel !== null && travel > 0 && spec !== null) travelPerSpec.push(Math.log10((s * travel) / spec));
  }
  const [p5, p50, p95] = quantilesLinear(sigma, [0.05, 0.5, 0.95]);
  const logs = sigma.map((s) => Math.log10(s));
  return {
    n: sigma.length,
    mean: mean(sigma),
    std: sampleStd(sigma),
    p5: p5 ?? null,
    p50: p50 ?? null,
    p95: p95 ?? null,
    log10Mean: mean(logs),
    log10Std: sampleStd(logs),
    log10SigmaTravelPerSpecP50: quantileLinear(travelPerSpec, 0.5),
    sigmaTravelPerSpecN: travelPerSpec.length,
  };
}

/**
 * Linearity error distribution: mean and sample std (ddof = 1) of `linearity_error` (volts) over records where it
 * is finite and ≥ 0; numpy-linear p95 of `linearity_error / linearity_spec` over records with both.
 *
 * @example
 * ```ts
 * summariseError(records).toSpecP95; // 0.8 → 95% of units use at most 80% of the band
 * ```
 */
export function summariseError(records: readonly TrainingRecord[]): ErrorSummary {
  const errors: number[] = [];
  const ratios: number[] = [];
  for (const r of records) {
    const e = validError(r);
    if (e === null) continue;
    errors.push(e);
    const spec = validSpec(r);
    if (spec !== null) ratios.push(e / spec);
  }
  return {
    n: errors.length,
    mean: mean(errors),
    std: sampleStd(errors),
    toSpecP95: quantileLinear(ratios, 0.95),
    toSpecN: ratios.length,
    overSpec: ratios.filter((x) => x > 1).length,
  };
}

/**
 * Most common spec (the smallest of tied ones) and the number of distinct specs; `null` / 0 when no record has one.
 *
 * @example
 * ```ts
 * modalSpec(records); // { spec: 0.01, distinct: 1 }
 * ```
 */
export function modalSpec(records: readonly TrainingRecord[]): { spec: number | null; distinct: number } {
  const counts = new Map<number, number>();
  for (const r of records) {
    const s = validSpec(r);
    if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let best: number | null = null;
  let bestCount = 0;
  for (const [s, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== null && s < best)) {
      best = s;
      bestCount = c;
    }
  }
  return { spec: best, distinct: counts.size };
}
