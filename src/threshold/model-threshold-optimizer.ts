/**
 * The design's `ModelThresholdOptimizer`: one model's sigma threshold learned from pass/fail outcomes, weighted by
 * severity, with its confidence and an out-of-sample comparison with the plant formula.
 *
 * @module
 */
import { jsonClone } from '../core/json-clone.js';
import { createRng } from '../core/rng.js';
import type { ModelName } from '../core/types.js';
import { thresholdAccuracy } from './accuracy.js';
import { bootstrapThreshold } from './bootstrap.js';
import { thresholdConfidence } from './confidence.js';
import { searchCostOptimalThreshold } from './cost-search.js';
import { fitThreshold } from './fit.js';
import { groupBySigma, sortBySigma, weightedAuc } from './sigma-groups.js';
import { resolveThresholdOptions } from './options.js';
import { splitHeldOut } from './split.js';
import { blendCut, thresholdEvidence, validatePlantPrior, Z_95, type PlantThresholdPrior, type ThresholdEvidence } from './plant-prior.js';
import { validateThresholdState } from './state.js';
import { type PreparedThresholdData, prepareThresholdData } from './threshold-data.js';
import type {
  HeldOutComparison,
  ModelThresholdOptimizerState,
  ModelThresholdOptimizerStateV1,
  ResolvedThresholdOptions,
  ThresholdData,
  ThresholdObjective,
  ThresholdOptions,
  ThresholdResult,
} from './types.js';

// The state types live in types.ts, which state.ts (the validation) imports without an import cycle.
export type { ModelThresholdOptimizerState, ModelThresholdOptimizerStateV1 };

/** A different stream from the bootstrap's for the stratified hold-out draw. */
const SPLIT_SEED_SALT = 0x2545f491;

/**
 * Learns a model's sigma threshold: `sigma ≤ threshold` passes a unit.
 *
 * **Objective.** The threshold minimises the expected cost
 * `costRatio · Σ_{fail, σ ≤ t} severity / W_fail + #{pass, σ > t} / N_pass` (escapes weighted by severity, false
 * rejects counted; each normalised by its class total by default, `normalization: 'none'` uses raw sums). Severity
 * is 1 for every unit unless `severityWeighted: true`, so with the default `costRatio = 1` this maximises the
 * balanced accuracy (the severity-weighted one with `severityWeighted`). Candidates are the cuts between
 * consecutive distinct sigma values; ties go to the widest optimal plateau and the threshold is its geometric
 * middle (see `searchCostOptimalThreshold`). The threshold is always > 0.
 *
 * **When it refuses.** Too few units, no / too few failures or passes, constant sigma, or no separation: the result
 * has `learned: false`, `threshold: null`, a machine `reason` and a human `message`; the caller keeps the formula.
 * No other formula is ever substituted.
 *
 * **With a plant-wide threshold** (`calculateThreshold(data, prior)`, `prior` from `fitPlantPrior` over all
 * models): the threshold is the empirical-Bayes blend `blendCut` of the model's own cut on the unit-free scale
 * (`thresholdEvidence`) and the plant-wide cut, with the own cut's weight `τ² / (τ² + v_m)`; with
 * `data.failProbability` the own cut maximises the expected balanced accuracy under those probabilities. The minimum counts do
 * not apply: a model with a handful of outcomes gets a weight near 0, one with no own cut (one class only) the
 * plant-wide cut (`source: 'plant_wide'`). The formula stays only when the model has no outcomes at all
 * (`no_outcomes`) or when on the held-out units the formula is measurably better (`formula_better`: its balanced
 * accuracy exceeds the blend's, learned on the training part with the same prior, by more than 1.6449 paired
 * standard errors; with `data.failProbability` the expected balanced accuracy under those probabilities, see
 * `expectedBalancedAccuracyDifference`, else the labels', see `pairedBalancedAccuracyDifference`). Confidence is then `exp(−1.6449 · √(posterior variance) / spreadScale)`: how tightly the blended
 * cut is pinned down (1.6449 sd = the half-width of its 90 % interval).
 *
 * **Confidence** without a plant-wide threshold (see `thresholdConfidence`):
 * `max(0, (AUC − 0.5)/0.5) × exp(−w / spreadScale) × m / (m + supportScale)`, with the severity-weighted AUC of
 * sigma, `w` the log half-width of the 90 % interval of a seeded, stratified bootstrap (`bootstrapResamples`,
 * default 200) of the threshold, and `m = min(failures, passes)`.
 *
 * **Held-out comparison** (the design's "threshold accuracy"): the units are split (latest `heldOutFraction` by
 * date when `dates` are given, else a seeded stratified draw), a threshold is learned on the training part with the
 * same rules, and `sigma ≤ t` and `sigma ≤ formula` are scored on the held-out units (accuracy, balanced accuracy
 * with fail as positive, TPR, TNR). The reported threshold is then the one fitted on all units.
 *
 * @example
 * ```ts
 * const opt = new ModelThresholdOptimizer('8340-1');
 * const r = opt.calculateThreshold({ sigma, fail, failPoints, formulaThreshold, labelSource: 'final_test', dates });
 * if (r.learned) console.log(r.threshold, r.confidence, r.heldOut);
 * else console.log(r.reason, r.message); // keep the formula
 * const restored = ModelThresholdOptimizer.fromState(JSON.parse(JSON.stringify(opt.toState())));
 * ```
 */
