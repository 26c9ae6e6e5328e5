/**
 * The train-all workflow, in two passes over the repository so that memory stays bounded at millions of tracks:
 *
 * 1. **Survey** (phase `reading`): each model's records are streamed once to build its profile, its context (median
 *    ln sigma, for the pooled features) and the pooled forest's rows (its Final-Test-linked units). Difficulty is
 *    then ranked across models, and the pooled forest is trained (phase `pooled`) and saved. The forest then scores
 *    each model's units for its threshold (their Final Test failure probabilities), and the plant-wide threshold is
 *    fitted to the models' own cuts.
 * 2. **Train** (phase `training`): each model with enough samples is read again and its threshold, drift baseline
 *    and predictor are trained, in worker threads, and saved in one transaction as soon as it is done. A model with
 *    `minSamples` clean samples is trained in the `own` tier; one with `minPlantBackedSamples` up to `minSamples` in
 *    the `plant-backed` tier (the pooled forest serves it, its threshold is the plant-wide one blended with its own
 *    outcomes); one with fewer is saved untrained, with the plant-wide threshold blended with its outcomes.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { AbortedError, type DiskFullError, InsufficientDataError, abortError, diskFullOf, throwIfAborted } from '../../core/errors.js';
import { cleanTrainingRecords } from '../../core/dataset.js';
import type { ExclusionCounts } from '../../core/features.js';
import { chooseLabelSource, labelOf } from '../../core/labels.js';
import type { ModelName, TrainingRecord } from '../../core/types.js';
import { ModelProfiler } from '../../profiler/index.js';
import { parseComponents, storedThresholdResult, type DriftBaselineEnd, type ServingMetrics } from '../components-state.js';
import type { MLRepository } from '../../storage/repository.js';
import { readTrainingRecordsOfModels } from '../../storage/repository-helpers.js';
import type { ResolvedManagerOptions } from '../options.js';
import { scoreNow } from '../scorer.js';
import { PooledRows, trainPooledModel, savePooledModel, type PooledModel } from '../pooled/pooled.js';
import { medianLogSigma, medianOf, resistanceChangeOf, type ModelContext } from '../pooled/pooled-features.js';
import { finalTestHistory } from '../pooled/pooled-context.js';
import { fitPlantPrior, ModelThresholdOptimizer, type PlantThresholdPrior, type ThresholdData, type ThresholdEvidence } from '../../threshold/index.js';
import { thresholdDataOf, trainModelCore, type TrainModelInput, type TrainModelOutput } from './train-model.js';
import { untrainedState } from './model-state.js';
import { runLimited } from '../runtime/concurrency.js';
import { createWorkerPool } from '../runtime/worker-pool.js';
import type { ProgressEvent, TrainAllOptions, TrainAllResult, TrainingResult, TrainingTier } from '../types.js';

interface Survey {
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

/**
 * The pooled forest's Final Test failure probability of each record (NaN where it cannot score one), for the
 * threshold's expected balanced accuracy (`thresholdDataOf`); `null` without a forest or a model context.
 */
function pooledFailProbabilities(pooled: PooledModel | null, model: ModelName, context: ModelContext | null, records: readonly TrainingRecord[]): Float64Array | null {
  if (pooled === null || context === null || records.length === 0) return null;
  return scoreNow(pooled.scorer(model, context), records);
}

async function readAll(repo: MLRepository, model: ModelName, signal: AbortSignal | undefined): Promise<TrainingRecord[]> {
  const out: TrainingRecord[] = [];
  for await (const batch of repo.readTrainingRecords(model)) {
    throwIfAborted(signal);
    for (const r of batch) out.push(r);
  }
  return out;
}

/**
 * Training records kept in memory between the survey and the training pass (the rest are read again). A plant of
 * 80,000 tracks is read once; at 1,000,000 tracks the limit bounds the peak resident memory at the same speed as a
 * larger one (figures: docs/benchmarks.md, "Measurements behind design choices").
 */
export const CACHED_RECORDS_BUDGET = 100_000;

function stateVersionOf(date: Date, seed: number): string {
  return `v1-${date.getTime().toString(36)}-${seed}`;
}

/** Runs the whole train-all workflow. */
/**
 * For training a single model: the stored pooled forest is reused (not retrained on one model's rows), and
 * difficulty is ranked against the other models' stored profiles.
 */
