/**
 * The storage seam: everything {@link MLManager} reads and writes goes through {@link MLRepository}, so the library
 * fits any host database. Implementations: the in-memory repository (tests, the custom-adapter example) and the
 * Kysely adapters for SQLite and PostgreSQL.
 *
 * Contract every implementation honours (the shared behavioural test suite checks it):
 * - Reads are streamed in batches (bounded memory at millions of tracks); batch sizes are hints.
 * - Every write method is one transaction: a batch is fully written or not at all.
 * - Model names are opaque strings (quotes, slashes, spaces, unicode round-trip unchanged).
 *
 * @module
 */
import type { DriftDirection, FinalTestOutcome, ModelName, ModelSummary, RiskCategory, TrainingRecord, TrimTrack } from '../core/types.js';

// The domain words live in core; re-exported here because the storage contract's own types use them.
export type { DriftDirection, RiskCategory };

/** One track's ML results, as apply writes them. */
export interface TrackResultWrite {
  readonly trackResultId: number;
  /** The threshold used for this track: learned where the model has one, else the formula. */
  readonly sigmaThreshold: number;
  /** `sigma_gradient <= sigmaThreshold`; `null` when the track has no usable sigma. */
  readonly sigmaPass: boolean | null;
  /** Probability (0..1) that the unit fails Final Test; `null` where no predictor could score it. */
  readonly failureProbability: number | null;
  readonly riskCategory: RiskCategory | null;
  /** Which trained state produced the values (`ModelMLState.stateVersion`), or `'formula'`. */
  readonly mlModelVersion: string;
}

/**
 * Per-model persisted state: every column of the design's `model_ml_state` table, plus what the components need to
 * restore themselves exactly (`componentsJson`) and a version id.
 */
export interface ModelMLState {
  readonly model: ModelName;
  // Training metadata
  readonly isTrained: boolean;
  readonly trainingDate: Date | null;
  readonly trainingSamples: number;
  readonly trimSamples: number;
  readonly finalTestSamples: number;
  // Learned threshold
  readonly sigmaThreshold: number | null;
  readonly thresholdConfidence: number | null;
  // Predictor metrics (out-of-sample)
  readonly predictorAccuracy: number | null;
  readonly predictorPrecision: number | null;
  readonly predictorRecall: number | null;
  readonly predictorF1: number | null;
  readonly predictorAuc: number | null;
  /** Feature name → importance. */
  readonly featureImportance: Record<string, number> | null;
  // Profile statistics
  readonly sigmaMean: number | null;
  readonly sigmaStd: number | null;
  readonly sigmaP5: number | null;
  readonly sigmaP50: number | null;
  readonly sigmaP95: number | null;
  readonly errorMean: number | null;
  readonly errorStd: number | null;
  readonly passRate: number | null;
  readonly failRate: number | null;
  readonly avgFailPoints: number | null;
  readonly trackCorrelation: number | null;
  readonly specMargin: number | null;
  readonly difficultyScore: number | null;
  // Drift baselines and running state
  readonly driftBaselineMean: number | null;
  readonly driftBaselineStd: number | null;
  readonly driftBaselineP95: number | null;
  readonly cusumPos: number;
  readonly cusumNeg: number;
  readonly ewmaValue: number | null;
  readonly isDrifting: boolean;
  readonly driftDirection: DriftDirection | null;
  // Library extras
  /** `final_test` or `trim`: the label the learners used. */
  readonly labelSource: 'final_test' | 'trim' | null;
  /** Identifies this trained state (written to every track apply touches). */
  readonly stateVersion: string;
  /** JSON of the components' states (profile, threshold, drift, predictor summary); the forest is an artifact. */
  readonly componentsJson: string;
  /** Last error of a failed training, per model (`null` when the last training succeeded). */
  readonly lastError: string | null;
  readonly createdDate: Date;
  readonly updatedDate: Date;
}

