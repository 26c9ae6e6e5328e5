/**
 * Pass 1 of train-all, the survey (phase `reading`): each model's records are streamed once to build its profile, its
 * context (median ln sigma, for the pooled features), the pooled forest's rows (its Final-Test-linked units) and its
 * threshold data. Once the pooled forest is trained, {@link addThresholdEvidence} scores each model's units for its
 * threshold (their Final Test failure probabilities) and computes the threshold's own evidence.
 *
 * @module
 */
import { throwIfAborted } from '../../core/errors.js';
import { cleanTrainingRecords } from '../../core/dataset.js';
import type { ExclusionCounts } from '../../core/features.js';
import { chooseLabelSource, labelOf } from '../../core/labels.js';
import type { ModelName, TrainingRecord } from '../../core/types.js';
import { ModelProfiler } from '../../profiler/index.js';
import type { MLRepository, ModelReadRequest } from '../../storage/repository.js';
import { readTrainingRecordsOfModels } from '../../storage/repository-helpers.js';
import { ModelThresholdOptimizer, type ThresholdData, type ThresholdEvidence } from '../../threshold/index.js';
import type { ResolvedManagerOptions } from '../options.js';
import type { PooledModel, PooledRows } from '../pooled/pooled.js';
import { finalTestHistory } from '../pooled/pooled-context.js';
import { medianLogSigma, medianOf, resistanceChangeOf, type ModelContext } from '../pooled/pooled-features.js';
import { scoreNow } from '../scorer.js';
import { thresholdDataOf } from './train-model.js';

/**
 * Training records kept in memory between the survey and the training pass (the rest are read again). A plant of
 * 80,000 tracks is read once; at 1,000,000 tracks the limit bounds the peak resident memory at the same speed as a
 * larger one (figures: docs/benchmarks.md, "Measurements behind design choices").
 */
export const CACHED_RECORDS_BUDGET = 100_000;

/** What the survey learned of one model. */
export interface Survey {
  readonly model: ModelName;
  /** The records, kept from the survey while the cache budget allows (else read again in pass 2). */
  records: TrainingRecord[] | null;
  readonly rowsRead: number;
  readonly cleanSamples: number;
  /** Clean samples with a linked Final Test outcome. */
  readonly finalTestSamples: number;
  readonly context: ModelContext | null;
  /** `null` when surveying the model failed (then `readError` is set). */
  readonly profiler: ModelProfiler | null;
  /** Rows excluded by hygiene, by reason (`null` when the model could not be read). */
  readonly excluded: ExclusionCounts | null;
  /**
   * Reading or surveying the model's records failed: it is reported failed (keeping its last good state), the others
   * train.
   */
  readonly readError?: Error;
  /** The threshold's data: every clean unit with an outcome (`thresholdDataOf`); `null` when surveying failed. */
  thresholdData?: ThresholdData | null;
  /** The clean records behind `thresholdData`, in its order, kept with the cached records and for small models. */
  readonly thresholdRecords?: readonly TrainingRecord[] | null;
  /**
   * The threshold's own evidence for the plant-wide threshold (`null`: no unit with an outcome), computed once the
   * pooled forest is there (with its Final Test probabilities where it scored `thresholdRecords`).
   */
  thresholdEvidence?: ThresholdEvidence | null;
  /** The pooled forest's FT failure probability by track result id, as `thresholdEvidence` used them (`null`: none). */
  thresholdProbabilities?: Map<number, number> | null;
  /** Computing the threshold's evidence failed (e.g. the host formula threw): the model is reported failed. */
  thresholdError?: Error;
}

/** What the survey needs to know of the run. */
export interface SurveyRun {
  readonly repo: MLRepository;
  readonly o: ResolvedManagerOptions;
  readonly minSamples: number;
  readonly minPlantBacked: number;
  readonly signal: AbortSignal | undefined;
  /** Where the pooled forest's rows go. */
  readonly pooledRows: PooledRows;
  /** Called as a model's first batch arrives, and with the rows read so far after every batch. */
  readonly onReading: (model: ModelName) => void;
  readonly onRows: (rows: number) => void;
  /** Called as each model's survey ends (surveyed, or failed). */
  readonly onSurveyed: () => void;
}

/**
 * The pooled forest's Final Test failure probability of each record (NaN where it cannot score one), for the
 * threshold's expected balanced accuracy (`thresholdDataOf`); `null` without a forest or a model context.
 */
export function pooledFailProbabilities(
  pooled: PooledModel | null,
  model: ModelName,
  context: ModelContext | null,
  records: readonly TrainingRecord[],
): Float64Array | null {
  if (pooled === null || context === null || records.length === 0) return null;
  return scoreNow(pooled.scorer(model, context), records);
}

