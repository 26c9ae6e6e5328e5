/**
 * Trains one model's threshold, drift baseline and predictor from its records, and assembles its
 * `model_ml_state` row. Pure (no I/O): it runs in a worker thread or in the caller's thread alike.
 *
 * Minimums (each component falls back on its own when it cannot learn):
 * - the model: `minSamples` clean samples (default 50) for the `own` tier; from `minPlantBackedSamples` (default 10)
 *   to `minSamples` the `plant-backed` tier (the same training, except that the pooled forest always serves it: see
 *   docs/what-it-learns.md, "Training tiers"); below that it is saved as untrained ("need N more");
 * - threshold: see {@link ModelThresholdOptimizer} (30 samples, 5 failures and 5 passes by default), else the formula;
 * - drift: `minDriftBaseline` units in the baseline (default 30); drift watches one value per unit (the geometric
 *   mean sigma of its tracks); the baseline is the first 30% of the model's clean units in date order, at least
 *   `minDriftBaseline` and at most 500 units, established at the first
 *   training and kept by later ones (unless `rebaselineDrift`);
 * - own predictor: `minOwnPredictorSamples` Final-Test-labelled units (default 200) with `minOwnPredictorClassCount`
 *   (default 20) of each class; below that the pooled forest serves the model.
 *
 * @module
 */
import { buildTrainingSetFromClean, cleanTrainingRecords } from '../../core/dataset.js';
import { failPointsOf, labelOf } from '../../core/labels.js';
import type { LabelSource, TrainingRecord } from '../../core/types.js';
import { ModelThresholdOptimizer, type ThresholdData } from '../../threshold/index.js';
import type { Artifact } from '../../storage/repository.js';
import type { ComponentsState } from '../components-state.js';
import type { TrainingTier } from '../types.js';
import { driftBaselineOf } from './drift-baseline.js';
import { modelMLState, profileColumns, type TrainModelOutput } from './model-state.js';
import { choosePredictor } from './predictor-choice.js';
import type { TrainModelInput } from './train-input.js';

export type { TrainModelOutput } from './model-state.js';
export type { TrainModelInput, TrainSettings } from './train-input.js';
export { driftMonitoringOf } from './drift-baseline.js';
export { servingMetrics } from './predictor-choice.js';

/**
 * The threshold's data of one model: every clean unit with an outcome, Final Test where linked, trim linearity
 * otherwise (fail points of that outcome for the severity), with its formula threshold and date.
 *
 * With `failProbability` (the pooled forest's probability of failing Final Test, NaN where unknown) every unit's
 * probability goes to `ThresholdData.failProbability`, linked or not (the forest's probability, an expectation, gave
 * better thresholds than the observed outcome of the linked units: docs/thresholds.md); a unit without a label is
 * still left out.
 *
 * @param clean - the model's clean records (`cleanTrainingRecords`), in date order.
 * @param labelSource - the model's label choice (reported with the threshold).
 */
export function thresholdDataOf(
  clean: readonly TrainingRecord[],
  formula: (r: TrainingRecord) => number,
  labelSource: LabelSource,
  failProbability?: (r: TrainingRecord) => number,
): ThresholdData {
  const tSigma: number[] = [];
  const tFail: number[] = [];
  const tFp: number[] = [];
  const tFormula: number[] = [];
  const tDates: Date[] = [];
  const tProb: number[] = [];
  for (const r of clean) {
    const ft = labelOf(r, 'final_test');
    const source: LabelSource = ft !== null ? 'final_test' : 'trim';
    const y = ft ?? labelOf(r, 'trim');
    if (y === null) continue;
    if (failProbability) tProb.push(failProbability(r));
    tSigma.push(r.sigmaGradient!);
    tFail.push(y);
    tFp.push(y === 1 ? (failPointsOf(r, source) ?? Number.NaN) : 0);
    tFormula.push(formula(r));
    tDates.push(r.fileDate);
  }
  return {
    sigma: Float64Array.from(tSigma),
    fail: Uint8Array.from(tFail),
    labelSource,
    failPoints: Float64Array.from(tFp),
    formulaThreshold: Float64Array.from(tFormula),
    dates: tDates,
    ...(failProbability ? { failProbability: Float64Array.from(tProb) } : {}),
  };
}

