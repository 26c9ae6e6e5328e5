/**
 * {@link MLManager}: the only orchestrator. It knows the two-step workflow (train all, apply to the database),
 * minimum-sample rules, progress, cancellation, parallelism and caches; it knows nothing of SQL (everything goes
 * through an {@link MLRepository}).
 *
 * @module
 */
import { StorageError, throwIfAborted } from '../core/errors.js';
import { effectiveMinToTrain, positiveInt, resolveOptions, type ResolvedManagerOptions } from './options.js';
import type { ModelName, TrimTrack } from '../core/types.js';
import type { DriftAlert, LockHandle, MLRepository, ModelMLState, ModelReadRequest, TrackResultWrite } from '../storage/repository.js';
import { updateDriftStatesOf } from '../storage/repository-helpers.js';
import { linkSignals } from './runtime/signals.js';
import { incrementalTrackSource, trackSource } from './apply/track-source.js';
import { applyVersionOf, incrementalScope, loadApplyJournal, saveApplyJournal, type IncrementalScope } from './apply/incremental.js';
import { availableParallelism } from 'node:os';
import { applyPipeline, trackResultOf, type ApplyPlan } from './apply/pipeline.js';
import { scoreNow } from './scorer.js';
import { createRemoteScorer } from './runtime/score-pool.js';
import { BatchWriteError, BatchWriter } from './runtime/batch-writer.js';
import { parseComponents, storedThresholdResult, tierOf, type ComponentsState } from './components-state.js';
import { LruCache } from './runtime/lru.js';
import { buildApplyPlan, loadOwnPredictor, type LoadedPredictor } from './apply/serving.js';
import { loadPooledModel, type PooledModel } from './pooled/pooled.js';
import { trainAll, trainSingleModel } from './train/train-all.js';
import {
  buildCrossModelComparison,
  buildCrossModelInsights,
  buildModelInsights,
  type CrossModelInsights,
  type CrossModelRow,
  type ModelInsights,
} from './insights.js';
import { type ExclusionCounts, type ExclusionReason, emptyExclusionCounts, exclusionReason } from '../core/features.js';
import { labelOf } from '../core/labels.js';
import { batchEffects, qualityTrend, type BatchEffects, type DatedOutcome, type QualityTrend, type TimeBin } from '../insights/time-trends.js';
import type {
  ApplyModelResult,
  ApplyOptions,
  ApplyResult,
  MLManagerOptions,
  TrainAllOptions,
  TrainAllResult,
  TrainingResult,
  TrainingStatus,
  TrainingStatusRow,
} from './types.js';

/** Apply scores in the worker thread only from this many tracks on (see `applyToDatabase`). */
const REMOTE_SCORING_MIN_TRACKS = 10_000;

/**
 * Per-model ML over a repository: train every model, apply the results to the database, and query thresholds,
 * probabilities, insights and status.
 *
 * @example
 * ```ts
 * import { MLManager, createSqliteRepository } from 'laser-trim-ml';
 *
 * const repo = await createSqliteRepository({ file: './laser-trim.db' });
 * const ml = new MLManager(repo);
 * const trained = await ml.trainAllModels({ onProgress: (e) => console.log(e.phase, e.modelsDone, e.modelsTotal) });
 * const applied = await ml.applyToDatabase();
 * console.log(trained.trained, 'models trained;', applied.tracks, 'tracks updated');
 * console.table((await ml.getTrainingStatus()).rows);
 * await repo.close();
 * ```
 */
export class MLManager {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedManagerOptions;
  private states: Map<ModelName, ModelMLState> | null = null;
  private readonly predictors: LruCache<ModelName, LoadedPredictor>;
  private pooled: PooledModel | null | undefined = undefined;

  constructor(
    /** Where data is read and results are written. */
    readonly repository: MLRepository,
    options: MLManagerOptions = {},
  ) {
    this.options = resolveOptions(options);
    this.predictors = new LruCache(this.options.predictorCacheBytes);
  }

  // ---------------------------------------------------------------- training