export class ModelThresholdOptimizer {
  readonly modelName: ModelName;
  readonly options: ResolvedThresholdOptions;
  private last: ThresholdResult | null = null;

  constructor(modelName: ModelName, options: ThresholdOptions = {}) {
    this.modelName = modelName;
    this.options = resolveThresholdOptions(options);
  }

  /** The learned threshold; `null` before training or when none was learned (use the formula). */
  get threshold(): number | null {
    return this.last?.threshold ?? null;
  }

  /** Confidence of the learned threshold in [0, 1]; `null` when there is none. */
  get confidence(): number | null {
    return this.last?.confidence ?? null;
  }

  /** The last result; `null` before {@link calculateThreshold}. */
  get result(): ThresholdResult | null {
    return this.last;
  }

  /** The objective parameters in force. */
  get objective(): ThresholdObjective {
    return { costRatio: this.options.costRatio, normalization: this.options.normalization };
  }

  /**
   * Learns the threshold from one model's units (see the class comment). Throws `InvalidInputError` for malformed
   * data; data that cannot support a threshold gives `learned: false` instead.
   *
   * @param prior - the plant-wide threshold (`fitPlantPrior`); `null`: the own cut alone, with its minimums.
   * @param evidence - `evidenceOf(data)` when already computed (e.g. for the prior), to save its bootstrap; it must
   *   come from the same data and options.
   */
  calculateThreshold(data: ThresholdData, prior: PlantThresholdPrior | null = null, evidence?: ThresholdEvidence | null): ThresholdResult {
    const d = this.weighted(prepareThresholdData(data));
    if (prior !== null) {
      validatePlantPrior(prior);
      const result = this.blended(d, data.labelSource, prior, evidence);
      this.last = result;
      return result;
    }
    const o = this.options;
    const fit = fitThreshold(d.sigma, d.fail, d.severity, o);
    const base = {
      modelName: this.modelName,
      message: fit.message,
      labelSource: data.labelSource,
      objective: this.objective,
      counts: fit.counts,
      search: fit.search,
      auc: fit.auc,
    };
    let result: ThresholdResult;
    if (fit.reason !== 'learned' || fit.threshold === null || fit.auc === null) {
      result = {
        ...base,
        ...NO_BLEND,
        learned: false,
        threshold: null,
        confidence: null,
        reason: fit.reason,
        bootstrap: null,
        heldOut: null,
        source: 'formula',
        weight: null,
      };
    } else {
      const bootstrap = bootstrapThreshold(d.sigma, d.fail, d.severity, fit.order, this.objective, o.bootstrapResamples, createRng(o.seed));
      const minorityCount = Math.min(fit.counts.failures, fit.counts.passes);
      const confidence = bootstrap ? thresholdConfidence({ auc: fit.auc, logHalfWidth: bootstrap.logHalfWidth, minorityCount }, o) : 0;
      result = {
        ...base,
        learned: true,
        threshold: fit.threshold,
        confidence,
        reason: 'learned',
        bootstrap,
        heldOut: this.compareWithFormula(d),
        ...NO_BLEND,
        source: 'own',
        weight: 1,
      };
    }
    this.last = result;
    return result;
  }

