/**
 * The JSON kept in `model_ml_state.components_json`: everything a model's components need to restore themselves
 * exactly, except the forest (an artifact, loaded lazily).
 *
 * @module
 */
import { StateVersionError } from '../core/errors.js';
import type { ExclusionCounts } from '../core/features.js';
import type { FeatureImputerState } from '../core/imputer.js';
import type { LabelChoice } from '../core/labels.js';
import type { LabelSource } from '../core/types.js';
import type { ModelContext } from './pooled/pooled-features.js';
import type { TrainingTier } from './types.js';
import type { ReliabilityBin } from '../predictor/reliability.js';
import type { ModelProfilerState } from '../profiler/index.js';
import type { ModelThresholdOptimizerState, ModelThresholdOptimizerStateV1, ThresholdResult } from '../threshold/index.js';
import { upgradeThresholdState } from '../threshold/model-threshold-optimizer.js';
import type { ModelDriftDetectorState } from '../drift/index.js';

/** Out-of-sample metrics of the predictor serving a model, on that model's units. */
export interface ServingMetrics {
  readonly accuracy: number | null;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly auc: number | null;
  readonly brier: number | null;
  /** Units the metrics were measured on (out-of-bag), and how many failed. */
  readonly n: number;
  readonly positives: number;
  readonly evaluatedOn: 'oob' | 'none';
  /**
   * The reliability diagram on the same out-of-sample predictions (10 equal-width bins, `reliabilityBins`); absent in
   * states trained before it was kept (retrain to get it).
   */
  readonly reliability?: readonly ReliabilityBin[];
}

/** What every {@link PredictorChoice} says: why, and how well the serving predictor does. */
interface PredictorChoiceFields {
  readonly reason: string;
  readonly metrics: ServingMetrics | null;
  /** The other candidate's metrics on the same units, when both were evaluated. */
  readonly alternativeMetrics: ServingMetrics | null;
}

/**
 * Which predictor serves the model, and why: a union on `kind`. An `own` forest carries what serving it needs (its
 * feature columns in order, the imputer, the artifact holding the forest, its impurity importances); the `pooled`
 * forest always learns Final Test; `none` serves no probability.
 */
export type PredictorChoice =
  | (PredictorChoiceFields & {
      readonly kind: 'own';
      /** The label the own forest learned. */
      readonly labelSource: LabelSource;
      /** Feature columns of the own forest, in order. */
      readonly featureNames: string[];
      readonly imputer: FeatureImputerState;
      /** Artifact kind holding the forest. */
      readonly artifactKind: 'predictor';
      /** Impurity importances of the own forest. */
      readonly featureImportance: Record<string, number>;
    })
  | (PredictorChoiceFields & {
      readonly kind: 'pooled';
      readonly labelSource: 'final_test';
      readonly featureNames: null;
      readonly imputer: null;
      readonly artifactKind: null;
      readonly featureImportance: null;
    })
  | (PredictorChoiceFields & {
      readonly kind: 'none';
      readonly labelSource: null;
      readonly featureNames: null;
      readonly imputer: null;
      readonly artifactKind: null;
      readonly featureImportance: null;
    });

/** Where the drift baseline ends: apply monitors records after it. */
export interface DriftBaselineEnd {
  /** ISO date of the last baseline record. */
  readonly fileDate: string;
  readonly trackResultId: number;
  readonly samples: number;
}

/** Whether drift monitoring started at the last training, and if not, what it waits for. */
export interface DriftMonitoring {
  readonly monitoring: boolean;
  /** Units in the model's clean history at training (one value per unit, see drift-series.ts). */
  readonly units: number;
  /**
   * More units the model needs before a baseline can start (`minDriftBaseline` in the baseline and one to monitor);
   * `null` when monitoring, or when the history was long enough but the detector refused the baseline (`reason`).
   */
  readonly unitsNeeded: number | null;
  /** Why monitoring has not started (`null` when monitoring). */
  readonly reason: string | null;
}