/** The drift running state columns of a {@link ModelMLState}, which apply updates. */
export type DriftStateColumns = Pick<
  ModelMLState,
  'cusumPos' | 'cusumNeg' | 'ewmaValue' | 'isDrifting' | 'driftDirection' | 'componentsJson'
>;

/** One model's drift columns, for {@link MLRepository.updateDriftStates}. */
export interface DriftStateUpdate {
  readonly model: ModelName;
  readonly drift: DriftStateColumns;
}

/** A larger persisted object of a model, such as the forest JSON. */
export interface Artifact {
  readonly model: ModelName;
  /** e.g. `predictor`. */
  readonly kind: string;
  /** The `stateVersion` it belongs to. */
  readonly version: string;
  /** The serialized content (JSON text). */
  readonly content: string;
  readonly createdDate: Date;
}

/** One alert per model per drift episode. */
export interface DriftAlert {
  /** Assigned by the repository. */
  readonly id?: number;
  readonly model: ModelName;
  readonly direction: DriftDirection;
  /** Date of the sample where the signalling statistic last left zero (the estimated start). */
  readonly onsetDate: Date;
  /** Date of the sample that raised the alarm. */
  readonly detectedDate: Date;
  /** Shift size in baseline σ of log(sigma). */
  readonly sizeSigma: number;
  /** Which chart signalled. */
  readonly statistic: 'cusum' | 'ewma' | 'both';
  readonly acknowledged: boolean;
  readonly createdDate: Date;
}

/** A held lock; release it in `finally`. */
export interface LockHandle {
  /**
   * Releases the lock. Throws a `BusyError` if the lock was {@link LockHandle.lost | lost} while held (the run may
   * have interleaved with another).
   */
  release(): Promise<void>;
  /**
   * Aborted, with a `BusyError` as its reason, if the lock is lost while held: a lease-based lock whose holder was
   * blocked for longer than its lease while another process took it, or a lock connection that died. The manager
   * stops at its next batch. Optional: a lock that cannot be lost (or cannot tell) leaves it out.
   */
  readonly lost?: AbortSignal;
}

/** Options for batched reads. */
export interface BatchReadOptions {
  /** Rows per batch (a hint). Default 5,000. */
  readonly batchSize?: number;
}

/** Options for {@link MLRepository.readTracksForApply}. */
export interface ApplyReadOptions extends BatchReadOptions {
  /** Resume after this track id (exclusive). */
  readonly afterTrackResultId?: number;
}

/** A model to read with {@link MLRepository.readManyTrainingRecords}: its name and its size as a planning hint. */
export type ModelReadRequest = Pick<ModelSummary, 'model' | 'trimTracks'>;

/** Options for {@link MLRepository.readManyTrainingRecords}. */
export interface ManyTrainingReadOptions extends BatchReadOptions {
  /**
   * Small models are read together, about this many rows per query at most (by their `trimTracks` hint); a larger
   * model is read on its own in batches of `batchSize`. Default 20,000 (`DEFAULT_GROUP_ROWS`).
   */
  readonly groupRows?: number;
}

/** One batch of one model's training records, from {@link MLRepository.readManyTrainingRecords}. */
export interface ModelRecordsBatch {
  readonly model: ModelName;
  /**
   * The next records of the model, in (`fileDate`, `trackResultId`) order as {@link MLRepository.readTrainingRecords}
   * gives them; empty only for a model without records.
   */
  readonly records: TrainingRecord[];
  /** `true` on the model's last batch: every record of the model has been delivered. */
  readonly last: boolean;
  /**
   * Set on a model's last batch (then empty) when reading the model failed: its records delivered before are
   * incomplete and must be dropped. The read goes on with the next model, so one model's bad row never stops the
   * others.
   */
  readonly error?: Error;
}

