/**
 * {@link MLManager}: the façade of the two-step workflow. Training lives in train/ (train-all.ts), apply in apply/
 * (apply-all.ts), the infrastructure both use (workers, locks, LRU, batch writers) in runtime/; the façade holds the
 * caches (states, forests), takes the locks and answers the queries. It knows nothing of SQL (everything goes through
 * an {@link MLRepository}).
 *
 * @module
 */
import type { ModelName, TrimTrack } from '../core/types.js';
import { exclusionReason } from '../core/features.js';
import { labelOf } from '../core/labels.js';
import type { DriftAlert, MLRepository, ModelMLState, TrackResultWrite } from '../storage/repository.js';
import { updateDriftStatesOf } from '../storage/repository-helpers.js';
import {
  batchEffects,
  qualityTrend,
  type BatchEffects,
  type DatedOutcome,
  type QualityTrend,
  type TimeBin,
} from '../insights/time-trends.js';
import { applyAll, type ApplyDeps } from './apply/apply-all.js';
import { trackResultOf } from './apply/plan.js';
import { buildApplyPlan, loadOwnPredictor, type LoadedPredictor } from './apply/serving.js';
import type { ComponentsState } from './components-state.js';
import {
  buildCrossModelComparison,
  buildCrossModelInsights,
  buildModelInsights,
  type CrossModelInsights,
  type CrossModelRow,
  type ModelInsights,
} from './insights.js';
import { effectiveMinToTrain, positiveInt, resolveOptions, type ResolvedManagerOptions } from './options.js';
import { loadPooledModel, type PooledModel } from './pooled/pooled.js';
import { lockBoth, withLocks } from './runtime/locks.js';
import { LruCache } from './runtime/lru.js';
import { scoreNow } from './scorer.js';
import { buildTrainingStatus } from './status.js';
import { trainAll } from './train/train-all.js';
import { trainSingleModel } from './train/train-single.js';
import type {
  ApplyOptions,
  ApplyResult,
  MLManagerOptions,
  TrainAllOptions,
  TrainAllResult,
  TrainingResult,
  TrainingStatus,
} from './types.js';

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
    return withLocks(this.repository, this.options.owner, 'train', options.signal, async (signal) => {
      const result = await trainAll(this.repository, this.options, { ...options, signal });
      this.invalidate();
      return result;
    });
  }

  /** Trains one model (using the pooled forest of the last train-all, if any) and saves it. */
  async trainModel(
    model: ModelName,
    options: Pick<TrainAllOptions, 'signal' | 'minSamples' | 'minPlantBackedSamples'> = {},
  ): Promise<TrainingResult> {
    const lock = await lockBoth(this.repository, this.options.owner, options.signal, 'train');
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
    const deps: ApplyDeps = {
      repository: this.repository,
      options: this.options,
      loadStates: () => this.loadStates(true),
      getPooled: () => this.getPooled(),
      getOwnPredictor: (m, c) => this.getOwnPredictor(m, c),
    };
    return withLocks(this.repository, this.options.owner, 'apply', options.signal, (signal) =>
      applyAll(deps, options, batchSize, signal, started),
    );
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
    return buildTrainingStatus((await this.loadStates(true)).values(), this.options);
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
