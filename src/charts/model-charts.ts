/**
 * Builds one model's chart data from its stored state and its tracks (pure: no I/O). The drift charts replay the
 * model's drift detector from its stored baseline state over the units after the baseline, exactly as a full apply
 * does (`manager/apply/serving.ts`), so every statistic, limit and episode is the detector's own.
 *
 * @module
 */
import { exclusionReason } from '../core/features.js';
import type { FormulaThresholdFn } from '../core/formula.js';
import { labelOf } from '../core/labels.js';
import { quantileLinear } from '../core/stats/descriptive.js';
import type { LabelSource, ModelName, TrainingRecord } from '../core/types.js';
import { ModelDriftDetector } from '../drift/model-drift-detector.js';
import type { ComponentsState } from '../manager/components-state.js';
import { unitSeries, type DriftPoint } from '../manager/drift-series.js';
import type { TrainingStatusRow } from '../manager/types.js';
import { trainingStatusText } from '../manager/status.js';
import type { ModelMLState } from '../storage/repository.js';
import type {
  Chart,
  ChartUnavailable,
  DriftCharts,
  DriftStatisticPoint,
  FeatureImportancePoint,
  LnSigmaChart,
  LnSigmaPoint,
  ModelChartData,
  ModelChartSummary,
  ReliabilityDiagram,
  SigmaBin,
  SigmaDistribution,
} from './types.js';
import { wilsonInterval } from './wilson.js';

/** Bins of the sigma histograms (equal width on log10 sigma between the smallest and largest labelled sigma). */
export const SIGMA_HISTOGRAM_BINS = 30;

/** Everything one model's charts are built from. */
export interface ModelChartInput {
  readonly model: ModelName;
  /** The model's stored state (`undefined`: never trained). */
  readonly state: ModelMLState | undefined;
  /** Its parsed components (`null`: no state, or a state of another version). */
  readonly components: ComponentsState | null;
  /** Its row of `getTrainingStatus()` (`undefined`: no state). */
  readonly status: TrainingStatusRow | undefined;
  /** Every track of the model with its Final Test outcome, in (date, id) order (`readTrainingRecords`). */
  readonly records: readonly TrainingRecord[];
  readonly formula: FormulaThresholdFn;
  /** The fewest samples that train a model (`minPlantBackedSamples`, at most `minSamples`; for "needs N more" of a model without a state). */
  readonly minSamples: number;
  /** Unacknowledged stored drift alerts of the model. */
  readonly openAlerts: number;
  /** Importances of the pooled forest, for models it serves (`null`: none). */
  readonly pooledImportance: Record<string, number> | null;
}

const unavailable = (reason: string): ChartUnavailable => ({ available: false, reason });

/** One model's chart data (see the types for every definition). */
export function buildModelChartData(input: ModelChartInput): ModelChartData {
  const clean = input.records.filter((r) => exclusionReason(r) === null);
  const drift = driftCharts(input, clean);
  // The label the model learned; for a model that never trained, Final Test where any track has one, else trim.
  const fallback: LabelSource | null = clean.some((r) => labelOf(r, 'final_test') !== null)
    ? 'final_test'
    : clean.some((r) => labelOf(r, 'trim') !== null)
      ? 'trim'
      : null;
  const labelSource = input.state?.labelSource ?? input.components?.training.label?.source ?? fallback;
  const sigmaDistribution = sigmaDistributionOf(input, clean, labelSource);
  const reliability = reliabilityOf(input);
  const featureImportance = featureImportanceOf(input);
  const labelled = labelSource === null ? [] : clean.map((r) => labelOf(r, labelSource)).filter((y): y is 0 | 1 => y !== null);
  const failures = labelled.reduce<number>((s, y) => s + y, 0);
  const units = new Set(clean.map((r) => r.trimResultId)).size;
  const samples = input.status?.samples ?? clean.length;
  const minSamples = input.components
    ? (input.components.training.minPlantBackedSamples ?? input.components.training.minSamples)
    : input.minSamples;
  const episodes = drift.drift.available ? drift.drift.episodes : [];
  const summary: ModelChartSummary = {
    model: input.model,
    tracks: input.records.length,
    cleanTracks: clean.length,
    units,
    status: input.status
      ? trainingStatusText(input.status)
      : clean.length < input.minSamples
        ? `need ${input.minSamples - clean.length} more`
        : 'untrained',
    needsSamples: input.state?.isTrained ? 0 : Math.max(0, minSamples - samples),
    failureRate: labelled.length > 0 ? failures / labelled.length : null,
    failureRateInterval: labelled.length > 0 ? wilsonInterval(failures, labelled.length) : null,
    labelledTracks: labelled.length,
    labelSource,
    meanPredictedFailure: reliability.available ? reliability.meanPredicted : null,
    predictorKind: input.status?.predictorKind ?? 'none',
    thresholdSource: input.status?.thresholdSource ?? 'formula',
    isDrifting: drift.isDrifting,
    driftDirection: drift.direction,
    driftEpisodes: episodes.length,
    openAlerts: input.openAlerts,
    lastEpisodeStatistic: episodes.length > 0 ? episodes[episodes.length - 1]!.statistic : null,
  };
  return { model: input.model, summary, lnSigma: drift.lnSigma, drift: drift.drift, sigmaDistribution, reliability, featureImportance };
}

