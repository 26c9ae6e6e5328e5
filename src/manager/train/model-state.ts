/**
 * The `model_ml_state` row of a model, built in one place ({@link modelMLState}) for a trained model
 * (`trainModelCore`) and an untrained one ({@link untrainedState}: too few samples, or a failure).
 *
 * @module
 */
import { InsufficientDataError } from '../../core/errors.js';
import type { ExclusionCounts } from '../../core/features.js';
import type { LabelSource, ModelName } from '../../core/types.js';
import { ModelProfiler, type ModelProfilerState, type ProfileColumns } from '../../profiler/index.js';
import type { ModelThresholdOptimizerState, ThresholdResult } from '../../threshold/index.js';
import type { ModelMLState } from '../../storage/repository.js';
import type { ComponentsState, ServingMetrics } from '../components-state.js';
import type { ModelContext } from '../pooled/pooled-features.js';
import type { Artifact } from '../../storage/repository.js';
import type { TrainingResult } from '../types.js';

/** Output of `trainModelCore` and {@link untrainedState}. */
export interface TrainModelOutput {
  readonly state: ModelMLState;
  readonly artifacts: Omit<Artifact, 'createdDate'>[];
  readonly result: Omit<TrainingResult, 'durationMs' | 'error'>;
}

/** The profile columns of a model without a usable profile. */
const NO_PROFILE: ProfileColumns = {
  sigmaMean: null,
  sigmaStd: null,
  sigmaP5: null,
  sigmaP50: null,
  sigmaP95: null,
  errorMean: null,
  errorStd: null,
  passRate: null,
  failRate: null,
  avgFailPoints: null,
  trackCorrelation: null,
  specMargin: null,
  difficultyScore: null,
};

/** What a model's state row is made of; every column of {@link ModelMLState} follows from it. */
export interface ModelStateParts {
  readonly model: ModelName;
  readonly isTrained: boolean;
  readonly trainingDate: Date;
  readonly trainingSamples: number;
  readonly trimSamples: number;
  readonly finalTestSamples: number;
  /** The threshold result: its cut is the model's `sigmaThreshold` where it is learned (`null`: the formula). */
  readonly threshold: ThresholdResult | null;
  /** The serving predictor's out-of-sample metrics (`null`: none). */
  readonly metrics: ServingMetrics | null;
  readonly featureImportance: Record<string, number> | null;
  /** `null`: no usable profile (every profile column NULL). */
  readonly profile: ProfileColumns | null;
  /** The drift baseline's statistics (`null`: no drift baseline). */
  readonly driftBaseline: { readonly mean: number | null; readonly std: number | null; readonly p95: number | null } | null;
  readonly labelSource: LabelSource | null;
  readonly stateVersion: string;
  readonly components: ComponentsState;
  readonly lastError: string | null;
}

/**
 * The state row of a freshly trained (or saved untrained) model: the drift running state starts from the baseline
 * (CUSUM sums 0, no EWMA value, not drifting) and the row is created and updated at the training date.
 */
export function modelMLState(p: ModelStateParts): ModelMLState {
  const learned = p.threshold?.learned === true ? p.threshold : null;
  const m = p.metrics;
  return {
    model: p.model,
    isTrained: p.isTrained,
    trainingDate: p.trainingDate,
    trainingSamples: p.trainingSamples,
    trimSamples: p.trimSamples,
    finalTestSamples: p.finalTestSamples,
    sigmaThreshold: learned ? learned.threshold : null,
    thresholdConfidence: learned ? learned.confidence : null,
    predictorAccuracy: m?.accuracy ?? null,
    predictorPrecision: m?.precision ?? null,
    predictorRecall: m?.recall ?? null,
    predictorF1: m?.f1 ?? null,
    predictorAuc: m?.auc ?? null,
    featureImportance: p.featureImportance,
    ...(p.profile ?? NO_PROFILE),
    driftBaselineMean: p.driftBaseline?.mean ?? null,
    driftBaselineStd: p.driftBaseline?.std ?? null,
    driftBaselineP95: p.driftBaseline?.p95 ?? null,
    cusumPos: 0,
    cusumNeg: 0,
    ewmaValue: null,
    isDrifting: false,
    driftDirection: null,
    labelSource: p.labelSource,
    stateVersion: p.stateVersion,
    componentsJson: JSON.stringify(p.components),
    lastError: p.lastError,
    createdDate: p.trainingDate,
    updatedDate: p.trainingDate,
  };
}

