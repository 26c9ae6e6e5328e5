/**
 * Public types of the drift detector: options, per-sample results, alarm episodes and the persisted state.
 *
 * @module
 */
import type { DriftDirection } from '../storage/repository.js';
import type { DriftBaseline } from './baseline.js';

export type { DriftDirection };

/** Which chart raised an alarm. */
export type DriftStatistic = 'cusum' | 'ewma' | 'both';

/** Options of {@link ModelDriftDetector}. Every field has a documented default. */
export interface ModelDriftDetectorOptions {
  /**
   * In-control ARL of the combined CUSUM-or-EWMA scheme (samples between false alarms of a stable model). Each chart
   * is designed for twice this value, so the combined ARL0 is at least the target (the charts are positively
   * correlated). Default 50,000 (combined ARL0 ≈ 54,500 by simulation): ≈ 0.018 expected false alarms per model per 1,000 stable
   * samples.
   */
  readonly targetArl0?: number;
  /** CUSUM reference value k in σ of ln(sigma). Default 0.375: the optimal k for a 0.75σ shift. */
  readonly k?: number;
  /** CUSUM decision interval h. Default: designed from `targetArl0` and `k` (`designCusumH`). */
  readonly h?: number;
  /** EWMA smoothing λ in (0, 1]. Default 0.1. */
  readonly lambda?: number;
  /** EWMA limit multiplier L. Default: designed from `targetArl0` and `lambda` (`designEwmaL`). */
  readonly L?: number;
  /** Fewest usable baseline values. Default 30. */
  readonly minBaselineSize?: number;
  /** Baseline values with |ln sigma − median| > outlierCut × 1.4826·MAD are excluded (gross errors such as failed analyses; a decade off is ≥ 5σ for a typical model). Default 5. */
  readonly outlierCut?: number;
  /**
   * Score samples with the self-starting t score and keep updating the reference mean and standard deviation with
   * in-control samples (see `selfStartingScore`). Default true. With `false` the score is the plain
   * z = (ln sigma − mean)/std of the baseline, whose false-alarm rate is several times the nominal one for small
   * baselines.
   */
  readonly selfStarting?: boolean;
  /** Samples with |score| above this are not added to the reference (one garbage value cannot widen it). Default 4. */
  readonly updateGuard?: number;
  /** Consecutive back-in-control samples that end a drift episode. Default 3. */
  readonly rearmAfter?: number;
}

/** The fully resolved parameters (defaults applied, h and L designed). */
export interface ModelDriftDetectorParams {
  readonly targetArl0: number;
  readonly k: number;
  readonly h: number;
  readonly lambda: number;
  readonly L: number;
  readonly minBaselineSize: number;
  readonly outlierCut: number;
  readonly selfStarting: boolean;
  readonly updateGuard: number;
  readonly rearmAfter: number;
}

/** The result of {@link ModelDriftDetector.detect} for one sample. */
export interface DriftResult {
  /** Date of the sample. */
  readonly date: Date;
  /** True while a drift episode is open (from its alarm until the process is back in control). */
  readonly drifting: boolean;
  /** True only at the sample that opened a new drift episode. */
  readonly alarm: boolean;
  /** Direction of the open episode (`up`: sigma grew), `null` when not drifting. */
  readonly direction: DriftDirection | null;
  /**
   * Estimated shift of the open episode, in baseline σ of ln(sigma), signed (positive = up): the mean score since
   * the onset (for a CUSUM alarm at detection this equals k + C/N, C the CUSUM and N the samples since it left 0).
   * `null` when not drifting.
   */
  readonly sizeSigma: number | null;
  /** Date of the sample where the signalling CUSUM last left zero (the estimated start); `null` when not drifting. */
  readonly onsetDate: Date | null;
  /** Upper CUSUM after this sample (σ units). */
  readonly cusumPos: number;
  /** Lower CUSUM after this sample (σ units, ≥ 0). */
  readonly cusumNeg: number;
  /** EWMA of the scores after this sample. */
  readonly ewma: number;
  /** EWMA limit at this sample: L·√(λ/(2−λ)·(1−(1−λ)^(2t))), t counted from 1 at the first sample of the chart. */
  readonly ewmaLimit: number;
  /** The sample's score (≈ N(0, 1) in control); `null` when skipped. */
  readonly z: number | null;
  /** Which chart signalled the open episode; `null` when not drifting. */
  readonly statistic: DriftStatistic | null;
  /** True when the value was not usable (≤ 0 or not finite): nothing changed. */
  readonly skipped: boolean;
}

/** One drift episode found by {@link ModelDriftDetector.detectSeries}: what a drift alert stores. */
export interface DriftEpisode {
  readonly model: string;
  readonly direction: DriftDirection;
  readonly onsetDate: Date;
  readonly detectedDate: Date;
  /** Estimated shift at detection, signed, in baseline σ of ln(sigma). */
  readonly sizeSigma: number;
  readonly statistic: DriftStatistic;
  /** Date of the sample at which the episode ended (back in control), `null` if still open. */
  readonly endDate: Date | null;
}

/** Bookkeeping of one CUSUM side: the current stretch where the sum is above zero. */
export interface CusumRunState {
  /** ISO date of the first sample of the stretch, `null` when the sum is 0. */
  readonly start: string | null;
  /** Samples in the stretch. */
  readonly n: number;
  /** Sum of the scores over the stretch. */
  readonly sum: number;
}

/** An open drift episode in the persisted state. */
export interface DriftEpisodeState {
  readonly direction: DriftDirection;
  readonly onsetDate: string;
  readonly detectedDate: string;
  readonly statistic: DriftStatistic;
  readonly sizeAtDetection: number;
  /** Sum and count of the scores since the onset. */
  readonly sum: number;
  readonly count: number;
  /** Consecutive back-in-control samples so far. */
  readonly calm: number;
}

/** Persisted form of a {@link ModelDriftDetector}: parameters, baseline and every running quantity. */
export interface ModelDriftDetectorState {
  readonly kind: 'ModelDriftDetector';
  readonly version: 1;
  readonly modelName: string;
  readonly params: ModelDriftDetectorParams;
  readonly baseline: (DriftBaseline & { readonly from: string | null; readonly to: string | null }) | null;
  /** Running reference of ln(sigma): count, mean and sum of squared deviations (Welford). */
  readonly reference: { readonly n: number; readonly mean: number; readonly m2: number } | null;
  readonly cusumPos: number;
  readonly cusumNeg: number;
  readonly ewma: number;
  /** Samples since the charts (re)started. */
  readonly t: number;
  readonly pos: CusumRunState;
  readonly neg: CusumRunState;
  readonly episode: DriftEpisodeState | null;
  /** Usable and skipped samples seen since the baseline. */
  readonly samples: number;
  readonly skipped: number;
}