  /**
   * The model's own evidence on the unit-free scale (`thresholdEvidence`) with this optimizer's objective,
   * weighting and bootstrap: what `fitPlantPrior` is fitted to. `null` when there are no units.
   *
   * @example
   * ```ts
   * const prior = fitPlantPrior(models.map((m) => new ModelThresholdOptimizer(m.name).evidenceOf(m.data)));
   * ```
   */
  evidenceOf(data: ThresholdData): ThresholdEvidence | null {
    const d = this.weighted(prepareThresholdData(data));
    return thresholdEvidence(
      d.sigma,
      d.fail,
      d.severity,
      d.formulaThreshold,
      this.objective,
      this.options.bootstrapResamples,
      this.options.seed,
      undefined,
      undefined,
      d.softFail,
    );
  }

  /** Severity weights replaced by 1 (failures and passes alike) unless `severityWeighted`. */
  private weighted(d: PreparedThresholdData): PreparedThresholdData {
    return this.options.severityWeighted ? d : { ...d, severity: new Float64Array(d.sigma.length).fill(1) };
  }

  /** The blend with a plant-wide threshold (see the class comment). */
  private blended(
    d: PreparedThresholdData,
    labelSource: ThresholdData['labelSource'],
    prior: PlantThresholdPrior,
    given?: ThresholdEvidence | null,
  ): ThresholdResult {
    const o = this.options;
    const n = d.sigma.length;
    let failures = 0;
    for (let i = 0; i < n; i++) failures += d.fail[i]!;
    const order = sortBySigma(d.sigma);
    const groups = groupBySigma(d.sigma, d.fail, d.severity, order);
    const search = searchCostOptimalThreshold(groups, this.objective);
    const base = {
      modelName: this.modelName,
      labelSource,
      objective: this.objective,
      counts: { n, failures, passes: n - failures, distinctSigma: groups.values.length },
      search,
      auc: weightedAuc(groups),
      bootstrap: null,
      prior,
    };
    const evidence =
      given !== undefined
        ? given
        : thresholdEvidence(
            d.sigma,
            d.fail,
            d.severity,
            d.formulaThreshold,
            this.objective,
            o.bootstrapResamples,
            o.seed,
            undefined,
            undefined,
            d.softFail,
          );
    if (evidence === null) {
      return {
        ...base,
        learned: false,
        threshold: null,
        confidence: null,
        reason: 'no_outcomes',
        source: 'formula',
        weight: null,
        message: 'No units with an outcome: the formula threshold stays.',
        heldOut: null,
        evidence: null,
        blend: null,
      };
    }
    const blend = blendCut(evidence, prior);
    // The training part's bootstrap variance is scaled from all units' (see thresholdEvidence's scaleFrom).
    const heldOut = this.compareWithFormula(d, (train) => {
      const e = thresholdEvidence(
        d.sigma,
        d.fail,
        d.severity,
        d.formulaThreshold,
        this.objective,
        o.bootstrapResamples,
        o.seed,
        train,
        evidence,
        d.softFail,
      );
      return e === null ? null : blendCut(e, prior).threshold;
    });
    const source = blend.weight > 0 ? 'blended' : 'plant_wide';
    const what =
      source === 'plant_wide'
        ? `Plant-wide threshold (no own cut: ${failures} failures among ${n} units)`
        : `Blend of the own cut (weight ${blend.weight.toFixed(3)}) and the plant-wide cut, ${n} units (${failures} failures)`;
    const evalText = heldOut.evaluated
      ? ` Held out ${heldOut.heldOutN} units (${heldOut.heldOutFailures} failures): balanced accuracy ${heldOut.learned.balancedAccuracy.toFixed(3)} against the formula's ${heldOut.formula.balancedAccuracy.toFixed(3)}.`
      : '';
    if (heldOut.evaluated && heldOut.formulaMeasurablyBetter) {
      return {
        ...base,
        learned: false,
        threshold: null,
        confidence: null,
        reason: 'formula_better',
        source: 'formula',
        weight: null,
        heldOut,
        evidence,
        blend,
        message: `The formula is measurably better on the held-out units: ${heldOut.formulaAdvantage.toFixed(3)} more balanced accuracy (standard error ${heldOut.formulaAdvantageSe.toFixed(3)}, ${heldOut.heldOutN} units).${evalText} The formula threshold stays.`,
      };
    }
    return {
      ...base,
      learned: true,
      threshold: blend.threshold,
      confidence: Math.exp((-Z_95 * Math.sqrt(blend.variance)) / o.spreadScale),
      reason: 'learned',
      source,
      weight: blend.weight,
      message: `${what}: ${blend.threshold.toPrecision(4)} = ${Math.exp(blend.cut).toPrecision(4)} × the median formula threshold.${evalText}`,
      heldOut,
      evidence,
      blend,
    };
  }