/** One batch of one model's tracks, from {@link MLRepository.readManyTracksForApply}. */
export interface ModelTracksBatch {
  readonly model: ModelName;
  /** The next tracks of the model, in `trackResultId` order; empty only for a model without tracks. */
  readonly tracks: TrimTrack[];
  /** `true` on the model's last batch. */
  readonly last: boolean;
  /** As {@link ModelRecordsBatch.error}: reading this model failed; the others go on. */
  readonly error?: Error;
}

/** Options for {@link MLRepository.readTrainingRecords}. */
export interface TrainingReadOptions extends BatchReadOptions {
  /** Only records with `fileDate` strictly after this date. */
  readonly after?: Date;
}

/** The storage interface the manager needs. */
export interface MLRepository {
  /** Every model with its counts (trim tracks, linked FT outcomes, date range), by model name. */
  listModels(): Promise<ModelSummary[]>;
  /**
   * One model's trim tracks with their linked Final Test outcome (the newest linked FT track of the same track id,
   * or `null`), ordered by `fileDate` then `trackResultId`, in batches.
   */
  readTrainingRecords(model: ModelName, options?: TrainingReadOptions): AsyncIterable<TrainingRecord[]>;
  /**
   * Optional bulk form of {@link readTrainingRecords}, for reading many models with few queries (train-all's survey
   * reads every model). Yields each requested model's records as {@link readTrainingRecords} would, the models in
   * the order requested, each model's batches consecutive and its last one marked `last` (a model without records
   * yields one empty batch). Memory stays bounded by `groupRows` and `batchSize`. Repositories without it are read
   * model by model (`readTrainingRecordsOfModels` handles both). A model whose read fails ends with a batch
   * carrying the `error`; the others are still read.
   */
  readManyTrainingRecords?(models: readonly ModelReadRequest[], options?: ManyTrainingReadOptions): AsyncIterable<ModelRecordsBatch>;
  /** One model's trim tracks in `trackResultId` order, in batches, for apply. */
  readTracksForApply(model: ModelName, options?: ApplyReadOptions): AsyncIterable<TrimTrack[]>;
  /**
   * Optional bulk form of {@link readTracksForApply} (apply reads every model): each requested model's tracks as
   * {@link readTracksForApply} gives them, the models in the order requested, each model's batches consecutive and
   * its last one marked `last` (a model without tracks yields one empty batch), small models read together. Memory
   * stays bounded by `groupRows` and `batchSize`. A model whose read fails ends with a batch carrying the `error`.
   * Repositories without it are read model by model.
   */
  readManyTracksForApply?(models: readonly ModelReadRequest[], options?: ManyTrainingReadOptions): AsyncIterable<ModelTracksBatch>;
  /**
   * Optional, with {@link readUnappliedTracks} (incremental apply, `applyToDatabase({ only: 'pending' })`): every
   * model that has tracks with no result written yet (`ml_model_version` NULL), with the number of such tracks as
   * `trimTracks`, sorted by name in UTF-16 code-unit order. Should be served by an index, not by a scan of the track
   * table (the SQL adapters' migration `0002_unapplied_index` adds a partial index). Repositories without the pair
   * apply in full.
   */
  listModelsWithUnappliedTracks?(): Promise<ModelReadRequest[]>;
  /**
   * Optional: as {@link readManyTracksForApply}, but only the tracks with no result written yet (`ml_model_version`
   * NULL), each model's in `trackResultId` order.
   */
  readUnappliedTracks?(models: readonly ModelReadRequest[], options?: ManyTrainingReadOptions): AsyncIterable<ModelTracksBatch>;
  /** Writes one batch of track results in one transaction. */
  writeTrackResults(batch: readonly TrackResultWrite[]): Promise<void>;

