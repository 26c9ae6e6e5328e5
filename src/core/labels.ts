/**
 * Labels (which outcome a model learns from) and severity (how bad a failure was).
 *
 * - **Final Test** is the primary label: the customer's outcome, a later and different event than trim, so every
 *   trim feature is a legitimate input. It is used where a model has at least `minFinalTestSamples` linked units with
 *   an outcome, of which at least `minFinalTestFailures` failed and as many passed.
 * - **Trim linearity** is the secondary label otherwise. Trim `linearity_pass` is *defined by*
 *   `linearity_fail_points == 0` (and nearly by `linearity_error ≤ spec`), so the features that define it
 *   ({@link TRIM_LABEL_LEAKING_FEATURES}) are removed automatically.
 *
 * @module
 */
import type { FeatureName } from './features.js';
import { FEATURE_NAMES } from './features.js';
import type { LabelSource, TrainingRecord } from './types.js';

/** Features that define the trim linearity outcome and therefore must never predict it. */
export const TRIM_LABEL_LEAKING_FEATURES: readonly FeatureName[] = ['linearity_fail_points', 'linearity_error', 'error_to_spec_ratio'];

/** Options for `chooseLabelSource`. */
export interface LabelOptions {
  /** Minimum linked Final Test outcomes to use FT as the label. Default 30. */
  readonly minFinalTestSamples?: number;
  /** Minimum FT failures (and FT passes) to use FT as the label. Default 5. */
  readonly minFinalTestClassCount?: number;
}

/** Default label options. */
export const DEFAULT_LABEL_OPTIONS: Required<LabelOptions> = {
  minFinalTestSamples: 30,
  minFinalTestClassCount: 5,
};

/** The label chosen for a model, with the counts that decided it. */
export interface LabelChoice {
  readonly source: LabelSource;
  /** A sentence saying why, for the model's state and the UI. */
  readonly reason: string;
  readonly finalTestOutcomes: number;
  readonly finalTestFailures: number;
}

/** 1 = fail, 0 = pass, `null` = no outcome of that source. */
export function labelOf(record: TrainingRecord, source: LabelSource): 0 | 1 | null {
  if (source === 'final_test') {
    const p = record.finalTest?.linearityPass;
    return p === true ? 0 : p === false ? 1 : null;
  }
  const p = record.linearityPass;
  return p === true ? 0 : p === false ? 1 : null;
}

/** Fail points of the outcome of that source (`null` when unknown). */
export function failPointsOf(record: TrainingRecord, source: LabelSource): number | null {
  const v = source === 'final_test' ? record.finalTest?.failPoints : record.linearityFailPoints;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/**
 * Picks the label source for one model: Final Test where enough linked outcomes of both classes exist, else trim.
 *
 * @example
 * ```ts
 * chooseLabelSource(records).source; // 'final_test' or 'trim'
 * ```
 */
export function chooseLabelSource(records: readonly TrainingRecord[], options: LabelOptions = {}): LabelChoice {
  const minN = options.minFinalTestSamples ?? DEFAULT_LABEL_OPTIONS.minFinalTestSamples;
  const minClass = options.minFinalTestClassCount ?? DEFAULT_LABEL_OPTIONS.minFinalTestClassCount;
  let n = 0;
  let fails = 0;
  for (const r of records) {
    const l = labelOf(r, 'final_test');
    if (l === null) continue;
    n++;
    fails += l;
  }
  const passes = n - fails;
  if (n >= minN && fails >= minClass && passes >= minClass) {
    return {
      source: 'final_test',
      reason: `${n} linked Final Test outcomes (${fails} failed): Final Test is the label.`,
      finalTestOutcomes: n,
      finalTestFailures: fails,
    };
  }
  const why =
    n < minN
      ? `only ${n} linked Final Test outcomes (< ${minN})`
      : `Final Test outcomes have ${fails} failures and ${passes} passes (< ${minClass} of one class)`;
  return {
    source: 'trim',
    reason: `${why}: trim linearity is the label, without the features that define it (${TRIM_LABEL_LEAKING_FEATURES.join(', ')}).`,
    finalTestOutcomes: n,
    finalTestFailures: fails,
  };
}

/** The features a learner may use with this label source (trim removes the leaking ones). */
export function allowedFeatures(source: LabelSource): FeatureName[] {
  return source === 'trim' ? FEATURE_NAMES.filter((f) => !TRIM_LABEL_LEAKING_FEATURES.includes(f)) : [...FEATURE_NAMES];
}

/** Cap on fail points in `severityWeight`: 255 and more weigh the same. */
export const SEVERITY_FAIL_POINTS_CAP = 255;

/**
 * Severity weight of one outcome: `1` for a pass; `1 + log2(1 + min(failPoints, 255))` for a failure, so 1 fail
 * point weighs 2, 3 weigh 3, 7 weigh 4, 63 weigh 7 and 255 or more weigh 9. A failure with unknown fail points weighs
 * as one fail point (2), the least a failure can be. Range [1, 9]. The log keeps the 18% of failures with > 50
 * fail points from swamping the near misses while still making a gross failure cost 4–5× a near miss.
 *
 * @example
 * ```ts
 * severityWeight(0, 0);    // 1 (pass)
 * severityWeight(1, 3);    // 3
 * severityWeight(1, null); // 2
 * ```
 */
export function severityWeight(label: 0 | 1, failPoints: number | null): number {
  if (label === 0) return 1;
  const fp = failPoints === null || !Number.isFinite(failPoints) || failPoints < 1 ? 1 : Math.min(failPoints, SEVERITY_FAIL_POINTS_CAP);
  return 1 + Math.log2(1 + fp);
}