/**
 * The ln(sigma) chart and the CUSUM/EWMA charts. The clean tracks are split where apply splits them (strictly after
 * the baseline's last (date, track id): monitored), grouped into units (`unitSeries`), and the monitored units are
 * fed one by one to a detector restored from the baseline state (`ModelDriftDetector.fromState`, as apply does). The
 * episodes come from `detectSeries` on a second detector restored from the same state (the exact call apply makes).
 */
function driftCharts(
  input: ModelChartInput,
  clean: readonly TrainingRecord[],
): { lnSigma: Chart<LnSigmaChart>; drift: Chart<DriftCharts>; isDrifting: boolean; direction: 'up' | 'down' | null } {
  const c = input.components;
  const stored = { isDrifting: input.state?.isDrifting ?? false, direction: input.state?.driftDirection ?? null };
  if (!c?.driftBaseline || !c.driftBaselineEnd) {
    const why =
      c === null
        ? 'The model has not been trained: no drift baseline yet.'
        : `No drift baseline: drift monitoring needs a baseline of at least ${c.driftBaseline?.params.minBaselineSize ?? 30} units.`;
    return { lnSigma: unavailable(why), drift: unavailable(why), ...stored };
  }
  const end = { date: new Date(c.driftBaselineEnd.fileDate).getTime(), id: c.driftBaselineEnd.trackResultId };
  const base: DriftPoint[] = [];
  const monitored: DriftPoint[] = [];
  for (const r of clean) {
    const t = r.fileDate.getTime();
    const p: DriftPoint = { trimResultId: r.trimResultId, trackResultId: r.trackResultId, fileDate: r.fileDate, sigma: r.sigmaGradient! };
    if (t > end.date || (t === end.date && r.trackResultId > end.id)) monitored.push(p);
    else base.push(p);
  }
  const baseUnits = unitSeries(base);
  const monUnits = unitSeries(monitored);
  const detector = ModelDriftDetector.fromState(c.driftBaseline);
  const [bLo, bCentre, bHi] = detector.getControlLimits().map(Math.log) as [number, number, number];
  const points: LnSigmaPoint[] = [];
  baseUnits.dates.forEach((date, i) =>
    points.push({ date, lnSigma: Math.log(baseUnits.sigma[i]!), phase: 'baseline', centre: bCentre, lower: bLo, upper: bHi }),
  );
  const stats: DriftStatisticPoint[] = [];
  monUnits.dates.forEach((date, i) => {
    const r = detector.detect(monUnits.sigma[i]!, date);
    const [lo, centre, hi] = detector.getControlLimits();
    points.push({
      date,
      lnSigma: Math.log(monUnits.sigma[i]!),
      phase: 'monitoring',
      centre: Math.log(centre),
      lower: Math.log(lo),
      upper: Math.log(hi),
    });
    if (r.subgroupScore !== null) {
      stats.push({ date, cusumPos: r.cusumPos, cusumNeg: r.cusumNeg, ewma: r.ewma, ewmaLimit: r.ewmaLimit, drifting: r.drifting });
    }
  });
  const { episodes } = ModelDriftDetector.fromState(c.driftBaseline).detectSeries(Array.from(monUnits.sigma), monUnits.dates);
  const p = detector.params;
  const lnSigma: LnSigmaChart = { points, baselineUnits: baseUnits.dates.length, monitoredUnits: monUnits.dates.length };
  const drift: Chart<DriftCharts> =
    stats.length === 0
      ? unavailable(
          `No unit after the drift baseline has completed a subgroup of ${p.blockSize} yet: the CUSUM and EWMA charts start with the first one.`,
        )
      : {
          available: true,
          points: stats,
          h: p.h,
          k: p.k,
          lambda: p.lambda,
          L: p.L,
          blockSize: p.blockSize,
          correlationInflation: p.correlationInflation,
          targetArl0: p.targetArl0,
          episodes,
        };
  return { lnSigma: { available: true, ...lnSigma }, drift, isDrifting: detector.isDrifting, direction: detector.driftDirection };
}