/** Trains one model. Throws {@link InsufficientDataError} when nothing is usable. */
// ~95 lines that read as the design's steps for one model (threshold, drift baseline, predictor, then the saved
// components, state row and result); the three literals at the end are most of it.
export function trainModelCore(input: TrainModelInput): TrainModelOutput {
  const t0 = Date.now();
  const { model, settings: st } = input;
  const clean = cleanTrainingRecords(input.records);
  const set = buildTrainingSetFromClean(clean, st.labelOptions);
  const formulaById = new Map<number, number>();
  input.records.forEach((r, i) => formulaById.set(r.trackResultId, input.formula[i]!));

  const optimizer = new ModelThresholdOptimizer(model, { seed: st.seed });
  const pById = new Map<number, number>();
  const probs = input.thresholdFailProbability ?? null;
  if (probs) input.records.forEach((r, i) => pById.set(r.trackResultId, probs[i]!));
  const threshold = optimizer.calculateThreshold(
    thresholdDataOf(
      clean.records,
      (r) => formulaById.get(r.trackResultId)!,
      set.label.source,
      probs ? (r) => pById.get(r.trackResultId) ?? Number.NaN : undefined,
    ),
    input.thresholdPrior ?? null,
    input.thresholdEvidence,
  );

  const { drift, driftOk, baselineEnd, driftMonitoring } = driftBaselineOf(
    model,
    clean.records,
    input.previousBaselineEnd ?? null,
    st.minDriftBaseline,
  );

  // Predictor.
  const tier: TrainingTier = input.tier ?? 'own';
  const predictor = choosePredictor(input, set, tier);
  const artifacts: Omit<Artifact, 'createdDate'>[] = [];
  if (predictor.own) {
    artifacts.push({ model, kind: 'predictor', version: input.stateVersion, content: JSON.stringify(predictor.own.toState()) });
  }
  const m = predictor.choice.metrics;
  const profile = profileColumns(input.profileState, model);
  const driftState = driftOk ? drift.toState() : null;
  const components: ComponentsState = {
    kind: 'ModelComponents',
    version: 1,
    context: input.context,
    training: {
      rowsRead: input.records.length,
      samples: clean.records.length,
      excluded: set.excluded,
      label: set.label,
      minSamples: st.minSamples,
      minPlantBackedSamples: st.minPlantBackedSamples,
      tier,
      drift: driftMonitoring,
      message: [
        ...(tier === 'plant-backed' ? [`Plant-backed: ${clean.records.length} usable samples (own training needs ${st.minSamples}).`] : []),
        threshold.message,
        predictor.choice.reason,
        ...(driftMonitoring.reason !== null ? [driftMonitoring.reason] : []),
      ].join(' '),
      durationMs: Date.now() - t0,
    },
    profile: input.profileState,
    threshold: optimizer.toState(),
    driftBaseline: driftState,
    driftCurrent: null, // the state after the last apply; none yet (apply replays from driftBaseline)
    driftBaselineEnd: baselineEnd,
    predictor: predictor.choice,
  };
  const state = modelMLState({
    model,
    isTrained: true,
    trainingDate: input.trainingDate,
    trainingSamples: clean.records.length,
    trimSamples: clean.records.filter((r) => r.linearityPass !== null).length,
    finalTestSamples: clean.records.filter((r) => labelOf(r, 'final_test') !== null).length,
    threshold,
    metrics: m,
    featureImportance: predictor.choice.featureImportance,
    profile,
    driftBaseline: driftOk ? { mean: drift.baselineMean, std: drift.baselineStd, p95: drift.baselineP95 } : null,
    labelSource: set.label.source,
    stateVersion: input.stateVersion,
    components,
    lastError: null,
  });
  return {
    state,
    artifacts,
    result: {
      model,
      status: 'trained',
      tier,
      message: components.training.message,
      rowsRead: input.records.length,
      samples: clean.records.length,
      excluded: set.excluded,
      label: set.label,
      sigmaThreshold: state.sigmaThreshold,
      thresholdConfidence: state.thresholdConfidence,
      predictorKind: predictor.choice.kind,
      predictorAuc: state.predictorAuc,
      driftBaselineSamples: baselineEnd?.samples ?? 0,
    },
  };
}
