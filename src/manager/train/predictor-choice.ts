/**
 * Which predictor serves a model: its own forest (trained here when it has enough Final-Test-labelled units of each
 * class and beats the pooled forest's out-of-bag Brier score on its units), the pooled forest, or none.
 *
 * @module
 */
import type { buildTrainingSetFromClean } from '../../core/dataset.js';
import { ModelPredictor } from '../../predictor/index.js';
import { brierScore, confusionMetrics, rocAuc } from '../../predictor/metrics.js';
import { reliabilityBins } from '../../predictor/reliability.js';
import type { PredictorChoice, ServingMetrics } from '../components-state.js';
import type { TrainingTier } from '../types.js';
import type { TrainModelInput } from './train-input.js';

/** Serving metrics from out-of-bag probabilities (accuracy etc. at 0.5). */
export function servingMetrics(probabilities: ArrayLike<number>, labels: ArrayLike<number>): ServingMetrics | null {
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const v = probabilities[i]!;
    if (Number.isFinite(v)) {
      p.push(v);
      y.push(labels[i]!);
    }
  }
  const positives = y.reduce((s, v) => s + v, 0);
  if (p.length < 10 || positives === 0 || positives === p.length) return null;
  const c = confusionMetrics(p, y, 0.5);
  return {
    accuracy: c.accuracy,
    precision: c.precision,
    recall: c.recall,
    f1: c.f1,
    auc: rocAuc(p, y),
    brier: brierScore(p, y),
    n: p.length,
    positives,
    evaluatedOn: 'oob',
    reliability: reliabilityBins(p, y),
  };
}

/** The predictor choice of a model in `tier`, and its own forest when that serves it. */
export function choosePredictor(
  input: TrainModelInput,
  set: ReturnType<typeof buildTrainingSetFromClean>,
  tier: TrainingTier,
): { choice: PredictorChoice; own: ModelPredictor | null } {
  const st = input.settings;
  const pooledMetrics = input.pooled
    ? servingMetrics(input.pooled.probabilities, input.pooled.labels)
    : (input.pooledMetricsFallback ?? null);
  const pooledExists = input.pooled !== null || input.pooledAvailable === true;
  const pooledChoice = (reason: string, alternative: ServingMetrics | null = null): Extract<PredictorChoice, { kind: 'pooled' }> => ({
    kind: 'pooled',
    reason,
    labelSource: 'final_test',
    featureNames: null,
    imputer: null,
    artifactKind: null,
    metrics: pooledMetrics,
    alternativeMetrics: alternative,
    featureImportance: null,
  });
  const classMin = Math.min(set.failures, set.rows - set.failures);
  const enough = set.rows >= st.minOwnPredictorSamples && classMin >= st.minOwnPredictorClassCount;
  if (tier === 'plant-backed') {
    const why = `plant-backed tier (${set.rows} labelled units; an own forest is trained only from ${st.minSamples} usable samples).`;
    if (pooledExists) return { choice: pooledChoice(`Pooled forest: ${why}`), own: null };
    return { choice: { ...pooledChoice(`No predictor: ${why} No pooled forest.`), kind: 'none', labelSource: null }, own: null };
  }
  if (set.label.source === 'trim' && pooledExists) {
    return { choice: pooledChoice(`Pooled forest: ${set.label.reason}`), own: null };
  }
  if (!enough) {
    const why = `${set.rows} labelled units with ${classMin} of the smaller class (own forest needs ${st.minOwnPredictorSamples} and ${st.minOwnPredictorClassCount}).`;
    if (pooledExists) return { choice: pooledChoice(`Pooled forest: ${why}`), own: null };
    return { choice: { ...pooledChoice(`No predictor: ${why} and no pooled forest.`), kind: 'none', labelSource: null }, own: null };
  }
  const own = new ModelPredictor(input.model, { forest: { seed: st.seed, nEstimators: st.trees } });
  const trained = own.train({ names: set.featureNames, data: set.X }, set.y, set.severity);
  if (!trained.trained) {
    if (pooledExists) return { choice: pooledChoice(`Pooled forest: own forest not trained (${trained.reason}).`), own: null };
    return {
      choice: { ...pooledChoice(`No predictor: own forest not trained (${trained.reason}).`), kind: 'none', labelSource: null },
      own: null,
    };
  }
  const oob = own.oobProbabilities;
  const ownMetrics = oob ? servingMetrics(oob, set.y) : null;
  const ownChoice: PredictorChoice = {
    kind: 'own',
    reason: '',
    labelSource: set.label.source,
    featureNames: [...set.featureNames],
    imputer: set.imputer.toState(),
    artifactKind: 'predictor',
    metrics: ownMetrics,
    alternativeMetrics: pooledMetrics,
    featureImportance: own.getFeatureImportance(),
  };
  if (pooledMetrics && ownMetrics && pooledMetrics.brier !== null && ownMetrics.brier !== null) {
    if (pooledMetrics.brier <= ownMetrics.brier) {
      return {
        choice: pooledChoice(
          `Pooled forest: out-of-bag Brier ${pooledMetrics.brier.toFixed(4)} ≤ own forest's ${ownMetrics.brier.toFixed(4)} on this model's ${ownMetrics.n} units.`,
          ownMetrics,
        ),
        own: null,
      };
    }
    return {
      choice: {
        ...ownChoice,
        reason: `Own forest: out-of-bag Brier ${ownMetrics.brier.toFixed(4)} < pooled ${pooledMetrics.brier.toFixed(4)} on this model's ${ownMetrics.n} units.`,
      },
      own,
    };
  }
  return {
    choice: { ...ownChoice, reason: `Own forest on ${set.rows} units (${set.label.source} label); no pooled comparison available.` },
    own,
  };
}
