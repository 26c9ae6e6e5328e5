/**
 * Public input, option and result types of {@link ModelThresholdOptimizer}.
 *
 * @module
 */
import type { LabelSource, ModelName } from '../core/types.js';

/**
 * One model's units, column-wise. All arrays have one entry per unit, in the same order.
 */
export interface ThresholdData {
  /** `sigma_gradient` of each unit; finite and > 0 (the caller's hygiene has removed placeholders and zeros). */
  readonly sigma: Float64Array;
  /** 1 = the outcome failed, 0 = it passed. */
  readonly fail: Uint8Array;
  /** Which outcome `fail` is: Final Test where linked, trim linearity otherwise (the caller decides). */
  readonly labelSource: LabelSource;
  /**
   * Fail points of the outcome (NaN where unknown; ignored for passes). Turned into weights with the core
   * `severityWeight`. Ignored when `severity` is given. When neither is given every failure weighs
   * `severityWeight(1, null)` = 2, i.e. the threshold is unweighted.
   */
  readonly failPoints?: Float64Array;
  /** Precomputed severity weight of each unit (finite, > 0), e.g. `TrainingSet.severity`. Takes precedence over `failPoints`. */
  readonly severity?: Float64Array;
  /** The plant formula threshold of each unit (core `formulaThreshold`), the baseline of the held-out comparison. Finite, > 0. */
  readonly formulaThreshold: Float64Array;
  /** Date of each unit (trim `file_date`). When given, the hold-out is the latest units; otherwise a seeded stratified draw. */
  readonly dates?: readonly Date[];
  /**
   * The probability that each unit fails Final Test, in [0, 1] (NaN where unknown: that unit's `fail` counts), e.g.
   * the pooled predictor's. When given, the blended threshold's own cut maximises the **expected** balanced
   * accuracy against Final Test under these probabilities (each unit counts as a failure with weight `p` and a pass
   * with weight `1 − p`; see `groupBySigmaSoft`) instead of the balanced accuracy against the `fail` labels, and its
   * bootstrap resamples units. `fail` still decides the counts, the minimums and the held-out comparison. Used only
   * with a plant-wide threshold (`calculateThreshold(data, prior)`).
   */
  readonly failProbability?: Float64Array;
}

/**
 * How the expected cost of a threshold is normalised.
 * - `class-totals`: escapes are divided by the total severity of all failures and false rejects by the number of
 *   passes, so the per-model pass rate (anywhere from 0 to 100 %) does not decide the threshold. With `costRatio = 1`
 *   the cost is `2 × (1 − severity-weighted balanced accuracy)` and its minimum is the severity-weighted Youden point.
 * - `none`: raw sums, i.e. cost per unit produced; the majority class dominates.
 */
export type CostNormalization = 'class-totals' | 'none';

/** The objective parameters of the threshold search (see {@link ModelThresholdOptimizer}). */
export interface ThresholdObjective {
  /** `costEscape / costReject`: what one severity unit of a failure passed by the threshold costs, in false rejects. */
  readonly costRatio: number;
  readonly normalization: CostNormalization;
}

