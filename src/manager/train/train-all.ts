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
import { AbortedError, InsufficientDataError, abortError, diskFullOf, throwIfAborted } from '../../core/errors.js';
import type { ModelName, TrainingRecord } from '../../core/types.js';
import { ModelProfiler } from '../../profiler/index.js';
import type { MLRepository } from '../../storage/repository.js';
import { fitPlantPrior, ModelThresholdOptimizer, type PlantThresholdPrior } from '../../threshold/index.js';
import { parseComponents, type DriftBaselineEnd, type ServingMetrics } from '../components-state.js';
import type { ResolvedManagerOptions } from '../options.js';
import { PooledRows, savePooledModel, trainPooledModel, type PooledModel } from '../pooled/pooled.js';
import { runLimited } from '../runtime/concurrency.js';
import { createWorkerPool, type WorkerPool } from '../runtime/worker-pool.js';
import type { ProgressEvent, TrainAllOptions, TrainAllResult, TrainingTier } from '../types.js';
import { untrainedState } from './model-state.js';
import { addThresholdEvidence, pooledFailProbabilities, surveyAll, type Survey } from './survey.js';
import { TrainBook } from './train-book.js';
import { trainModelCore, type TrainModelInput, type TrainModelOutput } from './train-model.js';

export { CACHED_RECORDS_BUDGET } from './survey.js';

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

/** Everything pass 2 knows of the run. */
interface TrainRun {
  readonly repo: MLRepository;
  readonly o: ResolvedManagerOptions;
  readonly minSamples: number;
  readonly minPlantBacked: number;
  readonly signal: AbortSignal | undefined;
  readonly pooled: PooledModel | null;
  readonly thresholdPrior: PlantThresholdPrior | null;
  readonly single: SingleModelContext | undefined;
  readonly previousBaselines: Map<ModelName, DriftBaselineEnd>;
  readonly trainingDate: Date;
  readonly version: string;
  readonly runner: WorkerPool<TrainModelInput, TrainModelOutput>;
  readonly book: TrainBook;
  readonly emit: (phase: ProgressEvent['phase'], model?: ModelName) => void;
}

function stateVersionOf(date: Date, seed: number): string {
  return `v1-${date.getTime().toString(36)}-${seed}`;
}

async function readAll(repo: MLRepository, model: ModelName, signal: AbortSignal | undefined): Promise<TrainingRecord[]> {
  const out: TrainingRecord[] = [];
  for await (const batch of repo.readTrainingRecords(model)) {
    throwIfAborted(signal);
    for (const r of batch) out.push(r);
  }
  return out;
}

/** Drift baselines established by earlier trainings, kept (see train-model.ts) unless asked to rebaseline. */
async function previousBaselinesOf(repo: MLRepository, rebaseline: boolean): Promise<Map<ModelName, DriftBaselineEnd>> {
  const previous = new Map<ModelName, DriftBaselineEnd>();
  if (rebaseline) return previous;
  for (const state of await repo.listModelStates()) {
    if (!state.isTrained) continue;
    try {
      const end = parseComponents(state.componentsJson, state.model).driftBaselineEnd;
      if (end) previous.set(state.model, end);
    } catch {
      // A state from another version: its baseline is re-established.
    }
  }
  return previous;
}

/**
 * A model too small for either tier is saved untrained; it still gets the plant-wide threshold, blended with its few
 * outcomes.
 */
async function saveUntrained(run: TrainRun, s: Survey, message: string, t0: number): Promise<void> {
  let threshold = null;
  if (run.thresholdPrior && s.thresholdData) {
    const opt = new ModelThresholdOptimizer(s.model, { seed: run.o.seed });
    opt.calculateThreshold(s.thresholdData, run.thresholdPrior, s.thresholdEvidence);
    threshold = opt.toState();
  }
  const out = untrainedState({
    threshold,
    model: s.model,
    rowsRead: s.rowsRead,
    samples: s.cleanSamples,
    finalTestSamples: s.finalTestSamples,
    minSamples: run.minSamples,
    minPlantBackedSamples: run.minPlantBacked,
    context: s.context,
    profileState: s.profiler?.toState() ?? null,
    trainingDate: run.trainingDate,
    stateVersion: run.version,
    message,
    error: null,
    excluded: s.excluded,
  });
  await run.repo.saveModel(out.state, []);
  run.book.add({ ...out.result, durationMs: Date.now() - t0 });
}

