/**
 * Turns one model's training records into clean, labelled, weighted rows: the single place where hygiene, label
 * choice, leakage removal and imputation happen, so that every component learns from the same rows.
 *
 * @module
 */
import { InsufficientDataError } from './errors.js';
import {
  type ExclusionCounts,
  type FeatureName,
  type FeatureValues,
  emptyExclusionCounts,
  exclusionReason,
  extractFeatures,
} from './features.js';
import { FeatureImputer } from './imputer.js';
import {
  type LabelChoice,
  type LabelOptions,
  allowedFeatures,
  chooseLabelSource,
  failPointsOf,
  labelOf,
  severityWeight,
} from './labels.js';
import type { TrainingRecord } from './types.js';

/** Records that passed hygiene (valid sigma, spec, status; no exact duplicates), with counts of what was dropped. */
export interface CleanRecords {
  readonly records: TrainingRecord[];
  /** Counts by reason; `missing_outcome` is filled by {@link buildTrainingSet}. */
  readonly excluded: ExclusionCounts;
  /** Rows read, before hygiene. */
  readonly total: number;
}

/**
 * Drops rows that must not reach a statistic (status ERROR, placeholder / missing / invalid sigma, invalid spec,
 * exact duplicates), counting each reason. Order is preserved.
 */
export function cleanTrainingRecords(records: readonly TrainingRecord[]): CleanRecords {
  const excluded = emptyExclusionCounts();
  // Exact duplicates share the file date: bucket by its time stamp and compare the few records in a bucket (no key
  // strings to build for the great majority of rows, which are unique).
  const seen = new Map<number, TrainingRecord[]>();
  const kept: TrainingRecord[] = [];
  for (const r of records) {
    const reason = exclusionReason(r);
    if (reason !== null) {
      excluded[reason]++;
      continue;
    }
    const time = r.fileDate.getTime();
    const bucket = seen.get(time);
    if (bucket === undefined) {
      seen.set(time, [r]);
    } else {
      if (
        bucket.some((o) => o.sigmaGradient === r.sigmaGradient && o.serial === r.serial && o.trackId === r.trackId && o.model === r.model)
      ) {
        excluded.duplicate++;
        continue;
      }
      bucket.push(r);
    }
    kept.push(r);
  }
  return { records: kept, excluded, total: records.length };
}

/** Labelled, weighted, imputed rows of one model. */
export interface TrainingSet {
  readonly label: LabelChoice;
  /** Features used, in column order (leaking ones removed for the trim label; never-observed ones removed). */
  readonly featureNames: FeatureName[];
  /** Row-major feature matrix, `rows × featureNames.length`. */
  readonly X: Float64Array;
  /** 1 = fail, 0 = pass. */
  readonly y: Uint8Array;
  /** Fail points of the label's outcome (NaN where unknown; 0 for passes). */
  readonly failPoints: Float64Array;
  /** `severityWeight` of each row. */
  readonly severity: Float64Array;
  /** The records behind the rows, in the same order. */
  readonly records: TrainingRecord[];
  /** Raw (un-imputed) features of each row. */
  readonly rawFeatures: FeatureValues[];
  readonly imputer: FeatureImputer;
  /** Counts of excluded rows by reason, including `missing_outcome` for the chosen label. */
  readonly excluded: ExclusionCounts;
  /** Rows read before hygiene. */
  readonly total: number;
  readonly rows: number;
  readonly failures: number;
}

/**
 * Builds the training set of one model: hygiene, label choice, leakage guard, imputation.
 * Throws {@link InsufficientDataError} when no row survives.
 *
 * @example
 * ```ts
 * const set = buildTrainingSet(records);
 * set.label.source;  // 'final_test' | 'trim'
 * set.featureNames;  // never contains linearity_fail_points when the label is trim
 * ```
 */
export function buildTrainingSet(records: readonly TrainingRecord[], options: LabelOptions = {}): TrainingSet {
  return buildTrainingSetFromClean(cleanTrainingRecords(records), options);
}

/** {@link buildTrainingSet} on records already passed through `cleanTrainingRecords` (no second pass). */
export function buildTrainingSetFromClean(clean: CleanRecords, options: LabelOptions = {}): TrainingSet {
  const label = chooseLabelSource(clean.records, options);
  const excluded = { ...clean.excluded };
  const kept: TrainingRecord[] = [];
  const labels: number[] = [];
  for (const r of clean.records) {
    const l = labelOf(r, label.source);
    if (l === null) {
      excluded.missing_outcome++;
      continue;
    }
    kept.push(r);
    labels.push(l);
  }
  if (kept.length === 0) {
    throw new InsufficientDataError(
      `No usable training rows: ${clean.total} read, all excluded (${Object.entries(excluded)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')}).`,
    );
  }
  const rawFeatures = kept.map(extractFeatures);
  const imputer = FeatureImputer.fit(rawFeatures);
  const unobserved = new Set(imputer.unobservedFeatures());
  const featureNames = allowedFeatures(label.source).filter((f) => !unobserved.has(f));
  const n = kept.length;
  const d = featureNames.length;
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  const failPoints = new Float64Array(n);
  const severity = new Float64Array(n);
  let failures = 0;
  for (let i = 0; i < n; i++) {
    imputer.transform(rawFeatures[i]!, featureNames, X.subarray(i * d, (i + 1) * d));
    const l = labels[i] as 0 | 1;
    y[i] = l;
    failures += l;
    const fp = l === 0 ? 0 : failPointsOf(kept[i]!, label.source);
    failPoints[i] = fp ?? Number.NaN;
    severity[i] = severityWeight(l, fp);
  }
  return {
    label,
    featureNames,
    X,
    y,
    failPoints,
    severity,
    records: kept,
    rawFeatures,
    imputer,
    excluded,
    total: clean.total,
    rows: n,
    failures,
  };
}