/** Profile columns of the state row. */
export function profileColumns(profileState: ModelProfilerState | null, model: ModelName): ProfileColumns {
  const profiler = profileState === null ? null : ModelProfiler.fromState(profileState);
  if (!profiler?.isBuilt) throw new InsufficientDataError(`Model ${JSON.stringify(model)} has no profile.`);
  return profiler.toColumns();
}

/** An untrained state (too few samples, or a failure), so that the status table and the pooled forest know the model. */
// ~90 lines, most of them the three literals an untrained model is saved as (its components, its state row through
// modelMLState, its result): split, they would only pass the same fields around.
export function untrainedState(a: {
  model: ModelName;
  rowsRead: number;
  samples: number;
  finalTestSamples: number;
  minSamples: number;
  /** The plant-backed tier's minimum in force (default `minSamples`: one tier). */
  minPlantBackedSamples?: number;
  context: ModelContext | null;
  profileState: ModelProfilerState | null;
  trainingDate: Date;
  stateVersion: string;
  message: string;
  error: string | null;
  /** The threshold learned for the model from the plant-wide threshold and its few outcomes (`null`: the formula). */
  threshold?: ModelThresholdOptimizerState | null;
  /** Rows excluded by hygiene, by reason (from the survey), where known. */
  excluded?: ExclusionCounts | null;
}): TrainModelOutput {
  const t: ThresholdResult | null = a.threshold?.result ?? null;
  const learnedThreshold = t?.learned ? t.threshold : null;
  const components: ComponentsState = {
    kind: 'ModelComponents',
    version: 1,
    context: a.context,
    training: {
      rowsRead: a.rowsRead,
      samples: a.samples,
      excluded: a.excluded ?? null,
      label: null,
      minSamples: a.minSamples,
      minPlantBackedSamples: a.minPlantBackedSamples ?? a.minSamples,
      tier: null,
      message: a.message,
      durationMs: 0,
    },
    profile: a.profileState,
    threshold: a.threshold ?? null,
    driftBaseline: null,
    driftCurrent: null,
    driftBaselineEnd: null,
    predictor: {
      kind: 'pooled',
      reason: 'Untrained model: the pooled forest serves it where one exists.',
      labelSource: 'final_test',
      featureNames: null,
      imputer: null,
      artifactKind: null,
      metrics: null,
      alternativeMetrics: null,
      featureImportance: null,
    },
  };
  let profile: ProfileColumns | null;
  try {
    profile = profileColumns(a.profileState, a.model);
  } catch {
    profile = null;
  }
  const state = modelMLState({
    model: a.model,
    isTrained: false,
    trainingDate: a.trainingDate,
    trainingSamples: a.samples,
    trimSamples: a.samples,
    finalTestSamples: a.finalTestSamples,
    threshold: t,
    metrics: null,
    featureImportance: null,
    profile,
    driftBaseline: null,
    labelSource: null,
    stateVersion: a.stateVersion,
    components,
    lastError: a.error,
  });
  return {
    state,
    artifacts: [],
    result: {
      model: a.model,
      status: a.error ? 'failed' : 'skipped',
      tier: null,
      message: a.message,
      rowsRead: a.rowsRead,
      samples: a.samples,
      excluded: a.excluded ?? null,
      label: null,
      sigmaThreshold: learnedThreshold,
      thresholdConfidence: learnedThreshold !== null ? t!.confidence : null,
      predictorKind: 'pooled',
      predictorAuc: null,
      driftBaselineSamples: 0,
    },
  };
}