export interface SingleModelContext {
  readonly pooled: PooledModel | null;
  readonly otherProfiles: ModelProfiler[];
  /** The pooled forest's metrics on this model's units from the last train-all (from its stored state). */
  readonly pooledMetrics: ServingMetrics | null;
  /** The plant-wide threshold of the last train-all (from the stored states). */
  readonly thresholdPrior: PlantThresholdPrior | null;
}

export async function trainAll(
  repo: MLRepository,
  o: ResolvedManagerOptions,
  opts: TrainAllOptions,
  single?: SingleModelContext,
): Promise<TrainAllResult> {
  const started = Date.now();
  const minSamples = opts.minSamples ?? o.minSamples;
  // The plant-backed tier: from this many clean samples up to minSamples (an empty tier when it equals minSamples).
  const minPlantBacked = Math.min(opts.minPlantBackedSamples ?? o.minPlantBackedSamples, minSamples);
  const tierOfSamples = (n: number): TrainingTier | null => (n >= minSamples ? 'own' : n >= minPlantBacked ? 'plant-backed' : null);
  const signal = opts.signal;
  const summaries = await repo.listModels();
  const wanted = opts.models ? new Set(opts.models) : null;
  const requests = summaries.filter((s) => !wanted || wanted.has(s.model));
  const models = requests.map((s) => s.model);
  let done = 0;
  // Rows: read so far / of all requested models (survey); of the models trained so far / of all (pass 2).
  let rowsDone = 0;
  let rowsTotal = requests.reduce((n, s) => n + s.trimTracks, 0);
  const emit = (phase: ProgressEvent['phase'], model?: ModelName): void =>
    opts.onProgress?.({
      operation: 'train', phase, ...(model !== undefined ? { model } : {}), modelsDone: done, modelsTotal: models.length,
      recordsDone: rowsDone, recordsTotal: rowsTotal, elapsedMs: Date.now() - started,
    });

  // Drift baselines established by earlier trainings are kept (see train-model.ts) unless asked to rebaseline.
  const previousBaselines = new Map<ModelName, DriftBaselineEnd>();
  if (!opts.rebaselineDrift) {
    for (const state of await repo.listModelStates()) {
      if (!state.isTrained) continue;
      try {
        const end = parseComponents(state.componentsJson, state.model).driftBaselineEnd;
        if (end) previousBaselines.set(state.model, end);
      } catch {
        // A state from another version: its baseline is re-established.
      }
    }
  }

  // Pass 1: survey.
  emit('planning');
  const pooledRows = new PooledRows(o.seed);
  const surveys: Survey[] = [];
  // Records kept in memory between the passes, at most this many in all (about 1 KB each): small plants are read
  // once, large ones twice, and memory stays bounded.
  let cacheLeft = CACHED_RECORDS_BUDGET;
  // All models' records in one pass over the repository (grouped reads where it supports them), each model handled as
  // soon as its last batch arrives.
  let records: TrainingRecord[] = [];
  // One model's survey; anything it throws fails that model alone (reported in pass 2), never the run.
  const surveyed = (model: ModelName, records: TrainingRecord[]): Survey => {
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
    const keep = clean.records.length >= minPlantBacked && records.length <= cacheLeft;
    const finalTestSamples = clean.records.filter((r) => labelOf(r, 'final_test') !== null).length;
    // The threshold's data (its evidence follows the pooled forest); it calls the host's formula, so it may throw
    // (then this model alone fails).
    const thresholdData = thresholdDataOf(clean.records, (r) => o.formulaThreshold(r), chooseLabelSource(clean.records, o.labelOptions).source);
    const thresholdRecords = keep || clean.records.length < minSamples ? clean.records.filter((r) => (labelOf(r, 'final_test') ?? labelOf(r, 'trim')) !== null) : null;
    // Last, so that a model whose survey fails adds nothing to the pooled forest or the cache.
    if (context) pooledRows.add(model, context, clean.records);
    if (keep) cacheLeft -= records.length;
    return {
      model, records: keep ? records : null, rowsRead: records.length, cleanSamples: clean.records.length, finalTestSamples, context, profiler,
      excluded: clean.excluded, thresholdData, thresholdRecords,
    };
  };
  for await (const batch of readTrainingRecordsOfModels(repo, requests)) {
    throwIfAborted(signal);
    if (records.length === 0) emit('reading', batch.model);
    for (const r of batch.records) records.push(r);
    rowsDone += batch.records.length;
    if (!batch.last) continue;
    const model = batch.model;
    if (batch.error !== undefined) {
      surveys.push({ model, records: null, rowsRead: 0, cleanSamples: 0, finalTestSamples: 0, context: null, profiler: null, excluded: null, readError: batch.error });
      records = [];
      done++;
      continue;
    }
    try {
      surveys.push(surveyed(model, records));
    } catch (error) {
      const readError = error instanceof Error ? error : new Error(String(error));
      surveys.push({ model, records: null, rowsRead: records.length, cleanSamples: 0, finalTestSamples: 0, context: null, profiler: null, excluded: null, readError });
    }
    records = [];
    done++;
  }
  // Difficulty relative to the other models that will be trained (either tier).
  const eligible = surveys.filter((s) => tierOfSamples(s.cleanSamples) !== null && s.readError === undefined);
  const ranked = [...eligible.flatMap((s) => (s.profiler === null ? [] : [s.profiler])), ...(single?.otherProfiles ?? [])];
  if (ranked.length > 1) ModelProfiler.rankAll(ranked);

  // The pooled forest.
  throwIfAborted(signal);
  emit('pooled');
  const trainingDate = new Date();
  const version = stateVersionOf(trainingDate, o.seed);
  let pooled: PooledModel | null;
  // Set once a write finds the disk full: no later model can be saved, so none is trained; each is reported failed.
  let diskFull: DiskFullError | null = null;
  if (single) {
    pooled = single.pooled;
  } else {
    pooled = trainPooledModel(pooledRows, { seed: o.seed, trees: o.trees, version });
    throwIfAborted(signal);
    if (pooled) {
      try {
        await savePooledModel(repo, pooled);
      } catch (e) {
        diskFull = diskFullOf(e, null);
        if (diskFull === null) throw e;
      }
    }
  }

  // The threshold's own evidence of every model, with the pooled forest's Final Test probabilities where it scores
  // the model's units (its cut then maximises the expected balanced accuracy against Final Test: docs/thresholds.md),
  // and the plant-wide threshold fitted to the models' own cuts (a single-model training reuses the last one).
  for (const s of surveys) {
    if (!s.thresholdData) continue;
    try {
      const p = s.thresholdRecords ? pooledFailProbabilities(pooled, s.model, s.context, s.thresholdRecords) : null;
      if (p) s.thresholdData = { ...s.thresholdData, failProbability: p };
      s.thresholdProbabilities = p ? new Map(s.thresholdRecords!.map((r, i) => [r.trackResultId, p[i]!])) : null;
      s.thresholdEvidence = new ModelThresholdOptimizer(s.model, { seed: o.seed }).evidenceOf(s.thresholdData);
    } catch (error) {
      s.thresholdError = error instanceof Error ? error : new Error(String(error));
      s.thresholdData = null;
    }
  }
  const thresholdPrior = single ? single.thresholdPrior : fitPlantPrior(surveys.map((s) => s.thresholdEvidence ?? null));

  // Pass 2: per-model training.
  done = 0;
  rowsDone = 0;
  rowsTotal = surveys.reduce((n, s) => n + s.rowsRead, 0);
  const results: TrainingResult[] = [];
  const runner = createWorkerPool<TrainModelInput, TrainModelOutput>({
    worker: 'train-worker', concurrency: opts.concurrency ?? availableParallelism(), inline: trainModelCore, what: 'training',
  });
  try {
    let aborted: Error | null = null;
    const startOne = (s: Survey): Promise<void> => {
      const p = (async () => {
        const t0 = Date.now();
        try {
          if (diskFull !== null) throw diskFull;
          if (s.readError !== undefined) throw s.readError;
          if (s.thresholdError !== undefined) throw s.thresholdError;
          // A model too small for either tier is saved untrained; it still gets the plant-wide threshold, blended with
          // its few outcomes.
          const saveUntrained = async (message: string): Promise<void> => {
            let threshold = null;
            if (thresholdPrior && s.thresholdData) {
              const opt = new ModelThresholdOptimizer(s.model, { seed: o.seed });
              opt.calculateThreshold(s.thresholdData, thresholdPrior, s.thresholdEvidence);
              threshold = opt.toState();
            }
            const out = untrainedState({
              threshold,
              model: s.model,
              rowsRead: s.rowsRead,
              samples: s.cleanSamples,
              finalTestSamples: s.finalTestSamples,
              minSamples,
              minPlantBackedSamples: minPlantBacked,
              context: s.context,
              profileState: s.profiler?.toState() ?? null,
              trainingDate,
              stateVersion: version,
              message,
              error: null,
              excluded: s.excluded,
            });
            await repo.saveModel(out.state, []);
            results.push({ ...out.result, durationMs: Date.now() - t0 });
          };
          const tier = tierOfSamples(s.cleanSamples);
          if (tier === null) {
            const more = minPlantBacked - s.cleanSamples;
            await saveUntrained(
              minPlantBacked < minSamples
                ? `${s.cleanSamples} usable samples; ${minPlantBacked} needed for plant-backed training (${more} more), ${minSamples} for own training.`
                : `${s.cleanSamples} usable samples; ${minSamples} needed (${more} more).`,
            );
            return;
          }
          emit('training', s.model);
          const records = s.records ?? (await readAll(repo, s.model, signal));
          s.records = null;
          const input: TrainModelInput = {
            model: s.model,
            records,
            tier,
            formula: Float64Array.from(records, (r) => o.formulaThreshold(r)),
            settings: {
              seed: o.seed,
              trees: o.trees,
              minSamples,
              minPlantBackedSamples: minPlantBacked,
              minOwnPredictorSamples: o.minOwnPredictorSamples,
              minOwnPredictorClassCount: o.minOwnPredictorClassCount,
              minDriftBaseline: o.minDriftBaseline,
              labelOptions: o.labelOptions,
            },
            context: s.context,
            profileState: s.profiler?.toState() ?? null,
            pooled: pooled ? pooled.oobFor(s.model) : null,
            pooledAvailable: pooled !== null,
            pooledMetricsFallback: single?.pooledMetrics ?? null,
            thresholdPrior,
            // The survey's evidence when it used these probabilities (records kept); else both are computed now.
            ...(s.thresholdRecords ? { thresholdEvidence: s.thresholdEvidence ?? null } : {}),
            thresholdFailProbability: s.thresholdRecords
              ? s.thresholdProbabilities
                ? Float64Array.from(records, (r) => s.thresholdProbabilities!.get(r.trackResultId) ?? Number.NaN)
                : null
              : pooledFailProbabilities(pooled, s.model, s.context, records),
            previousBaselineEnd: previousBaselines.get(s.model) ?? null,
            trainingDate,
            stateVersion: version,
          };
          let out: TrainModelOutput;
          try {
            out = await runner.run(input);
          } catch (e) {
            // A plant-backed model with nothing usable to train on (no unit with an outcome) is saved untrained, as it
            // was before the plant-backed tier existed.
            if (tier !== 'plant-backed' || !(e instanceof InsufficientDataError) || signal?.aborted) throw e;
            await saveUntrained(`${s.cleanSamples} usable samples, none usable for training (${e.message}); plant-backed training needs a unit with an outcome.`);
            return;
          }
          throwIfAborted(signal);
          emit('saving', s.model);
          await repo.saveModel(out.state, out.artifacts);
          results.push({ ...out.result, durationMs: Date.now() - t0 });
        } catch (error) {
          if (error instanceof AbortedError || signal?.aborted) {
            aborted = signal?.aborted ? abortError(signal) : (error as AbortedError);
            return;
          }
          const err = error instanceof Error ? error : new Error(String(error));
          const full = diskFullOf(err, null);
          if (full !== null) {
            // Nothing more can be saved: this model and every later one fail with the disk-full error, unsaved (a model
            // trained before keeps serving its last good state); recording each failure would only hit the disk again.
            diskFull ??= full;
            results.push(failedResult(s, diskFull, Date.now() - t0));
            return;
          }
          // One model's failure never stops the others. A model that was trained before keeps serving its last good
          // state (with the error recorded); a new one is saved as untrained with the error.
          let note = '';
          try {
            await recordFailure(repo, s, err, { minSamples, minPlantBacked, trainingDate, version });
          } catch (e2) {
            note = ` (recording the failure in the model's state failed too: ${e2 instanceof Error ? e2.message : String(e2)})`;
          }
          results.push(failedResult(s, err, Date.now() - t0, note));
        } finally {
          done++;
          rowsDone += s.rowsRead;
          emit('training', s.model);
        }
      })();
      return p;
    };
    await runLimited(surveys, runner.concurrency, startOne, () => aborted !== null || signal?.aborted === true);
    throwIfAborted(signal);
    if (aborted !== null) throw aborted as Error; // assigned in startOne: TypeScript narrows it to null here
  } finally {
    await runner.close();
  }
  emit('done');
  results.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return {
    results,
    trained: results.filter((r) => r.status === 'trained').length,
    plantBacked: results.filter((r) => r.tier === 'plant-backed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    failed: results.filter((r) => r.status === 'failed').length,
    pooled: pooled ? pooled.summary : null,
    ...(diskFull !== null ? { storageError: diskFull } : {}),
    durationMs: Date.now() - started,
  };
}

async function recordFailure(
  repo: MLRepository,
  s: Survey,
  err: Error,
  a: { minSamples: number; minPlantBacked: number; trainingDate: Date; version: string },
): Promise<void> {
  const previous = await repo.loadModelState(s.model);
  if (previous?.isTrained) {
    const c = parseComponents(previous.componentsJson, s.model);
    const kind = c.predictor.artifactKind;
    const artifact = kind ? await repo.loadArtifact(s.model, kind, previous.stateVersion) : null;
    await repo.saveModel(
      { ...previous, lastError: err.message, updatedDate: new Date() },
      artifact ? [{ model: artifact.model, kind: artifact.kind, version: artifact.version, content: artifact.content }] : [],
    );
    return;
  }
  const out = untrainedState({
    model: s.model,
    rowsRead: s.rowsRead,
    samples: s.cleanSamples,
    finalTestSamples: s.finalTestSamples,
    minSamples: a.minSamples,
    minPlantBackedSamples: a.minPlantBacked,
    context: s.context,
    profileState: s.profiler?.toState() ?? null,
    trainingDate: a.trainingDate,
    stateVersion: a.version,
    message: `Training failed: ${err.message}`,
    error: err instanceof InsufficientDataError ? null : err.message,
    excluded: s.excluded,
  });
  await repo.saveModel(out.state, []);
}

function failedResult(s: Survey, error: Error, durationMs: number, note = ''): TrainingResult {
  return {
    model: s.model,
    status: 'failed',
    tier: null,
    message: error.message + note,
    error,
    rowsRead: s.rowsRead,
    samples: s.cleanSamples,
    excluded: s.excluded,
    label: null,
    sigmaThreshold: null,
    thresholdConfidence: null,
    predictorKind: 'none',
    predictorAuc: null,
    driftBaselineSamples: 0,
    durationMs,
  };
}

/** Trains and saves one model, reusing the stored pooled forest and ranking difficulty against the stored profiles. */
export async function trainSingleModel(
  repo: MLRepository,
  o: ResolvedManagerOptions,
  model: ModelName,
  pooled: PooledModel | null,
  opts: { signal?: AbortSignal; minSamples?: number; minPlantBackedSamples?: number },
): Promise<TrainingResult> {
  const otherProfiles: ModelProfiler[] = [];
  let pooledMetrics: ServingMetrics | null = null;
  let thresholdPrior: PlantThresholdPrior | null = null;
  for (const state of await repo.listModelStates()) {
    if (thresholdPrior === null) {
      try {
        thresholdPrior = storedThresholdResult(parseComponents(state.componentsJson, state.model))?.prior ?? null;
      } catch {
        // A state from another version has no plant-wide threshold.
      }
    }
    if (state.model === model) {
      try {
        const p = parseComponents(state.componentsJson, state.model).predictor;
        pooledMetrics = p.kind === 'pooled' ? p.metrics : p.kind === 'own' ? p.alternativeMetrics : null;
      } catch {
        // A state from another version carries no usable comparison; the own forest is judged alone.
      }
      continue;
    }
    if (!state.isTrained) continue;
    try {
      const c = parseComponents(state.componentsJson, state.model);
      const p = c.profile ? ModelProfiler.fromState(c.profile) : null;
      if (p?.isBuilt) otherProfiles.push(p);
    } catch {
      // A state from another version cannot be ranked against; it is replaced at its next training.
    }
  }
  const result = await trainAll(repo, o, { ...opts, models: [model], concurrency: 1 }, { pooled, otherProfiles, pooledMetrics, thresholdPrior });
  const r = result.results[0];
  if (!r) throw new InsufficientDataError(`Model ${JSON.stringify(model)} has no records in the repository.`);
  return r;
}