/** Options of {@link ModelThresholdOptimizer}, fixed at construction. */
export interface ThresholdOptions {
  /** `costEscape / costReject`. Default 1 (with `class-totals`: severity-weighted balanced accuracy). */
  readonly costRatio?: number;
  /** Default `class-totals`. */
  readonly normalization?: CostNormalization;
  /** Units needed to learn a threshold. Default 30. */
  readonly minSamples?: number;
  /** Failures needed to learn a threshold. Default 5. */
  readonly minFailures?: number;
  /** Passes needed to learn a threshold. Default 5. */
  readonly minPasses?: number;
  /**
   * Minimum relative cost reduction of the best threshold against the better of "pass everything" and
   * "reject everything" (in-sample). Default 0.05. Not a significance test: it only refuses thresholds that move a
   * handful of units for nothing; the evidence of real separation is `confidence` and the held-out comparison.
   */
  readonly minCostReduction?: number;
  /** A threshold is learned only when the severity-weighted AUC of sigma (fail vs pass) exceeds this. Default 0.5. */
  readonly minAuc?: number;
  /** Bootstrap resamples for the confidence and the threshold's interval. Default 200; at least 20. */
  readonly bootstrapResamples?: number;
  /** Fraction of units held out for the comparison with the formula. Default 0.3. */
  readonly heldOutFraction?: number;
  /**
   * Scale of the stability term of the confidence, in natural-log units of the threshold: a 90 % bootstrap interval
   * of ±`spreadScale` (half-width of `ln p95 − ln p5`) gives stability `e^−1`. Default `ln 1.5` ≈ 0.405 (±50 %).
   */
  readonly spreadScale?: number;
  /**
   * Scale of the support term of the confidence: `min(failures, passes) / (min(failures, passes) + supportScale)`.
   * Default 10 (5 failures → 0.33, 20 → 0.67, 100 → 0.91); 0 switches the term off.
   */
  readonly supportScale?: number;
  /** Seed of the bootstrap and the stratified split. Default 42. */
  readonly seed?: number;
  /**
   * Whether failures are weighted by severity in the cut search (the design's severity weighting). Default `false`:
   * every failure counts once, so the search maximises the balanced accuracy that the plant judges a threshold by
   * (measured: docs/thresholds.md). Passing `severity` or `failPoints` has no effect on the cut when `false`.
   */
  readonly severityWeighted?: boolean;
}

/** Resolved options (every default filled in). */
export type ResolvedThresholdOptions = Required<ThresholdOptions>;

/** Why no threshold was learned (the caller keeps the formula). */
export type ThresholdNotLearnedReason =
  | 'too_few_samples'
  | 'no_failures'
  | 'no_passes'
  | 'too_few_failures'
  | 'too_few_passes'
  | 'constant_sigma'
  | 'no_separation'
  | 'no_outcomes'
  | 'formula_better';

/**
 * Where a model's threshold comes from: `own` (its own units alone: no plant-wide threshold was given),
 * `blended` (the empirical-Bayes blend of its own cut and the plant-wide one, `weight` = the own cut's weight),
 * `plant_wide` (no own cut: weight 0), `formula` (nothing learned: the formula stays).
 */
export type ThresholdSource = 'own' | 'blended' | 'plant_wide' | 'formula';

/** `learned`, or why not. */
export type ThresholdReason = 'learned' | ThresholdNotLearnedReason;

/** Counts of the data a threshold was computed from. */
export interface ThresholdCounts {
  readonly n: number;
  readonly failures: number;
  readonly passes: number;
  readonly distinctSigma: number;
}

/** The cost-minimising search on one data set (in-sample). */
export interface CostSearch {
  /** Geometric middle of the optimal plateau. */
  readonly threshold: number;
  /** Cost of the threshold under the objective. */
  readonly cost: number;
  /** Cost of a threshold above every sigma (every failure escapes). */
  readonly costPassAll: number;
  /** Cost of a threshold below every sigma (every pass is rejected). */
  readonly costRejectAll: number;
  /** The optimal plateau: every threshold in the open interval (low, high) has the minimal cost. */
  readonly plateauLow: number;
  readonly plateauHigh: number;
  /** Candidate thresholds evaluated (distinct sigma values − 1). */
  readonly candidates: number;
}

/** Accuracy figures of one threshold on a set of units ("fail" is the positive class; predicted fail = sigma > threshold). */
export interface ThresholdAccuracy {
  /** (TP + TN) / n. */
  readonly accuracy: number;
  /** (TPR + TNR) / 2. */
  readonly balancedAccuracy: number;
  /** TP / (TP + FN): failures the threshold rejects (sensitivity). */
  readonly tpr: number;
  /** TN / (TN + FP): passes the threshold passes (specificity). */
  readonly tnr: number;
}

/** How the hold-out was drawn. */
export type HeldOutSplit = 'time' | 'stratified';