  /**
   * Trains every model with enough data: profile, threshold, drift baselines and predictor, plus the pooled forest
   * that serves small models. Each model is saved in one transaction as soon as it is trained; one model's failure
   * is reported in its {@link TrainingResult} and never stops the others.
   */
  async trainAllModels(options: TrainAllOptions = {}): Promise<TrainAllResult> {
    const lock = await this.lockBoth(options.signal, 'train');
    let result: TrainAllResult;
    try {
      result = await trainAll(this.repository, this.options, { ...options, signal: lock.signal });
      this.invalidate();
    } catch (error) {
      // The run's own error is what the caller needs; a failed release (e.g. on a full disk) must not replace it.
      await lock.release().catch(() => undefined);
      throw error;
    }
    try {
      await lock.release();
    } catch (error) {
      return withReleaseError(result, error);
    }
    return result;
  }

  /** Trains one model (using the pooled forest of the last train-all, if any) and saves it. */
  async trainModel(model: ModelName, options: Pick<TrainAllOptions, 'signal' | 'minSamples' | 'minPlantBackedSamples'> = {}): Promise<TrainingResult> {
    const lock = await this.lockBoth(options.signal, 'train');
    try {
      const pooled = await this.getPooled();
      const result = await trainSingleModel(this.repository, this.options, model, pooled, { ...options, signal: lock.signal });
      this.invalidate();
      return result;
    } finally {
      await lock.release();
    }
  }

  // ---------------------------------------------------------------- apply