/** The worker's input for one model (plain data: it crosses a thread). */
function trainInput(run: TrainRun, s: Survey, records: TrainingRecord[], tier: TrainingTier): TrainModelInput {
  const { o, pooled } = run;
  return {
    model: s.model,
    records,
    tier,
    formula: Float64Array.from(records, (r) => o.formulaThreshold(r)),
    settings: {
      seed: o.seed,
      trees: o.trees,
      minSamples: run.minSamples,
      minPlantBackedSamples: run.minPlantBacked,
      minOwnPredictorSamples: o.minOwnPredictorSamples,
      minOwnPredictorClassCount: o.minOwnPredictorClassCount,
      minDriftBaseline: o.minDriftBaseline,
      labelOptions: o.labelOptions,
    },
    context: s.context,
    profileState: s.profiler?.toState() ?? null,
    pooled: pooled ? pooled.oobFor(s.model) : null,
    pooledAvailable: pooled !== null,
    pooledMetricsFallback: run.single?.pooledMetrics ?? null,
    thresholdPrior: run.thresholdPrior,
    // The survey's evidence when it used these probabilities (records kept); else both are computed now.
    ...(s.thresholdRecords ? { thresholdEvidence: s.thresholdEvidence ?? null } : {}),
    thresholdFailProbability: s.thresholdRecords
      ? s.thresholdProbabilities
        ? Float64Array.from(records, (r) => s.thresholdProbabilities!.get(r.trackResultId) ?? Number.NaN)
        : null
      : pooledFailProbabilities(pooled, s.model, s.context, records),
    previousBaselineEnd: run.previousBaselines.get(s.model) ?? null,
    trainingDate: run.trainingDate,
    stateVersion: run.version,
  };
}

/** Pass 2 for one model: trains and saves it, or saves it untrained; throws on failure (the caller books it). */
async function trainSurveyed(run: TrainRun, s: Survey, t0: number): Promise<void> {
  if (run.book.diskFull !== null) throw run.book.diskFull;
  if (s.readError !== undefined) throw s.readError;
  if (s.thresholdError !== undefined) throw s.thresholdError;
  const { minSamples, minPlantBacked } = run;
  const tier: TrainingTier | null = s.cleanSamples >= minSamples ? 'own' : s.cleanSamples >= minPlantBacked ? 'plant-backed' : null;
  if (tier === null) {
    const more = minPlantBacked - s.cleanSamples;
    await saveUntrained(
      run,
      s,
      minPlantBacked < minSamples
        ? `${s.cleanSamples} usable samples; ${minPlantBacked} needed for plant-backed training (${more} more), ${minSamples} for own training.`
        : `${s.cleanSamples} usable samples; ${minSamples} needed (${more} more).`,
      t0,
    );
    return;
  }
  run.emit('training', s.model);
  const records = s.records ?? (await readAll(run.repo, s.model, run.signal));
  s.records = null;
  let out: TrainModelOutput;
  try {
    out = await run.runner.run(trainInput(run, s, records, tier));
  } catch (e) {
    // A plant-backed model with nothing usable to train on (no unit with an outcome) is saved untrained, as it was
    // before the plant-backed tier existed.
    if (tier !== 'plant-backed' || !(e instanceof InsufficientDataError) || run.signal?.aborted) throw e;
    await saveUntrained(
      run,
      s,
      `${s.cleanSamples} usable samples, none usable for training (${e.message}); plant-backed training needs a unit with an outcome.`,
      t0,
    );
    return;
  }
  throwIfAborted(run.signal);
  run.emit('saving', s.model);
  await run.repo.saveModel(out.state, out.artifacts);
  run.book.add({ ...out.result, durationMs: Date.now() - t0 });
}

/** Trains and saves the pooled forest (`null`: none); a full disk is booked, not thrown. */
async function pooledForest(
  repo: MLRepository,
  o: ResolvedManagerOptions,
  rows: PooledRows,
  version: string,
  book: TrainBook,
  signal: AbortSignal | undefined,
): Promise<PooledModel | null> {
  const pooled = trainPooledModel(rows, { seed: o.seed, trees: o.trees, version });
  throwIfAborted(signal);
  if (pooled) {
    try {
      await savePooledModel(repo, pooled);
    } catch (e) {
      book.diskFull = diskFullOf(e, null);
      if (book.diskFull === null) throw e;
    }
  }
  return pooled;
}