/** A model whose records could not be read or surveyed: reported failed in pass 2. */
function unreadable(model: ModelName, rowsRead: number, readError: Error): Survey {
  return { model, records: null, rowsRead, cleanSamples: 0, finalTestSamples: 0, context: null, profiler: null, excluded: null, readError };
}

/** One model's survey; anything it throws fails that model alone (reported in pass 2), never the run. */
function surveyModel(run: SurveyRun, model: ModelName, records: TrainingRecord[], cacheLeft: number): Survey {
  const { o, minSamples } = run;
  const clean = cleanTrainingRecords(records);
  const m = medianLogSigma(clean.records.map((r) => r.sigmaGradient));
  const context: ModelContext | null =
    m === null
      ? null
      : {
          medianLogSigma: m,
          samples: clean.records.length,
          medianResistanceChange: medianOf(clean.records.map((r) => resistanceChangeOf(r))),
          finalTest: finalTestHistory(clean.records),
        };
  const profiler = new ModelProfiler(model);
  profiler.buildProfile(records);
  const keep = clean.records.length >= run.minPlantBacked && records.length <= cacheLeft;
  const finalTestSamples = clean.records.filter((r) => labelOf(r, 'final_test') !== null).length;
  // The threshold's data (its evidence follows the pooled forest); it calls the host's formula, so it may throw
  // (then this model alone fails).
  const thresholdData = thresholdDataOf(
    clean.records,
    (r) => o.formulaThreshold(r),
    chooseLabelSource(clean.records, o.labelOptions).source,
  );
  const thresholdRecords =
    keep || clean.records.length < minSamples
      ? clean.records.filter((r) => (labelOf(r, 'final_test') ?? labelOf(r, 'trim')) !== null)
      : null;
  // Last, so that a model whose survey fails adds nothing to the pooled forest or the cache.
  if (context) run.pooledRows.add(model, context, clean.records);
  return {
    model,
    records: keep ? records : null,
    rowsRead: records.length,
    cleanSamples: clean.records.length,
    finalTestSamples,
    context,
    profiler,
    excluded: clean.excluded,
    thresholdData,
    thresholdRecords,
  };
}

/**
 * Surveys every requested model in one pass over the repository (grouped reads where it supports them), each model
 * handled as soon as its last batch arrives. Records are kept in memory between the passes, at most
 * {@link CACHED_RECORDS_BUDGET} in all (about 1 KB each): small plants are read once, large ones twice.
 */
export async function surveyAll(run: SurveyRun, requests: readonly ModelReadRequest[]): Promise<Survey[]> {
  const surveys: Survey[] = [];
  let cacheLeft = CACHED_RECORDS_BUDGET;
  let records: TrainingRecord[] = [];
  let rowsDone = 0;
  for await (const batch of readTrainingRecordsOfModels(run.repo, requests)) {
    throwIfAborted(run.signal);
    if (records.length === 0) run.onReading(batch.model);
    for (const r of batch.records) records.push(r);
    rowsDone += batch.records.length;
    run.onRows(rowsDone);
    if (!batch.last) continue;
    if (batch.error !== undefined) {
      surveys.push(unreadable(batch.model, 0, batch.error));
    } else {
      try {
        const s = surveyModel(run, batch.model, records, cacheLeft);
        if (s.records !== null) cacheLeft -= records.length;
        surveys.push(s);
      } catch (error) {
        surveys.push(unreadable(batch.model, records.length, error instanceof Error ? error : new Error(String(error))));
      }
    }
    records = [];
    run.onSurveyed();
  }
  return surveys;
}

/**
 * The threshold's own evidence of every model, with the pooled forest's Final Test probabilities where it scores the
 * model's units (its cut then maximises the expected balanced accuracy against Final Test: docs/thresholds.md).
 */
export function addThresholdEvidence(surveys: readonly Survey[], pooled: PooledModel | null, seed: number): void {
  for (const s of surveys) {
    if (!s.thresholdData) continue;
    try {
      const p = s.thresholdRecords ? pooledFailProbabilities(pooled, s.model, s.context, s.thresholdRecords) : null;
      if (p) s.thresholdData = { ...s.thresholdData, failProbability: p };
      s.thresholdProbabilities = p ? new Map(s.thresholdRecords!.map((r, i) => [r.trackResultId, p[i]!])) : null;
      s.thresholdEvidence = new ModelThresholdOptimizer(s.model, { seed }).evidenceOf(s.thresholdData);
    } catch (error) {
      s.thresholdError = error instanceof Error ? error : new Error(String(error));
      s.thresholdData = null;
    }
  }
}