  /**
   * Writes learned thresholds (the formula where a model has none), `sigma_pass`, failure probabilities and risk
   * categories to every track, and runs drift detection per model, storing one alert per drift episode. Idempotent:
   * a rerun writes the same values and adds no duplicate alert.
   */
  async applyToDatabase(options: ApplyOptions = {}): Promise<ApplyResult> {
    const started = Date.now();
    const batchSize = positiveInt('batchSize', options.batchSize, 5_000);
    const lock = await this.lockBoth(options.signal, 'apply');
    const signal = lock.signal;
    let applied: ApplyResult | null = null;
    try {
      const repo = this.repository;
      const wanted = options.models ? new Set(options.models) : null;
      const states = await this.loadStates(true);
      const journal = await loadApplyJournal(repo);
      const incremental = options.only === 'pending' && repo.listModelsWithUnappliedTracks !== undefined && repo.readUnappliedTracks !== undefined;
      // Incremental: the models with tracks without a result, and those that cannot be continued (applied in full).
      const scopes = new Map<ModelName, IncrementalScope>();
      let models: ModelReadRequest[];
      if (incremental) {
        const unapplied = new Map((await repo.listModelsWithUnappliedTracks!()).map((m) => [m.model, m.trimTracks]));
        const names = [...new Set([...unapplied.keys(), ...states.keys()])].filter((m) => !wanted || wanted.has(m)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        models = [];
        for (const model of names) {
          const state = states.get(model) ?? null;
          const scope = incrementalScope(model, state, journal);
          const fresh = unapplied.get(model) ?? 0;
          if (scope.scope === 'pending' && fresh === 0) continue; // nothing new
          scopes.set(model, scope);
          models.push({ model, trimTracks: scope.scope === 'pending' ? fresh : Math.max(fresh, state?.trimSamples ?? 0) });
        }
      } else {
        models = (await repo.listModels()).filter((s) => !wanted || wanted.has(s.model));
      }
      const recordsTotal = models.reduce((s, m) => s + m.trimTracks, 0);
      const pooled = models.length > 0 ? await this.getPooled() : null;
      // Every model of this run is marked dirty before anything is written, and cleared once all of it is (below).
      for (const m of models) journal.dirty.add(m.model);
      if (models.length > 0) await saveApplyJournal(repo, journal);
      const results: ApplyModelResult[] = [];
      let recordsDone = 0;
      const emit = (phase: 'applying' | 'done', model?: ModelName): void =>
        options.onProgress?.({
          operation: 'apply',
          phase,
          ...(model !== undefined ? { model } : {}),
          modelsDone: results.length,
          modelsTotal: models.length,
          recordsDone,
          recordsTotal,
          elapsedMs: Date.now() - started,
        });
      // Forest prediction runs in a scoring worker beside the database work (in this thread with concurrency 1).
      // Not for a small run (an incremental apply of a few new units): there sending each model's forest to the worker
      // costs more than scoring its few tracks here (measured: 1,000 new tracks of 600 models, ~0.5 s of forest
      // transfers for a few milliseconds of scoring).
      const remote = (options.concurrency ?? availableParallelism()) > 1 && recordsTotal >= REMOTE_SCORING_MIN_TRACKS ? createRemoteScorer() : null;
      // Progress counts tracks as their results are computed (one event per model's read batch), not as the write
      // batches (of batchSize tracks, across models) commit: small models would otherwise show no progress at all.
      const writer = new BatchWriter(this.repository, batchSize, () => undefined, (model, n) => {
        recordsDone += n;
        emit('applying', model);
      });
      // A failed batch fails every model with rows in it, also those already counted as done (idempotent: a model
      // reported twice keeps one failed entry).
      const replaceOrPush = (failed: ApplyModelResult): void => {
        const i = results.findIndex((r) => r.model === failed.model);
        if (i >= 0) results[i] = failed;
        else results.push(failed);
      };
      const failBatch = (error: BatchWriteError): void => {
        for (const model of error.models) replaceOrPush(failedApply(model, error));
      };
      try {
        const getOwn = (m: ModelName, c: ComponentsState): Promise<LoadedPredictor | null> => this.getOwnPredictor(m, c);
        async function* plans(): AsyncGenerator<ApplyPlan | { model: ModelName; error: unknown }> {
          for (const summary of models) {
            try {
              const scope = scopes.get(summary.model);
              const parsed = scope?.scope === 'pending' ? scope.components : undefined;
              const plan = await buildApplyPlan(summary.model, states.get(summary.model) ?? null, pooled, getOwn, remote, parsed);
              if (scope === undefined) yield plan;
              else if (scope.scope === 'all') yield { ...plan, fullReason: scope.reason };
              else yield { ...plan, scope: 'pending', driftFrom: plan.driftReplay ? scope.driftFrom : null };
            } catch (error) {
              yield { model: summary.model, error };
            }
          }
        }
        await applyPipeline(
          plans(),
          {
            repository: this.repository, formula: this.options.formulaThreshold, riskCutoffs: this.options.riskCutoffs, batchSize, signal, writer,
            tracks: incremental
              ? incrementalTrackSource(repo as MLRepository & Required<Pick<MLRepository, 'readUnappliedTracks'>>, models, (m) => scopes.get(m)?.scope === 'pending', batchSize)
              : trackSource(repo, models, batchSize),
          },
          (model, r) => {
            if ('error' in r) {
              if (r.error instanceof BatchWriteError) failBatch(r.error);
              else replaceOrPush(failedApply(model, r.error));
              return;
            }
            const { driftUpdate, ...modelResult } = r;
            const state = states.get(model);
            if (driftUpdate && state) states.set(model, { ...state, ...driftUpdate });
            results.push(modelResult);
          },
        ).catch((error: unknown) => {
          // A batch failure surfacing outside a model's own stage (e.g. while draining) fails the models in it.
          if (error instanceof BatchWriteError) failBatch(error);
          else throw error;
        });
        throwIfAborted(signal);
        try {
          await writer.flush();
        } catch (error) {
          if (!(error instanceof BatchWriteError)) throw error;
          failBatch(error);
        }
      } catch (error) {
        // Aborted (or a failure outside any model): the queued rows are dropped, the written batches are whole.
        writer.discard();
        throw error;
      } finally {
        await remote?.close();
      }
      // The journal: each model applied without error is complete at its state version.
      for (const r of results) {
        if (r.error !== undefined) continue;
        journal.dirty.delete(r.model);
        journal.applied.set(r.model, applyVersionOf(states.get(r.model) ?? null));
      }
      if (models.length > 0) await saveApplyJournal(repo, journal);
      emit('done');
      return (applied = {
        models: results,
        tracks: sum(results, (r) => r.tracks),
        learnedThresholdTracks: sum(results, (r) => r.learnedThresholdTracks),
        formulaThresholdTracks: sum(results, (r) => r.formulaThresholdTracks),
        probabilityTracks: sum(results, (r) => r.probabilityTracks),
        excluded: sumExclusions(results.map((r) => r.excluded)),
        newDriftAlerts: sum(results, (r) => r.newDriftAlerts),
        failedModels: results.filter((r) => r.error !== undefined).length,
        only: incremental ? 'pending' : 'all',
        durationMs: Date.now() - started,
      });
    } finally {
      // A failed release (e.g. on a full disk) must neither replace the run's own error nor hide its result.
      let releaseError: unknown;
      await lock.release().catch((e: unknown) => {
        releaseError = e;
      });
      // eslint-disable-next-line no-unsafe-finally -- returns only when the run succeeded (applied !== null): no error is lost
      if (releaseError !== undefined && applied !== null) return withReleaseError(applied, releaseError);
    }
  }

  // ---------------------------------------------------------------- queries

  /** The learned sigma threshold of a model, or `undefined`: use the formula. */
  async getThreshold(model: ModelName): Promise<number | undefined> {
    const s = (await this.loadStates()).get(model);
    return s && s.sigmaThreshold !== null ? s.sigmaThreshold : undefined;
  }

  /**
   * The probability that a unit fails Final Test, from its trim measurements; `undefined` when no predictor serves
   * the model or the track has no usable sigma.
   */
  async getFailureProbability(model: ModelName, track: Partial<TrimTrack>): Promise<number | undefined> {
    const states = await this.loadStates();
    const state = states.get(model) ?? null;
    const plan = await buildApplyPlan(model, state, await this.getPooled(), (m, c) => this.getOwnPredictor(m, c), null);
    if (!plan.scorer) return undefined;
    const full = completeTrack(model, track);
    const p = scoreNow(plan.scorer, [full])[0]!;
    return Number.isFinite(p) ? p : undefined;
  }

  /**
   * The result columns apply would write for these tracks of a model (threshold, `sigma_pass`, failure probability,
   * risk category, state version), computed now and written nowhere: for an import path that shows results before
   * (or without) an apply. Missing measurement fields are treated as absent; `trackResultId` is passed through (0
   * where not given). The values equal what `applyToDatabase` writes for the same track with the same state.
   *
   * @example
   * ```ts
   * const [r] = await ml.scoreTracks('8340-1', [{ sigmaGradient: 3.1e-4, linearitySpec: 0.01, linearityError: 0.004 }]);
   * r.sigmaPass; r.failureProbability; r.riskCategory;
   * ```
   */
  async scoreTracks(model: ModelName, tracks: readonly Partial<TrimTrack>[]): Promise<TrackResultWrite[]> {
    const states = await this.loadStates();
    const plan = await buildApplyPlan(model, states.get(model) ?? null, await this.getPooled(), (m, c) => this.getOwnPredictor(m, c), null);
    const full = tracks.map((t) => completeTrack(model, t));
    const p = plan.scorer ? scoreNow(plan.scorer, full) : null;
    return full.map((t, i) => trackResultOf(plan, t, p ? p[i]! : Number.NaN, this.options.formulaThreshold, this.options.riskCutoffs));
  }

  /** Everything known about one model: profile, predictor, threshold, drift and human-readable insights. */
  async getModelInsights(model: ModelName): Promise<ModelInsights | undefined> {
    const state = (await this.loadStates()).get(model);
    if (!state) return undefined;
    const alerts = await this.repository.listDriftAlerts({ model });
    return buildModelInsights(state, alerts, this.options);
  }

  /** One row per model: samples, pass rate, difficulty, threshold vs formula, predictor AUC, drift, capability. */
  async getCrossModelComparison(): Promise<CrossModelRow[]> {
    return buildCrossModelComparison([...(await this.loadStates()).values()]);
  }

  /** The design's settings-page table: per-model rows and the counts. */
  async getTrainingStatus(): Promise<TrainingStatus> {
    const states = await this.loadStates(true);
    const rows: TrainingStatusRow[] = [];
    let lastTrained: Date | null = null;
    for (const s of states.values()) {
      const c = safeComponents(s);
      const samples = c?.training.samples ?? s.trainingSamples;
      // The fewest samples that train the model at all (the plant-backed tier's minimum; states saved before tiers: minSamples).
      const minToTrain = c ? (c.training.minPlantBackedSamples ?? c.training.minSamples) : effectiveMinToTrain(this.options);
      let status: string;
      if (s.lastError !== null) status = 'failed';
      else if (!s.isTrained) status = samples < minToTrain ? `need ${minToTrain - samples} more` : 'untrained';
      else status = s.isDrifting ? 'drifting' : 'trained';
      const t = storedThresholdResult(c);
      rows.push({
        model: s.model,
        samples,
        sigmaThreshold: s.sigmaThreshold,
        thresholdSource: s.sigmaThreshold !== null && t ? t.source ?? 'own' : 'formula',
        thresholdWeight: s.sigmaThreshold !== null && t ? t.weight ?? 1 : null,
        accuracy: s.predictorAccuracy,
        auc: s.predictorAuc,
        predictorKind: c?.predictor.kind ?? 'none',
        labelSource: s.labelSource,
        status,
        tier: tierOf(s.isTrained, c),
        driftUnitsNeeded: s.isTrained ? (c?.training.drift?.unitsNeeded ?? null) : null,
        driftMonitored: s.isTrained && s.driftBaselineMean !== null,
        // Counts stored by an earlier version lack the newer reasons: those read as 0.
        excluded: c?.training.excluded ? { ...emptyExclusionCounts(), ...c.training.excluded } : null,
        trainingDate: s.trainingDate,
      });
      if (s.trainingDate && (!lastTrained || s.trainingDate > lastTrained)) lastTrained = s.trainingDate;
    }
    rows.sort((a, b) => b.samples - a.samples || (a.model < b.model ? -1 : 1));
    return {
      rows,
      trained: rows.filter((r) => r.status === 'trained' || r.status === 'drifting').length,
      plantBacked: rows.filter((r) => (r.status === 'trained' || r.status === 'drifting') && r.tier === 'plant-backed').length,
      needMoreData: rows.filter((r) => r.status.startsWith('need')).length,
      drifting: rows.filter((r) => r.status === 'drifting').length,
      failed: rows.filter((r) => r.status === 'failed').length,
      lastTrained,
    };
  }

  /**
   * The design's cross-model insights: ranking by difficulty, spec analysis (too tight / too loose), failure drivers,
   * drifting models and models needing data.
   */
  async getCrossModelInsights(): Promise<CrossModelInsights> {
    return buildCrossModelInsights([...(await this.loadStates()).values()], effectiveMinToTrain(this.options));
  }

  /**
   * Quality trend of one model over time: fail rate by month (Cochran–Armitage) and median sigma by month
   * (Mann–Kendall). The outcome of a unit is its Final Test result where linked, else its trim result.
   */
  async getQualityTrend(model: ModelName, options: { bin?: TimeBin; alpha?: number } = {}): Promise<QualityTrend> {
    return qualityTrend(await this.datedOutcomes(model), options);
  }

  /** Batch effects of one model: are fail rates homogeneous across weeks (or days)? */
  async getBatchEffects(model: ModelName, options: { bin?: TimeBin; minBatchSize?: number; alpha?: number } = {}): Promise<BatchEffects> {
    return batchEffects(await this.datedOutcomes(model), options);
  }

  /** Stored drift alerts (one per model per episode). */
  async getDriftAlerts(filter?: { model?: ModelName; unacknowledgedOnly?: boolean }): Promise<DriftAlert[]> {
    return this.repository.listDriftAlerts(filter);
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Loads every model's state row from the repository (forests stay in storage until a model needs one, and the
   * parsed ones are evicted, least recently used first, beyond `predictorCacheBytes` of forest JSON).
   */
  async loadAll(): Promise<void> {
    this.invalidate();
    await this.loadStates(true);
  }

  /**
   * Saves every state held in memory back to the repository (training already saves each model as it finishes;
   * this re-saves the drift running state and is idempotent).
   */
  async saveAll(): Promise<void> {
    if (!this.states) return;
    const updates = [...this.states.values()].map((s) => ({
      model: s.model,
      drift: {
        cusumPos: s.cusumPos,
        cusumNeg: s.cusumNeg,
        ewmaValue: s.ewmaValue,
        isDrifting: s.isDrifting,
        driftDirection: s.driftDirection,
        componentsJson: s.componentsJson,
      },
    }));
    for (let i = 0; i < updates.length; i += 500) await updateDriftStatesOf(this.repository, updates.slice(i, i + 500));
  }

  // ---------------------------------------------------------------- internals

  private async datedOutcomes(model: ModelName): Promise<DatedOutcome[]> {
    const points: DatedOutcome[] = [];
    for await (const batch of this.repository.readTrainingRecords(model)) {
      for (const r of batch) {
        if (exclusionReason(r) !== null) continue;
        points.push({ date: r.fileDate, fail: labelOf(r, 'final_test') ?? labelOf(r, 'trim'), sigma: r.sigmaGradient });
      }
    }
    return points;
  }

  /**
   * Train and apply exclude each other as well as themselves (an apply during a train would mix two trainings'
   * states): both take the `train` lock, then the `apply` lock, always in that order, so two callers never deadlock;
   * the loser gets a `BusyError` naming the holder and what it runs (the owner gets a ` (train)` / ` (apply)` suffix).
   */
  private async lockBoth(userSignal: AbortSignal | undefined, operation: 'train' | 'apply'): Promise<{ signal: AbortSignal | undefined; release(): Promise<void> }> {
    const owner = `${this.options.owner} (${operation})`;
    const train = await this.repository.acquireLock('train', owner);
    let apply: LockHandle;
    try {
      apply = await this.repository.acquireLock('apply', owner);
    } catch (e) {
      await train.release();
      throw e;
    }
    // The run stops at its next batch when the caller aborts or either lock is lost.
    const linked = linkSignals([userSignal, train.lost, apply.lost]);
    return {
      signal: linked.signal,
      release: async () => {
        linked.dispose();
        try {
          await apply.release();
        } finally {
          await train.release();
        }
      },
    };
  }

  private invalidate(): void {
    this.states = null;
    this.predictors.clear();
    this.pooled = undefined;
  }

  private async loadStates(refresh = false): Promise<Map<ModelName, ModelMLState>> {
    if (!this.states || refresh) {
      const rows = await this.repository.listModelStates();
      this.states = new Map(rows.map((r) => [r.model, r]));
    }
    return this.states;
  }

  private async getPooled(): Promise<PooledModel | null> {
    if (this.pooled === undefined) this.pooled = await loadPooledModel(this.repository);
    return this.pooled;
  }

  private async getOwnPredictor(model: ModelName, components: ComponentsState): Promise<LoadedPredictor | null> {
    const cached = this.predictors.get(model);
    if (cached) return cached;
    const state = (await this.loadStates()).get(model);
    if (!state) return null;
    const loaded = await loadOwnPredictor(this.repository, model, state.stateVersion, components);
    if (loaded) this.predictors.set(model, loaded, loaded.stateJson.length);
    return loaded;
  }
}

function safeComponents(s: ModelMLState): ComponentsState | null {
  try {
    return parseComponents(s.componentsJson, s.model);
  } catch {
    // A state from another version: the status table shows it as untrained; training replaces it.
    return null;
  }
}

function failedApply(model: ModelName, error: unknown): ApplyModelResult {
  return {
    model,
    tracks: 0,
    learnedThresholdTracks: 0,
    formulaThresholdTracks: 0,
    probabilityTracks: 0,
    excluded: emptyExclusionCounts(),
    predictorKind: 'none',
    newDriftAlerts: 0,
    isDrifting: false,
    driftDirection: null,
    scope: 'all',
    drift: 'none',
    fullReason: null,
    error: error instanceof Error ? error : new Error(String(error)),
  };
}

/**
 * A run's result after its locks could not be released: the models are saved (or not) as the result says, and a failed
 * release must not hide that. A {@link StorageError} is reported in `storageError` (joined to the run's own, e.g. a
 * full disk); a lock its dead holder left is taken over by a later run. Any other error (a lost lock) is thrown.
 */
function withReleaseError<R extends { readonly storageError?: StorageError }>(result: R, error: unknown): R {
  if (!(error instanceof StorageError)) throw error;
  const cause = result.storageError ?? error;
  const storageError = new StorageError(`${cause === error ? '' : `${cause.message} `}The train/apply locks could not be released: ${error.message}`, {
    cause: error,
    code: cause.code === 'DISK_FULL' ? 'DISK_FULL' : 'STORAGE',
  });
  return { ...result, storageError };
}

/** Counts by reason, summed. */
function sumExclusions(counts: readonly ExclusionCounts[]): ExclusionCounts {
  const total = emptyExclusionCounts();
  for (const c of counts) for (const k of Object.keys(total) as ExclusionReason[]) total[k] += c[k];
  return total;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

function completeTrack(model: ModelName, t: Partial<TrimTrack>): TrimTrack {
  return {
    trackResultId: t.trackResultId ?? 0,
    trimResultId: t.trimResultId ?? 0,
    model,
    serial: t.serial ?? null,
    trackId: t.trackId ?? 'default',
    fileDate: t.fileDate ?? new Date(0),
    status: t.status ?? null,
    sigmaGradient: t.sigmaGradient ?? null,
    linearitySpec: t.linearitySpec ?? null,
    linearityError: t.linearityError ?? null,
    linearityFailPoints: t.linearityFailPoints ?? null,
    linearityPass: t.linearityPass ?? null,
    optimalOffset: t.optimalOffset ?? null,
    travelLength: t.travelLength ?? null,
    unitLength: t.unitLength ?? null,
    untrimmedResistance: t.untrimmedResistance ?? null,
    trimmedResistance: t.trimmedResistance ?? null,
  };
}
