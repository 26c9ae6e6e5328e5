/**
 * Options shared by every repository implementation.
 *
 * @module
 */
import { InvalidInputError, StorageError } from '../core/errors.js';
import type { DriftAlert, DriftStateUpdate, ModelMLState, TrackResultWrite } from './repository.js';

/**
 * How a Final Test track finds its trim track:
 * - `linkedTrimId`: only through the host's `final_test_results.linked_trim_id` (plus the same track id).
 * - `serial`: the host's link where it has one, else by model + normalised serial + track id, trim at most 60 days
 *   before the test, newest first (see `linkFinalTests`). The default when the host has no `linked_trim_id`.
 */
export type FinalTestLinking = 'linkedTrimId' | 'serial';

/** Default rows per read batch. */
export const DEFAULT_BATCH_SIZE = 5_000;

/** A positive integer option from a hint, or its default; {@link InvalidInputError} naming the option otherwise. */
function positiveIntegerOf(name: string, hint: number | undefined, fallback: number): number {
  if (hint === undefined) return fallback;
  if (!Number.isInteger(hint) || hint < 1) throw new InvalidInputError(`${name} must be a positive integer, got ${hint}.`);
  return hint;
}

/** A positive integer batch size from a hint. */
export function batchSizeOf(hint: number | undefined): number {
  return positiveIntegerOf('batchSize', hint, DEFAULT_BATCH_SIZE);
}

/** Default rows of small models read in one query by `readManyTrainingRecords`. */
export const DEFAULT_GROUP_ROWS = 20_000;

/** A positive integer group size from a hint. */
export function groupRowsOf(hint: number | undefined): number {
  return positiveIntegerOf('groupRows', hint, DEFAULT_GROUP_ROWS);
}

/**
 * Validates a write batch before anything is written: no duplicate ids, probabilities in [0, 1] or null, known
 * risk categories, a finite threshold. Throws {@link InvalidInputError} naming the offending row.
 */
export function validateTrackResults(batch: readonly TrackResultWrite[]): void {
  const seen = new Set<number>();
  for (const [i, r] of batch.entries()) {
    const where = `track result ${i} (trackResultId ${r.trackResultId})`;
    if (!Number.isInteger(r.trackResultId)) throw new InvalidInputError(`${where}: trackResultId must be an integer.`);
    if (seen.has(r.trackResultId)) throw new InvalidInputError(`${where}: duplicate trackResultId in one batch.`);
    seen.add(r.trackResultId);
    if (!Number.isFinite(r.sigmaThreshold))
      throw new InvalidInputError(`${where}: sigmaThreshold must be finite, got ${r.sigmaThreshold}.`);
    const p = r.failureProbability;
    if (p !== null && !(p >= 0 && p <= 1)) throw new InvalidInputError(`${where}: failureProbability must be in [0, 1] or null.`);
    if (r.riskCategory !== null && !['low', 'medium', 'high'].includes(r.riskCategory)) {
      throw new InvalidInputError(`${where}: riskCategory must be low, medium, high or null.`);
    }
  }
}

/** The nullable numeric columns of a {@link ModelMLState} (stored as `snake_case` columns of `model_ml_state`). */
export const NULLABLE_STATE_NUMBERS = [
  'sigmaThreshold',
  'thresholdConfidence',
  'predictorAccuracy',
  'predictorPrecision',
  'predictorRecall',
  'predictorF1',
  'predictorAuc',
  'sigmaMean',
  'sigmaStd',
  'sigmaP5',
  'sigmaP50',
  'sigmaP95',
  'errorMean',
  'errorStd',
  'passRate',
  'failRate',
  'avgFailPoints',
  'trackCorrelation',
  'specMargin',
  'difficultyScore',
  'driftBaselineMean',
  'driftBaselineStd',
  'driftBaselineP95',
  'ewmaValue',
] as const satisfies readonly (keyof ModelMLState)[];

/**
 * Validates the numbers of a model state (or of its drift columns) before anything is written, so that every
 * repository stores the same thing: SQLite would turn NaN into NULL (and refuse it in a NOT NULL column), PostgreSQL
 * keeps it, JSON writes `null`. Nullable numbers are finite or `null`; counts are non-negative integers; the CUSUM
 * sums and feature importances are finite. Throws {@link InvalidInputError} naming the model and the field.
 */
export function validateModelState(model: string, s: Partial<ModelMLState>): void {
  const bad = (field: string, what: string, v: unknown): InvalidInputError =>
    new InvalidInputError(`The state of model ${JSON.stringify(model)}: ${field} must be ${what}, got ${String(v)}.`);
  for (const f of NULLABLE_STATE_NUMBERS) {
    const v = s[f];
    if (v !== undefined && v !== null && !Number.isFinite(v)) throw bad(f, 'a finite number or null', v);
  }
  for (const f of ['trainingSamples', 'trimSamples', 'finalTestSamples'] as const) {
    const v = s[f];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw bad(f, 'a non-negative integer', v);
  }
  for (const f of ['cusumPos', 'cusumNeg'] as const) {
    const v = s[f];
    if (v !== undefined && !Number.isFinite(v)) throw bad(f, 'a finite number', v);
  }
  for (const [feature, v] of Object.entries(s.featureImportance ?? {})) {
    if (!Number.isFinite(v)) throw bad(`featureImportance.${feature}`, 'a finite number', v);
  }
}

/**
 * Validates one call's drift updates before anything is written: each model at most once, and finite numbers
 * ({@link validateModelState}). Returns the models.
 */
export function validateDriftUpdates(updates: readonly DriftStateUpdate[]): Set<string> {
  const seen = new Set<string>();
  for (const { model, drift } of updates) {
    if (seen.has(model)) throw new InvalidInputError(`Drift state of model ${JSON.stringify(model)} given twice in one update.`);
    seen.add(model);
    validateModelState(model, drift);
  }
  return seen;
}

/**
 * Validates alerts before any is written: a known direction and statistic, real dates and a finite shift size (a
 * drift score of ±Infinity or NaN is no alert: the chart's input was not a measurement). Throws
 * {@link InvalidInputError} naming the model and the field.
 */
export function validateDriftAlerts(alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[]): void {
  for (const [i, a] of alerts.entries()) {
    const where = `Drift alert ${i} of model ${JSON.stringify(a.model)}`;
    if (a.direction !== 'up' && a.direction !== 'down')
      throw new InvalidInputError(`${where}: direction must be up or down, got ${String(a.direction)}.`);
    if (!['cusum', 'ewma', 'both'].includes(a.statistic))
      throw new InvalidInputError(`${where}: statistic must be cusum, ewma or both, got ${String(a.statistic)}.`);
    if (!Number.isFinite(a.sizeSigma))
      throw new InvalidInputError(`${where}: sizeSigma must be a finite number, got ${String(a.sizeSigma)}; nothing was written.`);
    for (const f of ['onsetDate', 'detectedDate'] as const) {
      if (!(a[f] instanceof Date) || Number.isNaN(a[f].getTime()))
        throw new InvalidInputError(`${where}: ${f} must be a valid date; nothing was written.`);
    }
  }
}

/** The error of a drift update that names models without a saved state (nothing of the call is written). */
export function noSavedStateError(models: readonly string[]): StorageError {
  return new StorageError(
    `No saved state for model ${models.map((m) => JSON.stringify(m)).join(', ')}: train it first. No drift state of this update was written.`,
  );
}

/** The lock row expiry on engines without session locks, and the heartbeat that renews it (a third of it). */
export const DEFAULT_LOCK_TTL_MS = 60_000;
