/**
 * The design's `ModelThresholdOptimizer`: one model's sigma threshold learned from pass/fail outcomes, weighted by
 * severity, with its confidence and an out-of-sample comparison with the plant formula.
 *
 * @module
 */
import { createRng } from '../core/rng.js';
import type { ModelName } from '../core/types.js';
import { thresholdAccuracy } from './accuracy.js';
import { bootstrapThreshold } from './bootstrap.js';
import { thresholdConfidence } from './confidence.js';
import { fitThreshold } from './fit.js';
import { resolveThresholdOptions } from './options.js';
import { splitHeldOut } from './split.js';
import { validateThresholdState } from './state.js';
import { type PreparedThresholdData, prepareThresholdData } from './threshold-data.js';
import type {
  HeldOutComparison,
  ResolvedThresholdOptions,
  ThresholdData,
  ThresholdObjective,
  ThresholdOptions,
  ThresholdResult,
} from './types.js';

/** Persisted form of a {@link ModelThresholdOptimizer}: plain JSON. */
export interface ModelThresholdOptimizerState {
  readonly kind: 'ModelThresholdOptimizer';
  readonly version: 1;
  readonly modelName: ModelName;
  readonly options: ResolvedThresholdOptions;
  /** The last {@link ModelThresholdOptimizer.calculateThreshold} result; `null` before the first. */
  readonly result: ThresholdResult | null;
}

/** A different stream from the bootstrap's for the stratified hold-out draw. */
const SPLIT_SEED_SALT = 0x2545f491;

/**
 * Learns a model's sigma threshold: `sigma ≤ threshold` passes a unit.
 *
 * **Objective.** The threshold minimises the expected cost
 * `costRatio · Σ_{fail, σ ≤ t} severity / W_fail + #{pass, σ > t} / N_pass` (escapes weighted by severity, false
 * rejects counted; each normalised by its class total by default, `normalization: 'none'` uses raw sums). With the
 * default `costRatio = 1` this maximises the severity-weighted balanced accuracy. Candidates are the cuts between
 * consecutive distinct sigma values; ties go to the widest optimal plateau and the threshold is its geometric
 * middle (see `searchCostOptimalThreshold`). The threshold is always > 0.
 *
 * **When it refuses.** Too few units, no / too few failures or passes, constant sigma, or no separation: the result
 * has `learned: false`, `threshold: null`, a machine `reason` and a human `message`; the caller keeps the formula.
 * No other formula is ever substituted.
 *
 * **Confidence** (see {@link thresholdConfidence}):
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
   */
  calculateThreshold(data: ThresholdData): ThresholdResult {
    const d = prepareThresholdData(data);
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
      result = { ...base, learned: false, threshold: null, confidence: null, reason: fit.reason, bootstrap: null, heldOut: null };
    } else {
      const bootstrap = bootstrapThreshold(d.sigma, d.fail, d.severity, fit.order, this.objective, o.bootstrapResamples, createRng(o.seed));
      const minorityCount = Math.min(fit.counts.failures, fit.counts.passes);
      const confidence = bootstrap
        ? thresholdConfidence({ auc: fit.auc, logHalfWidth: bootstrap.logHalfWidth, minorityCount }, o)
        : 0;
      result = {
        ...base,
        learned: true,
        threshold: fit.threshold,
        confidence,
        reason: 'learned',
        bootstrap,
        heldOut: this.compareWithFormula(d),
      };
    }
    this.last = result;
    return result;
  }

  private compareWithFormula(d: PreparedThresholdData): HeldOutComparison {
    const o = this.options;
    const { split, train, heldOut } = splitHeldOut(d.fail, o.heldOutFraction, createRng(Math.trunc(o.seed) ^ SPLIT_SEED_SALT), d.dates);
    const sizes = { split, trainN: train.length, heldOutN: heldOut.length };
    const trainFit = fitThreshold(d.sigma, d.fail, d.severity, o, train);
    if (trainFit.threshold === null) {
      return { ...sizes, evaluated: false, reason: 'train_not_learned', message: `Training part (${train.length} units): ${trainFit.message}` };
    }
    const learned = thresholdAccuracy(d.sigma, d.fail, trainFit.threshold, heldOut);
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
    return {
      ...sizes,
      evaluated: true,
      heldOutFailures,
      trainThreshold: trainFit.threshold,
      learned,
      formula,
      betterThanFormula: learned.balancedAccuracy > formula.balancedAccuracy,
    };
  }

  /** The versioned plain-JSON state (a deep copy). */
  toState(): ModelThresholdOptimizerState {
    return {
      kind: 'ModelThresholdOptimizer',
      version: 1,
      modelName: this.modelName,
      options: { ...this.options },
      result: this.last === null ? null : (JSON.parse(JSON.stringify(this.last)) as ThresholdResult),
    };
  }

  /**
   * Restores an optimizer from {@link toState} output. Throws `StateVersionError` for another kind or version and
   * `InvalidInputError` for a malformed state.
   */
  static fromState(state: ModelThresholdOptimizerState): ModelThresholdOptimizer {
    validateThresholdState(state);
    const opt = new ModelThresholdOptimizer(state.modelName, state.options);
    opt.last = state.result === null ? null : (JSON.parse(JSON.stringify(state.result)) as ThresholdResult);
    return opt;
  }
}
