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

/** How a sample's ln(sigma) becomes a score (see the module comment of `model-drift-detector.ts`). */
export type DriftScore = 'rank' | 'normal';

/** Options of {@link ModelDriftDetector}. Every field has a documented default. */
export interface ModelDriftDetectorOptions {
  /**
   * Target probability of any false alarm over `horizonYears` of this model's production (its units per year from
   * `unitsPerYear`, or estimated from the baseline's dates): the in-control ARL is designed as
   * ARL0 = unitsPerYear·horizonYears / (−ln(1 − p)) (see `arl0ForHorizon`), clamped to [`minArl0`, 10⁷]. Default 0.002 (see `docs/drift.md` for the measurements behind it).
   */
  readonly falseAlarmProbability?: number;
  /** The monitoring horizon of `falseAlarmProbability`, in years. Default 1. */
  readonly horizonYears?: number;
  /** The model's units per year. Default: estimated from the baseline's dates at `setBaseline` (see `unitsPerYearOf`). */
  readonly unitsPerYear?: number;
  /** Smallest designed ARL0 (a model making a handful of units a year still gets limits of this spacing). Default 2,000. */
  readonly minArl0?: number;
  /**
   * A fixed in-control ARL of the combined CUSUM-or-EWMA scheme, instead of the horizon design. Used as well when the
   * production rate is unknown (no dates), default 50,000 then. Each chart is designed for twice this value, so the
   * combined ARL0 is at least the target (the charts are positively correlated).
   */
  readonly targetArl0?: number;
  /** CUSUM reference value k in σ of the score. Default 0.375: the optimal k for a 0.75σ shift. */
  readonly k?: number;
  /** CUSUM decision interval h. Default: designed from the target ARL0 and `k` (`designCusumH`). */
  readonly h?: number;
  /** EWMA smoothing λ in (0, 1]. Default 0.1. */
  readonly lambda?: number;
  /** EWMA limit multiplier L. Default: designed from the target ARL0 and `lambda` (`designEwmaL`). */
  readonly L?: number;
  /** Fewest usable baseline values. Default 30. */
  readonly minBaselineSize?: number;
  /** Baseline values with |ln sigma − median| > outlierCut × 1.4826·MAD are excluded from the display statistics and the size scale (gross errors such as failed analyses). Default 5. */
  readonly outlierCut?: number;
  /**
   * `'rank'` (default): the sequential-rank normal score of ln(sigma) against the model's own reference values
   * (`rankNormalScore`): exact N(0, 1) moments in control for any distribution shape. `'normal'`: the self-starting t
   * score of Hawkins (1987), exact only when ln(sigma) is normal.
   */
  readonly score?: DriftScore;
  /**
   * Keep absorbing in-control samples into the reference (the self-starting scheme). Default true. With `false` the
   * reference is the baseline alone (for `'normal'`: the plain z = (ln sigma − mean)/std of the baseline, whose
   * false-alarm rate is several times the nominal one for small baselines).
   */
  readonly selfStarting?: boolean;
  /**
   * Samples an in-control value waits before it joins the reference; values still waiting when an alarm is raised
   * are dropped (they may belong to the drift). Default 30: about the detection delay of a 1σ shift, so a step is
   * not absorbed before it is signalled.
   */
  readonly absorbDelay?: number;
  /**
   * Largest rank reference (values; it is kept in the state) and largest subgroup reference (subgroups; a running
   * mean and sum of squares); beyond it a reference stops growing. Default 1,000.
   */
  readonly maxReference?: number;
  /**
   * Units per subgroup (the charts step once per subgroup of this many consecutive units, on the subgroup's mean
   * score). Default: 1 when the baseline has no dates (or shows too little lot structure, see `lotThreshold`); else the model's units
   * in `blockDays` days (from its units per year), at most `maxBlockSize` and at most 1/10 of the baseline (so the
   * baseline holds ≥ 10 subgroups), at least 1.
   */
  readonly blockSize?: number;
  /** Calendar span of the default subgroup, in days. Default 7. */
  readonly blockDays?: number;
  /** Largest default subgroup (units). Default 25. */
  readonly maxBlockSize?: number;
  /**
   * Default subgroups are used only when the lot allowance of single units (f of `blockSize` 1, from the
   * correlation by days) is at least this; below it units are charted one by one. Default 1 (subgroups whenever the
   * baseline has dates): 1.5 was measured worse on both synthetic scenarios (`docs/drift.md`).
   */
  readonly lotThreshold?: number;
  /**
   * The lot allowance f (variance inflation of the charts by the serial correlation of consecutive subgroups; the
   * subgroup scores are charted as z/√f). Default: estimated on the baseline's subgroup means
   * (`correlationInflation`); pass 1 for independent subgroups.
   */
  readonly correlationInflation?: number;
  /** `'normal'` score only: samples with |score| above this are not added to its mean/std reference. Default 4. */
  readonly updateGuard?: number;
  /** Consecutive back-in-control samples that end a drift episode. Default 3. */
  readonly rearmAfter?: number;
}

