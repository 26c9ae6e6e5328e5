/**
 * Computes a {@link ModelProfile} from one model's training records.
 *
 * @module
 */
import { cleanTrainingRecords } from '../core/dataset.js';
import { InvalidInputError } from '../core/errors.js';
import { finiteOrNull } from '../core/features.js';
import { spearmanCorrelation } from '../core/stats/descriptive.js';
import type { TrainingRecord } from '../core/types.js';
import { linearityCapability } from './capability.js';
import { modalSpec, summariseError, summariseSigma, validError, validSpec } from './distribution.js';
import { summariseFinalTestOutcomes, summariseTrimOutcomes } from './outcomes.js';
import { type TrackCorrelationOptions, correlationStat, trackCorrelation, MIN_CORRELATION_PAIRS } from './track-correlation.js';
import type { CorrelationStat, ModelProfile } from './types.js';

/** Options of `buildModelProfile` / `ModelProfiler.buildProfile`. */
export type ProfileOptions = TrackCorrelationOptions;

/**
 * Spearman correlation of sigma_gradient with linearity_error / spec over records that have both (rank-based, so
 * sigma's right skew and a log transform make no difference).
 */
function sigmaErrorCorrelation(records: readonly TrainingRecord[], minPairs: number): CorrelationStat {
  const x: number[] = [];
  const y: number[] = [];
  for (const r of records) {
    const s = finiteOrNull(r.sigmaGradient);
    const e = validError(r);
    const spec = validSpec(r);
    if (s === null || e === null || spec === null) continue;
    x.push(s);
    y.push(e / spec);
  }
  return correlationStat(x, y, 'spearman', minPairs, 'records with sigma, error and spec', spearmanCorrelation);
}

function dateRange(records: readonly TrainingRecord[]): { first: string | null; last: string | null } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    const t = r.fileDate instanceof Date ? r.fileDate.getTime() : Number.NaN;
    if (!Number.isFinite(t)) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return Number.isFinite(lo) ? { first: new Date(lo).toISOString(), last: new Date(hi).toISOString() } : { first: null, last: null };
}

/**
 * Builds the statistical profile of one model. The records are passed through `cleanTrainingRecords` first
 * (idempotent on clean records); the exclusion counts are kept in the profile. Records of another model are an
 * error. Never throws on degenerate data: undefined statistics are `null`.
 *
 * @example
 * ```ts
 * const profile = buildModelProfile('8340-1', records);
 * profile.specMargin; // 1 − p95(error / spec)
 * ```
 */
export function buildModelProfile(model: string, records: readonly TrainingRecord[], options: ProfileOptions = {}): ModelProfile {
  const other = records.find((r) => r.model !== model);
  if (other !== undefined) {
    throw new InvalidInputError(
      `Profile of model ${JSON.stringify(model)} was given a record of model ${JSON.stringify(other.model)}: pass one model's records only.`,
    );
  }
  const minPairs = Math.max(MIN_CORRELATION_PAIRS, options.minPairs ?? MIN_CORRELATION_PAIRS);
  const clean = cleanTrainingRecords(records);
  const rows = clean.records;
  const dates = dateRange(rows);
  const spec = modalSpec(rows);
  const error = summariseError(rows);
  return {
    model,
    samples: rows.length,
    rowsRead: clean.total,
    excluded: { ...clean.excluded },
    firstDate: dates.first,
    lastDate: dates.last,
    spec: spec.spec,
    distinctSpecs: spec.distinct,
    sigma: summariseSigma(rows),
    error,
    trim: summariseTrimOutcomes(rows),
    finalTest: summariseFinalTestOutcomes(rows),
    trackCorrelation: trackCorrelation(rows, { ...options, minPairs }),
    sigmaErrorCorrelation: sigmaErrorCorrelation(rows, minPairs),
    specMargin: error.toSpecP95 === null ? null : 1 - error.toSpecP95,
    capability: linearityCapability(rows),
    difficulty: null,
  };
}