/** The design's "threshold accuracy" metric: the learned threshold against the formula on held-out units. */
export type HeldOutComparison =
  | {
      readonly evaluated: true;
      readonly split: HeldOutSplit;
      readonly trainN: number;
      readonly heldOutN: number;
      readonly heldOutFailures: number;
      /** The threshold learned on the training part only (the one evaluated). */
      readonly trainThreshold: number;
      readonly learned: ThresholdAccuracy;
      /** Each held-out unit against its own formula threshold. */
      readonly formula: ThresholdAccuracy;
      /** `learned.balancedAccuracy > formula.balancedAccuracy` (strictly). */
      readonly betterThanFormula: boolean;
      /**
       * `formula.balancedAccuracy − learned.balancedAccuracy` on the held-out units, and its paired standard error
       * under the null of no difference, `½ · √(p̃_fail / n_fail + p̃_pass / n_pass)`, with
       * `p̃ = (discordant + 1) / (n + 2)` the add-one share of the class's units that the two thresholds classify
       * differently (see `pairedBalancedAccuracyDifference`).
       */
      readonly formulaAdvantage: number;
      readonly formulaAdvantageSe: number;
      /**
       * What `formulaAdvantage` is computed on: `labels` (above), or `fail_probability`: the expected balanced
       * accuracies under `ThresholdData.failProbability` (see `expectedBalancedAccuracyDifference`). Absent in states
       * written before it existed (labels).
       */
      readonly advantageOutcomes?: 'labels' | 'fail_probability';
      /** The formula is measurably better: `formulaAdvantage > 1.6449 · formulaAdvantageSe` (one-sided 5 %) and > 0. */
      readonly formulaMeasurablyBetter: boolean;
    }
  | {
      readonly evaluated: false;
      readonly split: HeldOutSplit;
      readonly trainN: number;
      readonly heldOutN: number;
      /** Why the comparison could not be made (e.g. the training part learns no threshold). */
      readonly reason: 'train_not_learned' | 'held_out_single_class';
      readonly message: string;
    };

/** Percentiles (linear interpolation between order statistics, numpy's default) of the bootstrap thresholds. */
export interface BootstrapSummary {
  /** Resamples drawn. */
  readonly resamples: number;
  /** Resamples that had at least two distinct sigma values (the others give no threshold and are left out). */
  readonly valid: number;
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
  /** `(ln p95 − ln p5) / 2`: half-width of the 90 % interval in natural-log units. */
  readonly logHalfWidth: number;
}

/** Everything {@link ModelThresholdOptimizer.calculateThreshold} found. Plain JSON (no NaN, no Infinity). */
export interface ThresholdResult {
  readonly modelName: ModelName;
  readonly learned: boolean;
  /** The learned threshold (> 0), or `null`: the caller keeps the formula. */
  readonly threshold: number | null;
  /** In [0, 1]; `null` when no threshold was learned. See `thresholdConfidence`. */
  readonly confidence: number | null;
  readonly reason: ThresholdReason;
  /** A sentence for the user. */
  readonly message: string;
  readonly labelSource: LabelSource;
  readonly objective: ThresholdObjective;
  readonly counts: ThresholdCounts;
  /** The search on all units; `null` when the data could not be searched (one class missing, constant sigma, ...). */
  readonly search: CostSearch | null;
  /** Severity-weighted AUC of sigma, failures against passes; `null` when a class is missing. */
  readonly auc: number | null;
  /** `null` when no threshold was learned on all units. */
  readonly bootstrap: BootstrapSummary | null;
  /** `null` when no threshold was learned on all units. */
  readonly heldOut: HeldOutComparison | null;
  /** Where the threshold comes from (see {@link ThresholdSource}). */
  readonly source: ThresholdSource;
  /** The own cut's weight in the blend (1 for `own`, 0 for `plant_wide`); `null` for `formula`. */
  readonly weight: number | null;
  /** The model's own evidence on the unit-free scale (`null` without a plant-wide threshold or without units). */
  readonly evidence: ThresholdEvidence | null;
  /** The plant-wide threshold model the blend used (`null`: none was given). */
  readonly prior: PlantThresholdPrior | null;
  /** The blend on all units (`null` without a plant-wide threshold). */
  readonly blend: BlendedCut | null;
}