/** Ranks difficulty relative to the other models that will be trained (either tier) and `others` (stored profiles). */
function rankDifficulty(surveys: readonly Survey[], minPlantBacked: number, others: readonly ModelProfiler[]): void {
  const ranked = [
    ...surveys
      .filter((s) => s.cleanSamples >= minPlantBacked && s.readError === undefined)
      .flatMap((s) => (s.profiler === null ? [] : [s.profiler])),
    ...others,
  ];
  if (ranked.length > 1) ModelProfiler.rankAll(ranked);
}

/** Runs the whole train-all workflow (see the module comment); `single` trains one model against the stored plant. */
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
  const signal = opts.signal;
  const wanted = opts.models ? new Set(opts.models) : null;
  const requests = (await repo.listModels()).filter((s) => !wanted || wanted.has(s.model));
  let done = 0;
  // Rows: read so far / of all requested models (survey); of the models trained so far / of all (pass 2).
  let rowsDone = 0;
  let rowsTotal = requests.reduce((n, s) => n + s.trimTracks, 0);
  const emit = (phase: ProgressEvent['phase'], model?: ModelName): void =>
    opts.onProgress?.({
      operation: 'train',
      phase,
      ...(model !== undefined ? { model } : {}),
      modelsDone: done,
      modelsTotal: requests.length,
      recordsDone: rowsDone,
      recordsTotal: rowsTotal,
      elapsedMs: Date.now() - started,
    });
  const previousBaselines = await previousBaselinesOf(repo, opts.rebaselineDrift === true);

  // Pass 1: survey.
  emit('planning');
  const pooledRows = new PooledRows(o.seed);
  const surveys = await surveyAll(
    {
      repo,
      o,
      minSamples,
      minPlantBacked,
      signal,
      pooledRows,
      onReading: (m) => emit('reading', m),
      onRows: (n) => (rowsDone = n),
      onSurveyed: () => done++,
    },
    requests,
  );
  rankDifficulty(surveys, minPlantBacked, single?.otherProfiles ?? []);

  // The pooled forest, then the threshold's evidence and the plant-wide threshold fitted to the models' own cuts (a
  // single-model training reuses the stored forest and the last plant-wide threshold).
  throwIfAborted(signal);
  emit('pooled');
  const trainingDate = new Date();
  const version = stateVersionOf(trainingDate, o.seed);
  const book = new TrainBook(repo, { minSamples, minPlantBacked, trainingDate, version });
  const pooled = single ? single.pooled : await pooledForest(repo, o, pooledRows, version, book, signal);
  addThresholdEvidence(surveys, pooled, o.seed);
  const thresholdPrior = single ? single.thresholdPrior : fitPlantPrior(surveys.map((s) => s.thresholdEvidence ?? null));

  // Pass 2: per-model training, at most `concurrency` models in flight (read, train in a worker, save).
  done = 0;
  rowsDone = 0;
  rowsTotal = surveys.reduce((n, s) => n + s.rowsRead, 0);
  const runner = createWorkerPool<TrainModelInput, TrainModelOutput>({
    worker: 'train-worker',
    concurrency: opts.concurrency ?? availableParallelism(),
    inline: trainModelCore,
    what: 'training',
  });
  const run: TrainRun = {
    repo,
    o,
    minSamples,
    minPlantBacked,
    signal,
    pooled,
    thresholdPrior,
    single,
    previousBaselines,
    trainingDate,
    version,
    runner,
    book,
    emit,
  };
  let aborted: Error | null = null;
  try {
    await runLimited(
      surveys,
      runner.concurrency,
      async (s) => {
        const t0 = Date.now();
        try {
          await trainSurveyed(run, s, t0);
        } catch (error) {
          if (error instanceof AbortedError || signal?.aborted) {
            aborted = signal?.aborted ? abortError(signal) : (error as AbortedError);
            return;
          }
          await book.failed(s, error instanceof Error ? error : new Error(String(error)), Date.now() - t0);
        } finally {
          done++;
          rowsDone += s.rowsRead;
          emit('training', s.model);
        }
      },
      () => aborted !== null || signal?.aborted === true,
    );
    throwIfAborted(signal);
    if (aborted !== null) throw aborted as Error; // assigned in the task: TypeScript narrows it to null here
  } finally {
    await runner.close();
  }
  emit('done');
  return book.summary(pooled ? pooled.summary : null, Date.now() - started);
}