  private compareWithFormula(d: PreparedThresholdData, learn?: (train: Int32Array) => number | null): HeldOutComparison {
    const o = this.options;
    const { split, train, heldOut } = splitHeldOut(d.fail, o.heldOutFraction, createRng(Math.trunc(o.seed) ^ SPLIT_SEED_SALT), d.dates);
    const sizes = { split, trainN: train.length, heldOutN: heldOut.length };
    let trainThreshold: number | null;
    if (learn) {
      trainThreshold = learn(train);
      if (trainThreshold === null) {
        return {
          ...sizes,
          evaluated: false,
          reason: 'train_not_learned',
          message: `The training part (${train.length} units) has no outcome.`,
        };
      }
    } else {
      const trainFit = fitThreshold(d.sigma, d.fail, d.severity, o, train);
      if (trainFit.threshold === null) {
        return {
          ...sizes,
          evaluated: false,
          reason: 'train_not_learned',
          message: `Training part (${train.length} units): ${trainFit.message}`,
        };
      }
      trainThreshold = trainFit.threshold;
    }
    const learned = thresholdAccuracy(d.sigma, d.fail, trainThreshold, heldOut);
    const formula = thresholdAccuracy(d.sigma, d.fail, d.formulaThreshold, heldOut);
    if (learned === null || formula === null) {
      return {
        ...sizes,
        evaluated: false,
        reason: 'held_out_single_class',
        message: `The ${heldOut.length} held-out units are all of one outcome: balanced accuracy is undefined.`,
      };
    }
    let heldOutFailures = 0;
    for (const i of heldOut) heldOutFailures += d.fail[i]!;
    // With Final Test probabilities the test is on the expected balanced accuracy the cut maximises (docs/thresholds.md, section 6).
    const paired = d.softFail
      ? expectedBalancedAccuracyDifference(d.sigma, d.softFail, trainThreshold, d.formulaThreshold, heldOut)
      : pairedBalancedAccuracyDifference(d.sigma, d.fail, trainThreshold, d.formulaThreshold, heldOut);
    return {
      ...sizes,
      evaluated: true,
      heldOutFailures,
      trainThreshold,
      learned,
      formula,
      betterThanFormula: learned.balancedAccuracy > formula.balancedAccuracy,
      formulaAdvantage: paired.difference,
      formulaAdvantageSe: paired.se,
      advantageOutcomes: d.softFail ? 'fail_probability' : 'labels',
      formulaMeasurablyBetter: paired.difference > 0 && paired.difference > Z_95 * paired.se,
    };
  }