/** The fully resolved parameters (defaults applied; h, L, the target ARL0 and f designed at `setBaseline`). */
export interface ModelDriftDetectorParams {
  readonly falseAlarmProbability: number;
  readonly horizonYears: number;
  /** Units per year the design used (`null`: unknown, the fixed target ARL0 was used). */
  readonly unitsPerYear: number | null;
  readonly minArl0: number;
  /** The in-control ARL the charts were designed for. */
  readonly targetArl0: number;
  readonly k: number;
  readonly h: number;
  readonly lambda: number;
  readonly L: number;
  readonly minBaselineSize: number;
  readonly outlierCut: number;
  readonly score: DriftScore;
  readonly selfStarting: boolean;
  readonly absorbDelay: number;
  readonly maxReference: number;
  readonly blockDays: number;
  readonly maxBlockSize: number;
  readonly lotThreshold: number;
  /** Units per subgroup in use (1 before a baseline unless fixed by the caller). */
  readonly blockSize: number;
  /** The lot allowance f in use (1 before a baseline unless fixed by the caller). */
  readonly correlationInflation: number;
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
   * Estimated shift of the open episode, in σ of ln(sigma) (the reference's sample std, ddof = 1), signed (positive =
   * up): (mean ln sigma since the onset − reference mean) / reference std. `null` when not drifting.
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
  /**
   * EWMA limit at this sample: L·√(λ/(2−λ)·(1−(1−λ)^(2t))·(1 − c) + (1−(1−λ)^t)²·c), t counted from 1 at the first
   * sample of the chart, c = 1/(n/f + 1) the covariance any two scores share through the subgroup reference of n
   * subgroups (`docs/drift.md`, "The reference's own error"); with c = 0 the textbook exact limit.
   */
  readonly ewmaLimit: number;
  /** The unit's score (rank normal score or t score; ≈ N(0, 1) moments in control); `null` when skipped. */
  readonly z: number | null;
  /**
   * The charted subgroup score when this unit completed a subgroup (the self-starting t score of the subgroup mean
   * against the earlier subgroup means, / √f), else `null`.
   */
  readonly subgroupScore: number | null;
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
  /** ISO date of the first unit of the stretch, `null` when the sum is 0. */
  readonly start: string | null;
  /** Subgroups in the stretch. */
  readonly n: number;
  /** Units in the stretch. */
  readonly units: number;
  /** Sum of the charted scores over the stretch. */
  readonly sum: number;
  /** Sum of ln(sigma) over the stretch (for the size in σ of ln sigma). */
  readonly ySum: number;
}

/** An open drift episode in the persisted state. */
export interface DriftEpisodeState {
  readonly direction: DriftDirection;
  readonly onsetDate: string;
  readonly detectedDate: string;
  readonly statistic: DriftStatistic;
  readonly sizeAtDetection: number;
  /** Sum of ln(sigma) and count of the samples since the onset. */
  readonly ySum: number;
  readonly count: number;
  /** Consecutive back-in-control samples so far. */
  readonly calm: number;
}

/** Persisted form of a {@link ModelDriftDetector}: parameters, baseline and every running quantity. */
export interface ModelDriftDetectorState {
  readonly kind: 'ModelDriftDetector';
  readonly version: 2;
  readonly modelName: string;
  readonly params: ModelDriftDetectorParams;
  readonly baseline: (DriftBaseline & { readonly from: string | null; readonly to: string | null }) | null;
  /**
   * Running reference of ln(sigma) (baseline, then absorbed samples): count, mean and sum of squared deviations
   * (Welford) of the screened values: the scale of reported sizes and of the `'normal'` score.
   */
  readonly reference: { readonly n: number; readonly mean: number; readonly m2: number } | null;
  /** `'rank'` score: every reference ln(sigma), ascending, rounded to 1e-6. */
  readonly sorted: readonly number[];
  /** In-control ln(sigma) values waiting to join the reference (oldest first, rounded to 1e-6). */
  readonly pending: readonly number[];
  readonly cusumPos: number;
  readonly cusumNeg: number;
  readonly ewma: number;
  /** Subgroups since the charts (re)started. */
  readonly t: number;
  /** The subgroup being filled: units, sum of their scores and of their ln sigma, date of its first unit. */
  readonly block: { readonly n: number; readonly qSum: number; readonly ySum: number; readonly start: string | null };
  /**
   * Reference of subgroup mean scores (baseline subgroups, then absorbed ones, up to `maxReference` subgroups):
   * count, mean, Welford m2. Its effective size n/f also sets the EWMA limit's allowance for the error every score
   * shares through it (c = 1/(n/f + 1), `DriftResult.ewmaLimit`).
   */
  readonly blockRef: { readonly n: number; readonly mean: number; readonly m2: number } | null;
  /** In-control subgroup means waiting to join `blockRef`. */
  readonly blockPending: readonly number[];
  readonly pos: CusumRunState;
  readonly neg: CusumRunState;
  readonly episode: DriftEpisodeState | null;
  /** Usable and skipped samples seen since the baseline. */
  readonly samples: number;
  readonly skipped: number;
}
