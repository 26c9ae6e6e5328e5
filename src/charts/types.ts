/**
 * The chart data of one model and of the plant: plain typed data a host app can draw with its own charts (the report
 * of `src/report/` draws it with Vega-Lite). Every figure comes from the model's stored state and its tracks; the
 * drift statistics and limits are the drift detector's own (`ModelDriftDetector.detect` / `getControlLimits`), the
 * thresholds are the state's. Definitions are in `docs/report.md`.
 *
 * @module
 */
import type { LabelSource, ModelName } from '../core/types.js';
import type { DriftEpisode, DriftStatistic } from '../drift/types.js';
import type { DriftDirection } from '../storage/repository.js';
import type { ThresholdSource } from '../threshold/types.js';
import type { PredictorKind } from '../manager/types.js';

/** A chart that could not be drawn says why (too few units, no baseline, a state trained before it was kept, ...). */
export interface ChartUnavailable {
  readonly available: false;
  /** A sentence for the user: why, and what would make the chart available. */
  readonly reason: string;
}

/** A chart, or why there is none. */
export type Chart<T> = ({ readonly available: true } & T) | ChartUnavailable;

/** Which part of the history a unit belongs to. */
export type UnitPhase = 'baseline' | 'monitoring';

/** One unit on the ln(sigma) control chart, with the detector's limits in force when it was charted. */
export interface LnSigmaPoint {
  readonly date: Date;
  /** ln of the unit's sigma (the geometric mean of its tracks' sigma_gradient, as the detector sees it). */
  readonly lnSigma: number;
  readonly phase: UnitPhase;
  /** ln of the detector's centre (`getControlLimits()[1]`: the reference mean of ln sigma) after this unit. */
  readonly centre: number;
  /** ln of the detector's lower / upper limit (`getControlLimits()[0]` / `[2]`) after this unit. */
  readonly lower: number;
  readonly upper: number;
}

/** The control chart of ln(sigma) per unit: baseline units, then the monitored units apply charts. */
export interface LnSigmaChart {
  readonly points: readonly LnSigmaPoint[];
  /** Units of the baseline and monitored after it. */
  readonly baselineUnits: number;
  readonly monitoredUnits: number;
}

/** The CUSUM and EWMA statistics after one charted subgroup (the charts step once per subgroup of `blockSize` units). */
export interface DriftStatisticPoint {
  /** Date of the unit that completed the subgroup. */
  readonly date: Date;
  /** Upper and lower CUSUM S⁺, S⁻ (σ units of the charted score, ≥ 0). */
  readonly cusumPos: number;
  readonly cusumNeg: number;
  /** EWMA of the charted scores and its time-varying limit ±L·√(λ/(2−λ)·(1−(1−λ)^(2t))). */
  readonly ewma: number;
  readonly ewmaLimit: number;
  /** True while a drift episode is open. */
  readonly drifting: boolean;
}

/** The drift charts of one model, as the detector computed them over its monitored units. */
export interface DriftCharts {
  readonly points: readonly DriftStatisticPoint[];
  /** CUSUM decision interval h and reference value k; EWMA λ and L (the detector's designed parameters). */
  readonly h: number;
  readonly k: number;
  readonly lambda: number;
  readonly L: number;
  /** Units per charted subgroup and the lot allowance f the scores were divided by (√f). */
  readonly blockSize: number;
  readonly correlationInflation: number;
  /** The in-control ARL (units) the limits were designed for. */
  readonly targetArl0: number;
  /** Every episode in the monitored history (onset, detection, end), as `ModelDriftDetector.detectSeries` lists them. */
  readonly episodes: readonly DriftEpisode[];
}

/** One bin of the sigma histograms (equal width on log10 sigma). */
export interface SigmaBin {
  /** Bin edges on the sigma scale (log10-equal-width). */
  readonly lower: number;
  readonly upper: number;
  /** Labelled tracks that passed / failed, by the label the model learned (`labelSource`). */
  readonly pass: number;
  readonly fail: number;
}