  /** The versioned plain-JSON state (a deep copy). */
  toState(): ModelThresholdOptimizerState {
    return {
      kind: 'ModelThresholdOptimizer',
      version: 2,
      modelName: this.modelName,
      options: { ...this.options },
      result: this.last === null ? null : jsonClone(this.last),
    };
  }

  /**
   * Restores an optimizer from {@link toState} output. A version-1 state (before the plant-wide blend) loads as
   * `source: 'own'` (weight 1) when it had learned a threshold, else `formula`, with the severity weighting it was
   * learned with (`severityWeighted: true`). Throws `StateVersionError` for another kind or version and
   * `InvalidInputError` for a malformed state.
   */
  static fromState(state: ModelThresholdOptimizerState | ModelThresholdOptimizerStateV1): ModelThresholdOptimizer {
    const s = upgradeThresholdState(state);
    validateThresholdState(s);
    const opt = new ModelThresholdOptimizer(s.modelName, s.options);
    opt.last = s.result === null ? null : jsonClone(s.result);
    return opt;
  }
}

/** A version-1 state as version 2 (see {@link ModelThresholdOptimizer.fromState}); anything else is returned as is. */
export function upgradeThresholdState(state: ModelThresholdOptimizerState | ModelThresholdOptimizerStateV1): ModelThresholdOptimizerState {
  const s = state as Partial<ModelThresholdOptimizerStateV1> | null | undefined;
  if (s?.kind !== 'ModelThresholdOptimizer' || s.version !== 1 || typeof s.options !== 'object' || s.options === null) {
    return state as ModelThresholdOptimizerState;
  }
  const r = s.result;
  return {
    kind: 'ModelThresholdOptimizer',
    version: 2,
    modelName: s.modelName!,
    options: { ...s.options, severityWeighted: true },
    result:
      r === null || r === undefined
        ? null
        : { ...r, source: r.learned ? 'own' : 'formula', weight: r.learned ? 1 : null, evidence: null, prior: null, blend: null },
  };
}

/** No plant-wide threshold: the fields of the blend. */
const NO_BLEND = { evidence: null, prior: null, blend: null } as const;

/**
 * The paired difference `BA(formula) − BA(learned)` on the held-out `units` (fail is the positive class) and its
 * standard error under the null of equal balanced accuracy (a McNemar-type score test, per class). With
 * `d_i = [σ_i > learned] − [σ_i > formula_i]` ∈ {−1, 0, 1}, `BA(learned) − BA(formula) = ½ (mean_fail d − mean_pass d)`
 * (a rejected failure counts for a threshold, a rejected pass against). Under the null `E d = 0`, so
 * `var d = P(discordant)`, estimated with add-one (Laplace) smoothing `p̃ = (discordant + 1) / (n + 2)` so that a
 * class of one or two units cannot make the test certain: `SE = ½ √(p̃_fail / n_fail + p̃_pass / n_pass)`.
 * Both classes must be present.
 *
 * @example
 * ```ts
 * // sigma 1, 2, 3, 4; fail 0, 0, 1, 1; learned 2.5, formula 1.5 (every unit's own):
 * // d = [0, −1, 0, 0]: passes mean −0.5, 1 of 2 discordant (p̃ = 2/4); failures mean 0, 0 of 2 (p̃ = 1/4)
 * // BA(learned) − BA(formula) = ½ (0 − (−0.5)) = 0.25 → difference −0.25; SE = ½ √(0.25/2 + 0.5/2) = 0.30619
 * ```
 */
