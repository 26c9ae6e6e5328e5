/**
 * Public option, progress and result types of {@link MLManager}.
 *
 * @module
 */
import type { ThresholdSource } from '../threshold/types.js';
import type { StorageError } from '../core/errors.js';
import type { LabelChoice } from '../core/labels.js';
import type { ExclusionCounts } from '../core/features.js';
import type { LabelSource, ModelName } from '../core/types.js';
import type { DriftDirection, RiskCategory } from '../storage/repository.js';

/** What the pooled forest was trained on and how well it does out of bag. */
export interface PooledSummary {
  /** Final Test units of every model. */
  readonly samples: number;
  /** Units the forest trained on (all of them, or a sample of `POOLED_MAX_ROWS`). */
  readonly trainedOn: number;
  readonly failures: number;
  readonly auc: number | null;
  readonly brier: number | null;
}

/** Which predictor serves a model's failure probabilities. */
export type PredictorKind = 'own' | 'pooled' | 'none';

/**
 * How a trained model was trained (docs/what-it-learns.md, "Training tiers"):
 * - `own`: at least `minSamples` clean samples: its own threshold evidence, drift baseline and (with enough labelled
 *   units) its own forest, as the design trains a model;
 * - `plant-backed`: at least `minPlantBackedSamples` but fewer than `minSamples`: its own profile, the pooled forest
 *   (never an own forest), the plant-wide threshold blended with its own outcomes, and a drift baseline only where
 *   the detector can start one on its units.
 */
export type TrainingTier = 'own' | 'plant-backed';

export type { ComponentMinimums, MLManagerOptions } from './options.js';

/** A progress event of a long operation. */
export interface ProgressEvent {
  readonly operation: 'train' | 'apply';
  /** What is happening now. */
  readonly phase: 'planning' | 'reading' | 'pooled' | 'training' | 'saving' | 'applying' | 'done';
  /** The model being worked on, when there is one. */
  readonly model?: ModelName;
  readonly modelsDone: number;
  readonly modelsTotal: number;
  /**
   * Rows done / in all: train's `reading`: rows read / the models' tracks; train's `training` and `saving`: rows of
   * the models finished / of all models read (a big model counts for more than a small one); apply: tracks whose
   * results are computed (queued for the write batch that commits them) / the models' tracks. In `pooled`, the
   * survey's final count.
   */
  readonly recordsDone?: number;
  readonly recordsTotal?: number;
  /** Milliseconds since the operation started. */
  readonly elapsedMs: number;
}

/** Callback receiving {@link ProgressEvent}s. */
export type ProgressCallback = (event: ProgressEvent) => void;

/** Options of {@link MLManager.trainAllModels}. */
export interface TrainAllOptions {
  /** Overrides the manager's `minSamples` for this run. */
  readonly minSamples?: number;
  /** Overrides the manager's `minPlantBackedSamples` for this run. */
  readonly minPlantBackedSamples?: number;
  /** Worker threads for per-model training. Default: the number of cores; 1 trains in this thread. */
  readonly concurrency?: number;
  readonly onProgress?: ProgressCallback;
  /** Cancels cleanly: models already saved stay saved (each model is saved in one transaction), nothing is half-saved. */
  readonly signal?: AbortSignal;
  /** Only these models (default: every model in the repository). */
  readonly models?: readonly ModelName[];
  /**
   * Re-establish every drift baseline from the first 30% of the history. By default a baseline, once established,
   * is kept by later trainings (its control limits are frozen), so that a drift is neither absorbed into a new
   * baseline nor reported again with a new onset.
   */
  readonly rebaselineDrift?: boolean;
}

/** The outcome of training one model. */
export interface TrainingResult {
  readonly model: ModelName;
  /** `trained`: state saved; `skipped`: not enough data (state saved as untrained with the reason); `failed`: an error, reported here. */
  readonly status: 'trained' | 'skipped' | 'failed';
  /** The tier a `trained` model was trained in (`null` when skipped or failed). */
  readonly tier: TrainingTier | null;
  /** Why it was skipped or failed, or notes on fallbacks. */
  readonly message: string;
  /** The error, when `status` is `failed`. */
  readonly error?: Error;
  /** Rows read before hygiene. */
  readonly rowsRead: number;
  /** Clean, labelled samples. */
  readonly samples: number;
  readonly excluded: ExclusionCounts | null;
  readonly label: LabelChoice | null;
  /** Learned sigma threshold (`null`: the formula stays). */
  readonly sigmaThreshold: number | null;
  readonly thresholdConfidence: number | null;
  readonly predictorKind: PredictorKind;
  /** Out-of-sample AUC of the predictor serving this model, on this model's units. */
  readonly predictorAuc: number | null;
  readonly driftBaselineSamples: number;
  readonly durationMs: number;
}