/** The sigma distributions of passing and failing tracks with the learned and the formula thresholds. */
export interface SigmaDistribution {
  readonly labelSource: LabelSource;
  readonly bins: readonly SigmaBin[];
  readonly passTracks: number;
  readonly failTracks: number;
  /** The learned threshold apply writes (`ModelMLState.sigmaThreshold`), `null`: the formula applies. */
  readonly learnedThreshold: number | null;
  readonly thresholdSource: ThresholdSource;
  /** The formula threshold over the model's tracks (it depends on each track's spec and travel): median, min, max. */
  readonly formulaThreshold: { readonly median: number; readonly min: number; readonly max: number };
}

/** One bin of the reliability diagram. */
export interface ReliabilityPoint {
  readonly lower: number;
  readonly upper: number;
  readonly n: number;
  /** Mean out-of-sample predicted P(fail) of the bin's units. */
  readonly predicted: number;
  /** Observed failure rate of the bin's units, with its Wilson 95% interval. */
  readonly observed: number;
  readonly observedLow: number;
  readonly observedHigh: number;
}

/** The reliability diagram of the predictor serving the model, on out-of-sample predictions of its own units. */
export interface ReliabilityDiagram {
  readonly predictorKind: Exclude<PredictorKind, 'none'>;
  /** What the predictions are: out-of-bag (own forest: cross-fitted calibration; pooled: out-of-bag or held out). */
  readonly evaluatedOn: 'oob';
  /** Non-empty bins only. */
  readonly bins: readonly ReliabilityPoint[];
  readonly n: number;
  readonly failures: number;
  /** Mean predicted probability and observed failure rate over all those units. */
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly brier: number | null;
  readonly auc: number | null;
}

/** One feature's importance in the serving forest (mean impurity decrease, normalised to sum 1). */
export interface FeatureImportancePoint {
  readonly feature: string;
  readonly importance: number;
}

/** Everything the report draws for one model. */
export interface ModelChartData {
  readonly model: ModelName;
  readonly summary: ModelChartSummary;
  readonly lnSigma: Chart<LnSigmaChart>;
  readonly drift: Chart<DriftCharts>;
  readonly sigmaDistribution: Chart<SigmaDistribution>;
  readonly reliability: Chart<ReliabilityDiagram>;
  readonly featureImportance: Chart<{ readonly features: readonly FeatureImportancePoint[]; readonly predictorKind: PredictorKind }>;
}

/** The figures of a model's row in the plant overview. */
export interface ModelChartSummary {
  readonly model: ModelName;
  /** Tracks read and tracks hygiene kept. */
  readonly tracks: number;
  readonly cleanTracks: number;
  /** Units (trim runs) among the clean tracks. */
  readonly units: number;
  /** The status of `getTrainingStatus()` (`trained`, `drifting`, `need N more`, `failed`, `untrained`). */
  readonly status: string;
  /** Clean tracks still needed before the model trains (0 when trained or enough). */
  readonly needsSamples: number;
  /** Observed failure rate of the clean tracks with an outcome of `labelSource` (`null`: no labelled tracks). */
  readonly failureRate: number | null;
  /** Wilson 95% interval of that rate (`wilsonInterval`), `null` without labelled tracks. */
  readonly failureRateInterval: readonly [number, number] | null;
  readonly labelledTracks: number;
  readonly labelSource: LabelSource | null;
  /** Mean out-of-sample predicted P(fail) (the reliability diagram's units), `null` without a predictor or diagram. */
  readonly meanPredictedFailure: number | null;
  readonly predictorKind: PredictorKind;
  readonly thresholdSource: ThresholdSource;
  readonly isDrifting: boolean;
  readonly driftDirection: DriftDirection | null;
  /** Episodes in the monitored history, and stored alerts not yet acknowledged. */
  readonly driftEpisodes: number;
  readonly openAlerts: number;
  /** The statistic of the last episode, if any. */
  readonly lastEpisodeStatistic: DriftStatistic | null;
}

/** The chart data of every model, with the plant's counts. */
export interface PlantChartData {
  readonly generatedAt: Date;
  readonly models: readonly ModelChartData[];
  readonly totals: {
    readonly models: number;
    readonly trained: number;
    readonly needMoreData: number;
    readonly drifting: number;
    readonly failed: number;
    readonly tracks: number;
  };
}
