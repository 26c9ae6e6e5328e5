/**
 * What apply knows of one model (its {@link ApplyPlan}), of the run ({@link ApplyContext}), and what it computes of
 * one track ({@link trackResultOf}, {@link driftPointOf}): shared by the pipeline, the drift replay at a model's end
 * and the façade's `scoreTracks`.
 *
 * @module
 */
import { emptyExclusionCounts, exclusionReason } from '../../core/features.js';
import type { FormulaThresholdFn } from '../../core/formula.js';
import type { ModelName, TrimTrack } from '../../core/types.js';
import type { ModelDriftDetectorState } from '../../drift/index.js';
import type {
  DriftAlert,
  DriftDirection,
  DriftStateColumns,
  MLRepository,
  ModelMLState,
  TrackResultWrite,
} from '../../storage/repository.js';
import type { ComponentsState, DriftThrough } from '../components-state.js';
import type { DriftPoint } from '../drift-series.js';
import type { BatchWriter } from '../runtime/batch-writer.js';
import type { TrackScorer } from '../scorer.js';
import { riskCategoryOf, type ApplyModelResult, type PredictorKind } from '../types.js';
import type { TrackSource } from './track-source.js';

/**
 * Replays drift over a model's post-baseline series, from the baseline's detector state or from `from` (a stored
 * `ModelDriftDetector` state that has seen the units before the series); returns the alerts and the final state.
 */
export type DriftReplay = (
  series: { dates: Date[]; sigma: Float64Array },
  from?: ModelDriftDetectorState,
) => {
  alerts: Omit<DriftAlert, 'id' | 'createdDate'>[];
  isDrifting: boolean;
  direction: DriftDirection | null;
  cusumPos: number;
  cusumNeg: number;
  ewmaValue: number | null;
  stateJson: ModelDriftDetectorState;
};

/** What apply needs to know of one model. */
export interface ApplyPlan {
  readonly model: ModelName;
  readonly state: ModelMLState | null;
  readonly learnedThreshold: number | null;
  readonly scorer: TrackScorer | null;
  readonly predictorKind: PredictorKind;
  /** Records strictly after this (date, id) feed drift detection; `null`: no drift for this model. */
  readonly driftAfter: { readonly date: Date; readonly trackResultId: number } | null;
  readonly driftReplay: DriftReplay | null;
  readonly version: string;
  /** Which tracks the plan reads and writes: all of the model's, or only those without a result (incremental). */
  readonly scope: 'all' | 'pending';
  /** Incremental apply: the stored drift state to continue and where it stands; `null`: replay from the baseline. */
  readonly driftFrom: { readonly state: ModelDriftDetectorState; readonly through: DriftThrough } | null;
  /** Incremental apply: why this model is applied in full (`null` otherwise). */
  readonly fullReason: string | null;
  /** The state's parsed components (`null` without a state); not modified. */
  readonly components: ComponentsState | null;
}

/** Context of one apply run. */
export interface ApplyContext {
  readonly repository: MLRepository;
  readonly formula: FormulaThresholdFn;
  readonly riskCutoffs: { readonly medium: number; readonly high: number };
  readonly batchSize: number;
  readonly signal: AbortSignal | undefined;
  /** Where the track results go (batched across models, one transaction per batch). */
  readonly writer: BatchWriter;
  /** Where each model's tracks come from (opened in plan order). */
  readonly tracks: TrackSource;
}

/** One model's progress through the pipeline. */
export class ModelRun {
  tracks = 0;
  learned = 0;
  formula = 0;
  withProbability = 0;
  /** Tracks hygiene excludes, by reason (they get the threshold, but no sigma_pass, probability or drift point). */
  excluded = emptyExclusionCounts();
  driftPoints: DriftPoint[] = [];
  /** The largest trim run id among the tracks read (`-Infinity`: none). */
  maxTrimResultId = Number.NEGATIVE_INFINITY;
  error: unknown = null;
  constructor(readonly plan: ApplyPlan) {}
}

/** The result of one model, with the drift columns it updated. */
export type AppliedModel = ApplyModelResult & { driftUpdate: DriftStateColumns | null };

/**
 * The result columns of one track under a plan: the learned threshold (else the formula), `sigma_pass`, the
 * probability and its risk category. What apply writes and `scoreTracks` returns.
 */
export function trackResultOf(
  plan: Pick<ApplyPlan, 'learnedThreshold' | 'version'>,
  t: TrimTrack,
  probability: number,
  formula: FormulaThresholdFn,
  riskCutoffs: { readonly medium: number; readonly high: number },
  usable = exclusionReason(t) === null,
): TrackResultWrite {
  const threshold = plan.learnedThreshold ?? formula(t);
  const p = usable && Number.isFinite(probability) ? probability : null;
  return {
    trackResultId: t.trackResultId,
    sigmaThreshold: threshold,
    sigmaPass: usable ? t.sigmaGradient! <= threshold : null,
    failureProbability: p,
    riskCategory: riskCategoryOf(p, riskCutoffs),
    mlModelVersion: plan.version,
  };
}

/** The drift point of a track: usable and after the model's baseline; else `null`. */
export function driftPointOf(plan: ApplyPlan, t: TrimTrack, usable = exclusionReason(t) === null): DriftPoint | null {
  const after = plan.driftAfter;
  if (after === null || !usable) return null;
  const time = t.fileDate.getTime();
  const at = after.date.getTime();
  if (time < at || (time === at && t.trackResultId <= after.trackResultId)) return null;
  return { trimResultId: t.trimResultId, trackResultId: t.trackResultId, fileDate: t.fileDate, sigma: t.sigmaGradient! };
}