  /** Saves a model's state and its artifacts atomically (one transaction), replacing the previous ones. */
  saveModel(state: ModelMLState, artifacts: readonly Omit<Artifact, 'createdDate'>[]): Promise<void>;
  /**
   * Updates only the drift running state columns of a model (after apply). Throws `StorageError` for a model without
   * a saved state.
   */
  updateDriftState(model: ModelName, drift: DriftStateColumns): Promise<void>;
  /**
   * Optional bulk form of {@link updateDriftState}: several models' drift columns in one transaction (apply updates
   * every model's; one statement instead of a round trip and a commit per model). All or nothing: a model without a
   * saved state fails the whole call with a `StorageError` naming it. Repositories without it are updated model by
   * model (`updateDriftStatesOf` handles both).
   */
  updateDriftStates?(updates: readonly DriftStateUpdate[]): Promise<void>;
  loadModelState(model: ModelName): Promise<ModelMLState | null>;
  listModelStates(): Promise<ModelMLState[]>;
  /**
   * Saves one artifact that belongs to no single model's state (the pooled forest is stored as model `*`, kind
   * `pooled_predictor`), replacing any previous artifact of the same (model, kind), in one transaction.
   */
  saveArtifact(artifact: Omit<Artifact, 'createdDate'>): Promise<void>;
  /** The newest artifact of that kind for the model (or of that exact version when given). */
  loadArtifact(model: ModelName, kind: string, version?: string): Promise<Artifact | null>;

  /**
   * Stores alerts, skipping any whose (model, direction, onsetDate) already exists; returns how many were new.
   */
  saveDriftAlerts(alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[]): Promise<number>;
  /**
   * Optional: stores one model's alerts (as {@link saveDriftAlerts}) and its drift columns (as
   * {@link updateDriftState}) in one transaction, both or neither, so that an alert never exists without the running
   * state that raised it. Returns how many alerts were new. Apply uses it for every model that raises an alert;
   * without it, the alerts are saved first and the state after (both validated first; `saveDriftAlertsWithState`
   * handles both).
   */
  saveDriftAlertsAndState?(alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[], update: DriftStateUpdate): Promise<number>;
  listDriftAlerts(filter?: { model?: ModelName; unacknowledgedOnly?: boolean }): Promise<DriftAlert[]>;
  acknowledgeDriftAlert(id: number): Promise<void>;

  /**
   * Takes the named lock (`train` or `apply`) or throws `BusyError` naming the holder. Released by the handle, and
   * automatically when the holder dies (PostgreSQL advisory lock; an expiring lock row on SQLite).
   */
  acquireLock(name: 'train' | 'apply', owner: string): Promise<LockHandle>;

  /** Releases connections the repository opened itself (not a host-provided Kysely instance). */
  close(): Promise<void>;
}

/** One track of a trim run, as the host's processing would insert it. */
export type HostTrackInput = Omit<TrimTrack, 'trackResultId' | 'trimResultId' | 'model' | 'serial' | 'fileDate'>;

/** One trim run (file) with its tracks. */
export interface HostTrimRunInput {
  readonly model: ModelName;
  readonly serial: string;
  readonly fileDate: Date;
  /** `A` (two tracks) / `B` (one track), as the host stores it. */
  readonly system: string | null;
  readonly tracks: readonly HostTrackInput[];
}

/** One Final Test record with its tracks. */
export interface HostFinalTestInput {
  readonly model: ModelName;
  readonly serial: string;
  readonly testDate: Date;
  /** The trim run it belongs to, where the host knows it (index into the ids `insertTrimRuns` returned is resolved by the caller). */
  readonly linkedTrimId: number | null;
  readonly tracks: readonly (Omit<FinalTestOutcome, 'finalTestId' | 'testDate'> & { readonly trackId: string })[];
}

/**
 * Writes host data (what the host app's processing does). Used by the demo, the synthetic generator, tests and
 * benchmarks; hosts never need it.
 */
export interface HostDataWriter {
  /** Inserts trim runs and their tracks in one transaction; returns the new trim run ids in input order. */
  insertTrimRuns(runs: readonly HostTrimRunInput[]): Promise<number[]>;
  /** Inserts Final Test records and their tracks in one transaction. */
  insertFinalTests(tests: readonly HostFinalTestInput[]): Promise<void>;
}
