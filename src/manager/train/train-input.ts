/**
 * The input of one model's training (`trainModelCore`): plain data, as it crosses to a worker thread.
 *
 * @module
 */
import type { LabelOptions } from '../../core/labels.js';
import type { ModelName, TrainingRecord } from '../../core/types.js';
import type { ModelProfilerState } from '../../profiler/index.js';
import type { PlantThresholdPrior, ThresholdEvidence } from '../../threshold/index.js';
import type { DriftBaselineEnd, ServingMetrics } from '../components-state.js';
import type { PooledOob } from '../pooled/pooled.js';
import type { ModelContext } from '../pooled/pooled-features.js';
import type { TrainingTier } from '../types.js';

/** Settings a worker needs (plain data: functions cannot cross a thread). */
export interface TrainSettings {
  readonly seed: number;
  readonly trees: number;
  readonly minSamples: number;
  /** The plant-backed tier's minimum in force (≤ `minSamples`). */
  readonly minPlantBackedSamples: number;
  readonly minOwnPredictorSamples: number;
  readonly minOwnPredictorClassCount: number;
  readonly minDriftBaseline: number;
  readonly labelOptions: LabelOptions;
}

/** Input of `trainModelCore`. */
export interface TrainModelInput {
  readonly model: ModelName;
  /** The model's records in date order. */
  readonly records: TrainingRecord[];
  /** Formula threshold of each record (computed by the caller, whose formula may be a host function). */
  readonly formula: Float64Array;
  readonly settings: TrainSettings;
  /** The tier to train in (default `own`): `plant-backed` never trains an own forest. */
  readonly tier?: TrainingTier;
  readonly context: ModelContext | null;
  /** `ModelProfiler.toState()` from the survey pass (with difficulty). */
  readonly profileState: ModelProfilerState | null;
  /** The pooled forest's out-of-bag probabilities on this model's units, if a pooled forest exists. */
  readonly pooled: PooledOob | null;
  /** Whether a pooled forest exists at all (it may have no out-of-bag rows for this model). */
  readonly pooledAvailable?: boolean;
  /**
   * The pooled forest's out-of-sample metrics on this model's units from the last train-all, for the own-vs-pooled
   * choice when the pooled forest was loaded rather than trained now (`trainModel`).
   */
  readonly pooledMetricsFallback?: ServingMetrics | null;
  /** The plant-wide threshold the model's own cut is blended with (`null`: the own cut alone, with its minimums). */
  readonly thresholdPrior?: PlantThresholdPrior | null;
  /** The model's own threshold evidence from the survey (same records and formula), to save its bootstrap. */
  readonly thresholdEvidence?: ThresholdEvidence | null;
  /**
   * The pooled forest's Final Test failure probability of each record (aligned with `records`, NaN where it could
   * not score one): the threshold's own cut then maximises the expected balanced accuracy against Final Test (see
   * {@link thresholdDataOf}); `thresholdEvidence`, when given, must have been computed with them. `null` / absent:
   * the labels alone.
   */
  readonly thresholdFailProbability?: Float64Array | null;
  /** Where the previous training's drift baseline ended: the baseline is kept (`null`: establish a new one). */
  readonly previousBaselineEnd?: DriftBaselineEnd | null;
  readonly trainingDate: Date;
  readonly stateVersion: string;
}