export function pairedBalancedAccuracyDifference(
  sigma: Float64Array,
  fail: Uint8Array,
  learned: number,
  formula: Float64Array,
  units: ArrayLike<number>,
): { difference: number; se: number } {
  const acc = [
    { n: 0, sum: 0, discordant: 0 },
    { n: 0, sum: 0, discordant: 0 },
  ];
  for (let k = 0; k < units.length; k++) {
    const i = units[k]!;
    const d = (sigma[i]! > learned ? 1 : 0) - (sigma[i]! > formula[i]! ? 1 : 0);
    const a = acc[fail[i]!]!;
    a.n++;
    a.sum += d;
    if (d !== 0) a.discordant++;
  }
  const [p, f] = acc as [(typeof acc)[0], (typeof acc)[0]];
  const mean = (a: typeof p): number => (a.n > 0 ? a.sum / a.n : 0);
  const varOfMean = (a: typeof p): number => (a.n > 0 ? (a.discordant + 1) / (a.n + 2) / a.n : 0);
  return { difference: -0.5 * (mean(f) - mean(p)), se: 0.5 * Math.sqrt(varOfMean(f) + varOfMean(p)) };
}

/**
 * The paired difference `E BA(formula) − E BA(learned)` of the *expected* balanced accuracies on the held-out
 * `units` when each unit fails with probability `q_i` (`softFail`, e.g. the pooled forest's Final Test probability;
 * the same expectation the soft cut search maximises), and its standard error under the null of no difference.
 * With `Q = Σ q_i`, `P = Σ (1 − q_i)` over `units`, `d_i = [σ_i > learned] − [σ_i > formula_i]` and
 * `c_i = q_i / Q − (1 − q_i) / P`:
 *
 *     E TPR(t) = Σ q_i [σ_i > t] / Q,   E TNR(t) = Σ (1 − q_i) [σ_i ≤ t] / P
 *     E BA(learned) − E BA(formula) = ½ Σ c_i d_i           (difference = −½ Σ c_i d_i)
 *     SE = ½ √(Σ c_i² d_i² + 1 / Q² + 1 / P²)
 *
 * `Σ c_i² d_i²` is the score-type (null-centred) variance of the linear statistic over independently drawn units,
 * as in the McNemar test; `1 / Q² + 1 / P²` adds one discordant pseudo-unit per class so that a few held-out units
 * cannot make the test certain. With 0/1 probabilities this is the labels' test with the add-one share
 * `(discordant + 1) / n` in place of `(discordant + 1) / (n + 2)` (see {@link pairedBalancedAccuracyDifference}).
 * Returns `se = Infinity` (never significant) when `Q` or `P` is 0.
 *
 * @example
 * ```ts
 * // sigma 1, 2, 3, 4; q 0.1, 0.2, 0.6, 0.9; learned 2.5, formula 1.5: only unit 1 differs, d = −1
 * // Q = 1.8, P = 2.2, c = 0.2/1.8 − 0.8/2.2 = −0.252525; difference = −½ · 0.252525 = −0.126263
 * // SE = ½ √(0.252525² + 1/1.8² + 1/2.2²) = 0.380468
 * expectedBalancedAccuracyDifference(Float64Array.from([1, 2, 3, 4]), Float64Array.from([0.1, 0.2, 0.6, 0.9]), 2.5, new Float64Array(4).fill(1.5), [0, 1, 2, 3]);
 * ```
 */
export function expectedBalancedAccuracyDifference(
  sigma: Float64Array,
  softFail: Float64Array,
  learned: number,
  formula: Float64Array,
  units: ArrayLike<number>,
): { difference: number; se: number } {
  let wFail = 0;
  let wPass = 0;
  for (let k = 0; k < units.length; k++) {
    const q = softFail[units[k]!]!;
    wFail += q;
    wPass += 1 - q;
  }
  if (!(wFail > 0) || !(wPass > 0)) return { difference: 0, se: Number.POSITIVE_INFINITY };
  let sum = 0;
  let variance = 1 / (wFail * wFail) + 1 / (wPass * wPass);
  for (let k = 0; k < units.length; k++) {
    const i = units[k]!;
    const d = (sigma[i]! > learned ? 1 : 0) - (sigma[i]! > formula[i]! ? 1 : 0);
    if (d === 0) continue;
    const c = softFail[i]! / wFail - (1 - softFail[i]!) / wPass;
    sum += c * d;
    variance += c * c;
  }
  return { difference: -0.5 * sum, se: 0.5 * Math.sqrt(variance) };
}
