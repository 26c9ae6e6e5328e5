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
import { failPointsOf, labelOf, type LabelOptions } from '../../core/labels.js';
import type { LabelSource, ModelName, TrainingRecord } from '../../core/types.js';
import { ModelDriftDetector, unitsPerYearOf } from '../../drift/index.js';
import { ModelPredictor } from '../../predictor/index.js';
import { brierScore, confusionMetrics, rocAuc } from '../../predictor/metrics.js';
import type { ModelProfilerState } from '../../profiler/index.js';
import { ModelThresholdOptimizer, type PlantThresholdPrior, type ThresholdData, type ThresholdEvidence } from '../../threshold/index.js';
import type { Artifact } from '../../storage/repository.js';
import { modelMLState, profileColumns, type TrainModelOutput } from './model-state.js';

export type { TrainModelOutput } from './model-state.js';
import type { ComponentsState, DriftBaselineEnd, DriftMonitoring, PredictorChoice, ServingMetrics } from '../components-state.js';
import type { PooledOob } from '../pooled/pooled.js';
import type { ModelContext } from '../pooled/pooled-features.js';
import { unitSeries } from '../drift-series.js';
import type { TrainingTier } from '../types.js';
import { reliabilityBins } from '../../predictor/reliability.js';

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

/** Input of {@link trainModelCore}. */
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
    tFp.push(y === 1 ? failPointsOf(r, source) ?? Number.NaN : 0);
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
    thresholdDataOf(clean.records, (r) => formulaById.get(r.trackResultId)!, set.label.source, probs ? (r) => pById.get(r.trackResultId) ?? Number.NaN : undefined),
    input.thresholdPrior ?? null,
    input.thresholdEvidence,
  );

  // Drift baseline: kept from the previous training when there is one (control limits are frozen after they are
  // established, so a retrain neither absorbs a drift into the baseline nor re-reports an episode with a new onset);
  // otherwise the first 30% of the clean history (min minDriftBaseline, max 500 samples).
  const drift = new ModelDriftDetector(model);
  // One value per unit (a dual-track part's two tracks are one sample; see drift-series.ts).
  const units = unitSeries(clean.records.map((r) => ({ trimResultId: r.trimResultId, trackResultId: r.trackResultId, fileDate: r.fileDate, sigma: r.sigmaGradient! })));
  const nUnits = units.sigma.length;
  let nBase = 0;
  const prev = input.previousBaselineEnd ?? null;
  if (prev) {
    const endT = new Date(prev.fileDate).getTime();
    while (nBase < nUnits) {
      const t = units.dates[nBase]!.getTime();
      if (t < endT || (t === endT && units.lastTrackIds[nBase]! <= prev.trackResultId)) nBase++;
      else break;
    }
    if (nBase < st.minDriftBaseline) nBase = 0;
  }
  if (nBase === 0) {
    const n = Math.min(500, Math.max(st.minDriftBaseline, Math.floor(nUnits * 0.3)));
    if (nUnits >= n + 1 && n >= st.minDriftBaseline) nBase = n;
  }
  let driftOk = false;
  let baselineEnd: ComponentsState['driftBaselineEnd'] = null;
  if (nBase > 0) {
    // The monitoring horizon is a year of this model's production, its rate measured over its whole history.
    const unitsPerYear = unitsPerYearOf(units.dates) ?? undefined;
    driftOk = drift.setBaseline(Array.from(units.sigma.subarray(0, nBase)), units.dates.slice(0, nBase), { unitsPerYear });
    if (driftOk) {
      baselineEnd = { fileDate: units.dates[nBase - 1]!.toISOString(), trackResultId: units.lastTrackIds[nBase - 1]!, samples: nBase };
    }
  }
  const driftMonitoring = driftMonitoringOf(nUnits, nBase, driftOk, st.minDriftBaseline, drift.baselineFailureReason);

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

/**
 * Whether drift monitoring starts: it needs a baseline of `minDriftBaseline` units and at least one unit after it
 * (the rule of {@link trainModelCore}), and the detector's acceptance of that baseline.
 *
 * @param nUnits - units in the clean history; @param nBase - units chosen for the baseline (0: too few).
 */
export function driftMonitoringOf(nUnits: number, nBase: number, accepted: boolean, minDriftBaseline: number, refusal: string | null): DriftMonitoring {
  if (accepted) return { monitoring: true, units: nUnits, unitsNeeded: null, reason: null };
  if (nBase === 0) {
    const unitsNeeded = Math.max(1, minDriftBaseline + 1 - nUnits);
    return {
      monitoring: false,
      units: nUnits,
      unitsNeeded,
      reason: `Drift not monitored yet: ${nUnits} units; a baseline needs ${minDriftBaseline} and monitoring one more (${unitsNeeded} more).`,
    };
  }
  return { monitoring: false, units: nUnits, unitsNeeded: null, reason: `Drift not monitored: ${refusal ?? 'the detector refused the baseline.'}` };
}

function choosePredictor(
  input: TrainModelInput,
  set: ReturnType<typeof buildTrainingSetFromClean>,
  tier: TrainingTier,
): { choice: PredictorChoice; own: ModelPredictor | null } {
  const st = input.settings;
  const pooledMetrics = input.pooled ? servingMetrics(input.pooled.probabilities, input.pooled.labels) : (input.pooledMetricsFallback ?? null);
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
    return { choice: { ...pooledChoice(`No predictor: own forest not trained (${trained.reason}).`), kind: 'none', labelSource: null }, own: null };
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
    return { choice: { ...ownChoice, reason: `Own forest: out-of-bag Brier ${ownMetrics.brier.toFixed(4)} < pooled ${pooledMetrics.brier.toFixed(4)} on this model's ${ownMetrics.n} units.` }, own };
  }
  return { choice: { ...ownChoice, reason: `Own forest on ${set.rows} units (${set.label.source} label); no pooled comparison available.` }, own };
}
