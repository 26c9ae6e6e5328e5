/**
 * laser-trim-ml: per-model machine learning for laser-trim potentiometer plants.
 *
 * Start with {@link MLManager} over a repository ({@link createSqliteRepository}, {@link createPostgresRepository},
 * {@link createMemoryRepository}, or your own {@link MLRepository}). The four per-model components
 * ({@link ModelProfiler}, {@link ModelPredictor}, {@link ModelThresholdOptimizer}, {@link ModelDriftDetector}) are
 * pure classes with versioned JSON state, usable on their own. Synthetic plant data lives in the
 * `laser-trim-ml/synthetic` subpath; the numerics (distributions, ARL calculators and chart design, metrics) in
 * `laser-trim-ml/stats`; charts and the HTML plant report in `laser-trim-ml/report`.
 *
 * Every name is listed here on purpose: `test/public-api.test.ts` pins the list, so a new export is a decision.
 * Nested result and saved-state shapes that are not listed are reachable as indexed types, e.g.
 * `ModelProfile['sigma']` or `ThresholdResult['heldOut']`.
 *
 * @packageDocumentation
 */

// The orchestrator: the two-step workflow (train all models, apply to the database) and its queries.
export { MLManager } from './manager/ml-manager.js';
export type { ResolvedManagerOptions } from './manager/options.js';
export type {
  ApplyModelResult,
  ApplyOptions,
  ApplyResult,
  MLManagerOptions,
  PredictorKind,
  ProgressCallback,
  ProgressEvent,
  TrainAllOptions,
  TrainAllResult,
  TrainingResult,
  TrainingStatus,
  TrainingStatusRow,
  PooledSummary,
} from './manager/types.js';
export type { CrossModelInsights, CrossModelRow, MLInsight, ModelInsights } from './manager/insights.js';
export type { BatchEffects, QualityTrend, TimeBin } from './insights/time-trends.js';

// The domain words and records.
export type {
  DriftDirection,
  FinalTestOutcome,
  LabelSource,
  ModelName,
  ModelSummary,
  RiskCategory,
  TrainingRecord,
  TrimTrack,
} from './core/types.js';
export type { LabelOptions } from './core/labels.js';
export type { ExclusionCounts } from './core/features.js';
export { formulaThreshold, type FormulaThresholdFn } from './core/formula.js';

// The storage seam (implement MLRepository for your own database) and the adapters that ship.
export type {
  ApplyReadOptions,
  Artifact,
  BatchReadOptions,
  DriftAlert,
  DriftStateColumns,
  DriftStateUpdate,
  HostDataWriter,
  HostFinalTestInput,
  HostTrackInput,
  HostTrimRunInput,
  LockHandle,
  ManyTrainingReadOptions,
  MLRepository,
  ModelMLState,
  ModelReadRequest,
  ModelRecordsBatch,
  ModelTracksBatch,
  TrackResultWrite,
  TrainingReadOptions,
} from './storage/repository.js';
export type { FinalTestLinking } from './storage/options.js';
export { createMemoryRepository, type MemoryRepository, type MemoryRepositoryOptions } from './storage/memory/memory-repository.js';
export type { KyselyRepository, KyselyRepositoryOptions } from './storage/kysely/kysely-repository.js';
export { createSqliteRepository, type SqliteSource } from './storage/kysely/sqlite.js';
export { createPostgresRepository, type PostgresSource } from './storage/kysely/postgres.js';
export type { HostColumn, HostTable, SchemaMapping } from './storage/kysely/mapping.js';
export { createReferenceSchema } from './storage/kysely/reference-schema.js';
export { migrateDown, migrateToLatest, type MigrationOptions, type MigrationReport } from './storage/kysely/migrations.js';
export type { ArtifactStore } from './storage/artifacts/artifact-store.js';
export { createFileArtifactStore } from './storage/artifacts/file-artifact-store.js';

// The four per-model components.
export { ModelProfiler, type ModelProfilerState } from './profiler/model-profiler.js';
export type { ProfileOptions } from './profiler/build-profile.js';
export type { Insight, InsightKind, InsightSeverity, ModelProfile } from './profiler/types.js';

export { ModelPredictor, type PredictorFeatures } from './predictor/model-predictor.js';
export type { ModelPredictorOptions, ModelPredictorState, PredictorMetrics, PredictorTrainingResult } from './predictor/predictor-types.js';
export type { RandomForestParams } from './predictor/forest/params.js';

export { ModelThresholdOptimizer } from './threshold/model-threshold-optimizer.js';
export type {
  ModelThresholdOptimizerState,
  PlantThresholdPrior,
  ThresholdData,
  ThresholdEvidence,
  ThresholdObjective,
  ThresholdOptions,
  ThresholdReason,
  ThresholdResult,
  ThresholdSource,
} from './threshold/types.js';

export { ModelDriftDetector } from './drift/model-drift-detector.js';
export type {
  DriftEpisode,
  DriftResult,
  DriftScore,
  DriftStatistic,
  ModelDriftDetectorOptions,
  ModelDriftDetectorParams,
  ModelDriftDetectorState,
} from './drift/types.js';

// Errors: every error the library throws on purpose; compare with `instanceof`.
export {
  AbortedError,
  BusyError,
  DiskFullError,
  InsufficientDataError,
  InvalidInputError,
  LaserTrimMLError,
  MissingDependencyError,
  NotTrainedError,
  SchemaMappingError,
  SchemaMissingError,
  StateVersionError,
  StorageError,
  type LaserTrimMLErrorCode,
} from './core/errors.js';