/** One model's own evidence on the unit-free scale. Plain JSON. */
export interface ThresholdEvidence {
  /** `ref_m`: median (type 7) formula threshold of the units. */
  readonly reference: number;
  /** `d_m = ln(median sigma / ref_m)`, the covariate of the plant-wide cut. */
  readonly logMedianRatio: number;
  /** `s_m`: robust spread of ln sigma, `(Q3 − Q1) / 1.349` of ln sigma (type-7 quartiles; the sd of a normal). */
  readonly logSpread: number;
  /** `ℓ_m = logit((failures + ½) / (n + 1))`: the model's smoothed failure rate, on the log-odds scale. */
  readonly failLogit: number;
  readonly n: number;
  readonly failures: number;
  /** The own cut `ĉ_m = ln(t_own / ref_m)`, or `null` when the data give none (one class, constant sigma, no cut beats the trivial ones). */
  readonly cut: number | null;
  /** Its sampling variance `v_m` (see the module comment); `null` with `cut`. */
  readonly variance: number | null;
  /** The bootstrap part `(w / 1.6449)²` of `variance`; `null` with `cut`. */
  readonly bootstrapVariance: number | null;
  /** Severity-weighted AUC of sigma, failures against passes; `null` when a class is missing. */
  readonly auc: number | null;
}

/** The fitted plant-wide threshold model. Plain JSON. */
export interface PlantThresholdPrior {
  readonly kind: 'PlantThresholdPrior';
  readonly version: 1;
  /** The covariates of `z_m` after the intercept, in order. */
  readonly covariates: readonly PriorCovariate[];
  /**
   * `β`: intercept first, then one coefficient per covariate. On `logMedianRatio`, 0 means a plant-wide multiple of
   * the formula and 1 a plant-wide multiple of the model's median sigma.
   */
  readonly coefficients: readonly number[];
  /** `τ²`: between-model variance of the true cuts. */
  readonly tau2: number;
  /** Models with own evidence that the fit used, and how many had outcomes at all. */
  readonly models: number;
  readonly modelsWithOutcomes: number;
  /** Units behind the fit. */
  readonly units: number;
}

/** A blended cut. */
export interface BlendedCut {
  /** The cut on the unit-free scale. */
  readonly cut: number;
  /** The sigma threshold `ref_m · e^cut`. */
  readonly threshold: number;
  /** `w_m`, the weight of the own cut (0: plant-wide). */
  readonly weight: number;
  /** The plant-wide cut `z_m'β̂` of this model. */
  readonly priorCut: number;
  /** Posterior variance of the cut (see the module comment). */
  readonly variance: number;
}

/** The model-level covariates the plant-wide cut may depend on (see {@link PlantThresholdPrior.covariates}). */
export type PriorCovariate = 'logMedianRatio' | 'logSpread' | 'failLogit';

/** Persisted form of a `ModelThresholdOptimizer`: plain JSON. */
export interface ModelThresholdOptimizerState {
  readonly kind: 'ModelThresholdOptimizer';
  /** 2 since the plant-wide blend (version-1 states load: see `ModelThresholdOptimizer.fromState`). */
  readonly version: 2;
  readonly modelName: ModelName;
  readonly options: ResolvedThresholdOptions;
  /** The last `ModelThresholdOptimizer.calculateThreshold` result; `null` before the first. */
  readonly result: ThresholdResult | null;
}

/** A version-1 state, as stored before the plant-wide blend. */
export interface ModelThresholdOptimizerStateV1 {
  readonly kind: 'ModelThresholdOptimizer';
  readonly version: 1;
  readonly modelName: ModelName;
  readonly options: Omit<ResolvedThresholdOptions, 'severityWeighted'>;
  readonly result: Omit<ThresholdResult, 'source' | 'weight' | 'evidence' | 'prior' | 'blend'> | null;
}