/**
 * Where the stored drift state (`driftCurrent`) stands, so that an incremental apply can continue it over new units
 * (see docs/apply.md): the last unit it has seen and the largest trim run id among the tracks applied.
 */
export interface DriftThrough {
  /** The last unit of the series the state has seen (ISO date and first track id); `null`: none yet. */
  readonly lastUnit: { readonly fileDate: string; readonly firstTrackResultId: number } | null;
  /**
   * The largest trim run id among the model's applied tracks (`null`: none). A new track of a trim run at or below
   * it may belong to a unit the state has already seen, so the drift is replayed from the baseline.
   */
  readonly maxTrimResultId: number | null;
}

/** The persisted components of one model. */
export interface ComponentsState {
  readonly kind: 'ModelComponents';
  readonly version: 1;
  readonly context: ModelContext | null;
  readonly training: {
    readonly rowsRead: number;
    readonly samples: number;
    readonly excluded: ExclusionCounts | null;
    readonly label: LabelChoice | null;
    readonly minSamples: number;
    /** The plant-backed tier's minimum in force (absent in states saved before tiers: `minSamples`). */
    readonly minPlantBackedSamples?: number;
    /** The tier of a trained model (absent in states saved before tiers: `own`; `null` when untrained). */
    readonly tier?: TrainingTier | null;
    /** Drift monitoring at training (absent in states saved before this field). */
    readonly drift?: DriftMonitoring;
    readonly message: string;
    readonly durationMs: number;
  };
  /** `ModelProfiler.toState()` (`null`: the model could not be surveyed). */
  readonly profile: ModelProfilerState | null;
  /**
   * `ModelThresholdOptimizer.toState()` (`null`: the formula; a version-1 state in states saved before the plant-wide
   * read it with {@link storedThresholdResult}).
   */
  readonly threshold: ModelThresholdOptimizerState | ModelThresholdOptimizerStateV1 | null;
  /** `ModelDriftDetector.toState()` right after the baseline (apply replays from here); `null`: no drift baseline. */
  readonly driftBaseline: ModelDriftDetectorState | null;
  /** `ModelDriftDetector.toState()` after the last apply (`null` until the first apply after a training). */
  readonly driftCurrent: ModelDriftDetectorState | null;
  readonly driftBaselineEnd: DriftBaselineEnd | null;
  /** Where `driftCurrent` stands (written by apply with it; absent before the first apply of this version). */
  readonly driftThrough?: DriftThrough | null;
  readonly predictor: PredictorChoice;
}

/**
 * The threshold result of a stored state (`null`: none, the formula), a version-1 state (saved before the plant-wide
 * blend) read as version 2, as `ModelThresholdOptimizer.fromState` reads it.
 */
export function storedThresholdResult(c: ComponentsState | null): ThresholdResult | null {
  return c?.threshold ? upgradeThresholdState(c.threshold).result : null;
}

/** The tier of a stored state: the recorded one, else `own` for a trained state saved before tiers existed. */
export function tierOf(isTrained: boolean, c: ComponentsState | null): TrainingTier | null {
  if (!isTrained) return null;
  return c?.training.tier ?? 'own';
}

/** Parses and checks `componentsJson`. */
export function parseComponents(json: string, model: string): ComponentsState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new StateVersionError(`The stored state of model ${JSON.stringify(model)} is not valid JSON; retrain the model.`, { cause: e });
  }
  const c = parsed as Partial<ComponentsState>;
  if (c?.kind !== 'ModelComponents' || c.version !== 1) {
    throw new StateVersionError(
      `The stored state of model ${JSON.stringify(model)} has kind ${String(c?.kind)} v${String(c?.version)}; this version of laser-trim-ml reads ModelComponents v1. Retrain the model.`,
    );
  }
  return c as ComponentsState;
}