/** Summary of a {@link MLManager.trainAllModels} run. */
export interface TrainAllResult {
  readonly results: TrainingResult[];
  readonly trained: number;
  /** Of the trained, how many in the `plant-backed` tier (`TrainingResult['tier']`). */
  readonly plantBacked: number;
  readonly skipped: number;
  readonly failed: number;
  /** The pooled forest's training summary (`null` when it could not be trained). */
  readonly pooled: PooledSummary | null;
  /**
   * Set when storage stopped taking writes during the run, in one message for the user: a {@link DiskFullError}
   * (the models `trained`/`skipped` before it are saved; every model `failed` with it is not, and a model trained
   * earlier keeps serving its last good state), or the locks could not be released afterwards (the message says so;
   * a later run takes over a lock whose holder has exited).
   */
  readonly storageError?: StorageError;
  readonly durationMs: number;
}

/** Options of {@link MLManager.applyToDatabase}. */
export interface ApplyOptions {
  /** Tracks per read/write batch (one transaction each). Default 5,000. */
  readonly batchSize?: number;
  readonly onProgress?: ProgressCallback;
  /** Cancels between batches; every written batch is complete, and rerunning completes the job. */
  readonly signal?: AbortSignal;
  /** Only these models (default: every model in the repository). */
  readonly models?: readonly ModelName[];
  /**
   * Threads: > 1 scores in a worker thread beside the database work (for runs of 10,000 tracks or more; a smaller run
   * scores in this thread, where it is cheaper than sending the forests); 1 does everything in this thread. Default:
   * the number of cores.
   */
  readonly concurrency?: number;
  /**
   * `'all'` (default): every track of every model, drift replayed from each baseline; what to run after a retrain.
   * `'pending'`: incremental, for new units as they arrive: results only for the tracks that have none yet, each
   * model's drift charts continued from their stored state over the new units (the same alerts and values as a full
   * apply of the same database). A model is applied in full instead where that cannot be guaranteed: retrained
   * since its last apply, never applied, its last apply incomplete, or a new unit older than the last charted one
   * (late arrival: its drift is replayed from the baseline). {@link ApplyModelResult.fullReason} says why. A
   * repository without `listModelsWithUnappliedTracks` / `readUnappliedTracks` is applied in full. See docs/apply.md.
   */
  readonly only?: 'all' | 'pending';
}

/** Per-model outcome of apply. */
export interface ApplyModelResult {
  readonly model: ModelName;
  readonly tracks: number;
  /** Tracks that got the learned threshold (the rest the formula). */
  readonly learnedThresholdTracks: number;
  readonly formulaThresholdTracks: number;
  /** Tracks that got a failure probability. */
  readonly probabilityTracks: number;
  /**
   * Tracks hygiene excludes, by reason (an unreadable cell, a value outside the physical bounds, a placeholder or
   * missing sigma, status ERROR, ...): each is written the model's threshold, with `sigma_pass`, the probability and
   * the risk category NULL, and takes no part in drift detection. `duplicate` and `missing_outcome` are training-only
   * reasons (0 here).
   */
  readonly excluded: ExclusionCounts;
  readonly predictorKind: PredictorKind;
  /** New drift alerts raised (episodes already stored are not raised again). */
  readonly newDriftAlerts: number;
  readonly isDrifting: boolean;
  readonly driftDirection: DriftDirection | null;
  /** Which tracks were written: all of the model's, or only those that had no result (`only: 'pending'`). */
  readonly scope: 'all' | 'pending';
  /**
   * Drift: `replayed` from the baseline over every unit, `continued` from the stored state over the new units
   * (incremental apply), `none` (no drift baseline, or the model failed).
   */
  readonly drift: 'replayed' | 'continued' | 'none';
  /** In an incremental apply, why this model (or its drift) was applied in full; `null` otherwise. */
  readonly fullReason: string | null;
  readonly error?: Error;
}