/** Histograms of sigma for passing and failing labelled tracks, with the learned and the formula thresholds. */
function sigmaDistributionOf(
  input: ModelChartInput,
  clean: readonly TrainingRecord[],
  labelSource: LabelSource | null,
): Chart<SigmaDistribution> {
  if (clean.length === 0) return unavailable('The model has no track with a usable sigma.');
  if (labelSource === null) return unavailable('No outcome to split the tracks by: train the model first.');
  const labelled: { logSigma: number; fail: boolean }[] = [];
  for (const r of clean) {
    const y = labelOf(r, labelSource);
    if (y !== null) labelled.push({ logSigma: Math.log10(r.sigmaGradient!), fail: y === 1 });
  }
  if (labelled.length === 0)
    return unavailable(`No track has a ${labelSource === 'final_test' ? 'linked Final Test outcome' : 'trim pass/fail'} yet.`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const u of labelled) {
    lo = Math.min(lo, u.logSigma);
    hi = Math.max(hi, u.logSigma);
  }
  const nBins = hi > lo ? SIGMA_HISTOGRAM_BINS : 1;
  const width = hi > lo ? (hi - lo) / nBins : 1;
  const pass = new Array<number>(nBins).fill(0);
  const fail = new Array<number>(nBins).fill(0);
  for (const u of labelled) {
    const b = Math.min(nBins - 1, Math.floor((u.logSigma - lo) / width));
    if (u.fail) fail[b]!++;
    else pass[b]!++;
  }
  const bins: SigmaBin[] = pass.map((p, b) => ({
    lower: 10 ** (lo + b * width),
    upper: 10 ** (lo + (b + 1) * width),
    pass: p,
    fail: fail[b]!,
  }));
  const formula = clean.map((r) => input.formula(r));
  return {
    available: true,
    labelSource,
    bins,
    passTracks: labelled.filter((u) => !u.fail).length,
    failTracks: labelled.filter((u) => u.fail).length,
    learnedThreshold: input.state?.sigmaThreshold ?? null,
    thresholdSource: input.status?.thresholdSource ?? 'formula',
    formulaThreshold: { median: quantileLinear(formula, 0.5)!, min: Math.min(...formula), max: Math.max(...formula) },
  };
}

/** The reliability diagram kept at training (out-of-sample predictions of the serving predictor on this model's units). */
function reliabilityOf(input: ModelChartInput): Chart<ReliabilityDiagram> {
  const p = input.components?.predictor;
  if (!p || p.kind === 'none') return unavailable(p ? `No predictor serves the model: ${p.reason}` : 'The model has not been trained.');
  const m = p.metrics;
  if (!m || m.evaluatedOn !== 'oob')
    return unavailable(
      "The serving predictor has no out-of-sample predictions on this model's units (too few labelled units of both classes).",
    );
  if (!m.reliability)
    return unavailable(
      'This model was trained by an older laser-trim-ml that did not keep the reliability diagram: retrain it (train-all).',
    );
  let n = 0;
  let failures = 0;
  let predicted = 0;
  const bins = m.reliability
    .filter((b) => b.n > 0)
    .map((b) => {
      n += b.n;
      failures += b.failures;
      predicted += b.predictedSum;
      const [observedLow, observedHigh] = wilsonInterval(b.failures, b.n);
      return {
        lower: b.lower,
        upper: b.upper,
        n: b.n,
        predicted: b.predictedSum / b.n,
        observed: b.failures / b.n,
        observedLow,
        observedHigh,
      };
    });
  if (n === 0) return unavailable("No out-of-sample prediction on this model's units.");
  return {
    available: true,
    predictorKind: p.kind,
    evaluatedOn: 'oob',
    bins,
    n,
    failures,
    meanPredicted: predicted / n,
    observedRate: failures / n,
    brier: m.brier,
    auc: m.auc,
  };
}

/** Importances of the serving forest: the model's own, or the pooled forest's (plant-wide) for models it serves. */
function featureImportanceOf(input: ModelChartInput): ModelChartData['featureImportance'] {
  const p = input.components?.predictor;
  const kind = input.status?.predictorKind ?? p?.kind ?? 'none';
  const raw =
    kind === 'own' ? (p?.featureImportance ?? input.state?.featureImportance ?? null) : kind === 'pooled' ? input.pooledImportance : null;
  if (raw === null)
    return unavailable(kind === 'none' ? 'No predictor serves the model.' : 'The serving forest has no stored importances.');
  const features: FeatureImportancePoint[] = Object.entries(raw)
    .map(([feature, importance]) => ({ feature, importance }))
    .sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
  return { available: true, features, predictorKind: kind };
}