/** Summary of {@link MLManager.applyToDatabase}. */
export interface ApplyResult {
  readonly models: ApplyModelResult[];
  readonly tracks: number;
  readonly learnedThresholdTracks: number;
  readonly formulaThresholdTracks: number;
  readonly probabilityTracks: number;
  /** {@link ApplyModelResult.excluded} summed over the models. */
  readonly excluded: ExclusionCounts;
  readonly newDriftAlerts: number;
  readonly failedModels: number;
  /** The `only` option the run had, and what it did: `pending` when the repository serves incremental reads. */
  readonly only: 'all' | 'pending';
  /**
   * Set when the locks could not be released after the run (e.g. the disk is full): the results above stand; a later
   * run takes over a lock whose holder has exited.
   */
  readonly storageError?: StorageError;
  readonly durationMs: number;
}

/**
 * The status of a model in the settings-page table: `trained`, `drifting` (trained, and its drift charts alarm),
 * `need_more_data` (too few clean samples to train: {@link TrainingStatusRow.samplesNeeded} more), `untrained`
 * (enough samples, but no trained state, e.g. one saved by another version) or `failed` (its last training failed).
 */
export type ModelTrainingStatus = 'trained' | 'drifting' | 'need_more_data' | 'untrained' | 'failed';

/** The fields every {@link TrainingStatusRow} has. */
export interface TrainingStatusRowFields {
  readonly model: ModelName;
  readonly samples: number;
  readonly sigmaThreshold: number | null;
  /**
   * Where the threshold comes from: `own`, `blended` (own cut and plant-wide cut, `thresholdWeight` = the own cut's
   * weight), `plant_wide` (weight 0) or `formula` (nothing learned). See docs/thresholds.md.
   */
  readonly thresholdSource: ThresholdSource;
  /** The own cut's weight in the blend; `null` for `formula`. */
  readonly thresholdWeight: number | null;
  /** Out-of-sample accuracy of the predictor serving the model. */
  readonly accuracy: number | null;
  readonly auc: number | null;
  readonly predictorKind: PredictorKind;
  readonly labelSource: LabelSource | null;
  /** The tier of a trained model (`own` for states saved before tiers existed); `null` when not trained. */
  readonly tier: TrainingTier | null;
  /**
   * Units the model still needs before drift monitoring can start (`null`: monitoring, or not trained, or a state
   * that does not say). A model whose history is shorter than a drift baseline is trained without drift monitoring.
   */
  readonly driftUnitsNeeded: number | null;
  /** Whether the model has a drift baseline (apply monitors it). */
  readonly driftMonitored: boolean;
  /** Rows the last training excluded, by reason (`null` where the stored state does not say). */
  readonly excluded: ExclusionCounts | null;
  readonly trainingDate: Date | null;
}

/**
 * One row of the design's settings-page table, a union on `status`: a model that needs more data says how many more
 * clean samples (`samplesNeeded`; the design's "need N more"), every other row has `samplesNeeded: null`.
 *
 * @example
 * ```ts
 * for (const row of (await ml.getTrainingStatus()).rows) {
 *   if (row.status === 'need_more_data') console.log(row.model, `needs ${row.samplesNeeded} more samples`);
 * }
 * ```
 */
export type TrainingStatusRow =
  | (TrainingStatusRowFields & { readonly status: 'need_more_data'; readonly samplesNeeded: number })
  | (TrainingStatusRowFields & { readonly status: Exclude<ModelTrainingStatus, 'need_more_data'>; readonly samplesNeeded: null });

/** The settings-page summary: counts and rows. */
export interface TrainingStatus {
  readonly rows: TrainingStatusRow[];
  readonly trained: number;
  /** Of the trained, how many in the `plant-backed` tier. */
  readonly plantBacked: number;
  readonly needMoreData: number;
  readonly drifting: number;
  readonly failed: number;
  readonly lastTrained: Date | null;
}

/** Risk category for a probability with the manager's cut-offs. */
export function riskCategoryOf(p: number | null, cutoffs: { medium: number; high: number }): RiskCategory | null {
  if (p === null || !Number.isFinite(p)) return null;
  return p >= cutoffs.high ? 'high' : p >= cutoffs.medium ? 'medium' : 'low';
}
