/**
 * The plant-wide threshold and its empirical-Bayes blend with each model's own evidence.
 *
 * **Unit-free scale.** A model's sigma is measured against its reference `ref_m`, the median (type 7) of the plant
 * formula threshold over its units: `x = ln(sigma / ref_m)`. A cut `c` on this scale is the sigma threshold
 * `ref_m · e^c`; `c = 0` is the formula itself. The covariate `d_m = ln(median sigma_m / ref_m)` says where the
 * model's sigma sits against its formula. The plant-wide cut of a model is `β0 + β1 · d_m`, so the data choose the
 * scale: `β1 = 0` is a fixed multiple of the formula, `β1 = 1` a fixed multiple of the model's median sigma
 * (`ln(sigma / median sigma)`), anything between a mix (see docs/thresholds.md for the measurements).
 *
 * **Own evidence** of a model ({@link ThresholdEvidence}): its own cost-optimal cut `ĉ_m` on the scale (the same
 * severity-weighted search as {@link ModelThresholdOptimizer}) with a sampling variance
 * `v_m = (w_boot / 1.6449)² + W² / 12`: `w_boot` the log half-width of the 90 % stratified-bootstrap interval (so
 * `(w_boot / z_0.95)²` is the variance of a normal with that interval) plus the variance of a uniform over the
 * optimal plateau of log-width `W` (every cut in it is equally optimal, so the data do not say where in it the cut
 * is). A model whose best cut does not beat "pass everything" / "reject everything" has no own evidence.
 *
 * **Fay–Herriot model** (Fay & Herriot 1979, JASA 74:269; Rao & Molina, *Small Area Estimation*, 2015, ch. 6):
 * `ĉ_m = z_m'β + u_m + e_m`, `z_m = (1, d_m)`, `u_m ~ N(0, τ²)` the between-model variation of the true cuts,
 * `e_m ~ N(0, v_m)` the sampling error. `β` is the weighted least-squares fit with weights `1 / (τ² + v_m)`, and
 * `τ²` the Fay–Herriot moment estimator: the root of `Σ (ĉ_m − z_m'β̂(τ²))² / (τ² + v_m) = M − p` (`M` models,
 * `p = 2` coefficients), 0 when the left side is already below `M − p` at `τ² = 0`.
 *
 * **Blend** (the empirical-Bayes / BLUP estimate): `w_m = τ² / (τ² + v_m)` = own precision / (own + prior
 * precision), `c_m = w_m · ĉ_m + (1 − w_m) · z_m'β̂`. A model without own evidence has `w_m = 0` (the plant-wide
 * cut). Its posterior variance is `w_m · v_m` (own evidence) or `τ²` (none; the uncertainty of `β̂` is ignored, as
 * it is small against `τ²` with hundreds of models).
 *
 * @module
 */
import { InvalidInputError, StateVersionError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { quantileLinear } from '../core/stats/descriptive.js';
import { solveLinearInPlace } from '../core/stats/linear-solve.js';
import { bootstrapThreshold } from './bootstrap.js';
import { searchCostOptimalThreshold } from './cost-search.js';
import { groupBySigma, groupBySigmaSoft, sortBySigma, weightedAuc } from './sigma-groups.js';
import type { BlendedCut, PlantThresholdPrior, PriorCovariate, ThresholdEvidence, ThresholdObjective } from './types.js';

// The prior's types live in types.ts with the optimizer's (types.ts imports nothing of threshold/: no cycle).
export type { BlendedCut, PlantThresholdPrior, PriorCovariate, ThresholdEvidence };

/** `z_0.95`, the standard normal 95th percentile: a 90 % interval of a normal is `±1.6449 sd`. */
export const Z_95 = 1.6448536269514722;

/**
 * The own evidence of one model (see the module comment). `sigma`, `fail`, `severity` and `formula` are indexed
 * alike; `subset` restricts to some units (default: all). Returns `null` when there are no units.
 *
 * With `scaleFrom` (the evidence of a superset of the units, e.g. all of them, for a training part of the hold-out)
 * no bootstrap is drawn: the bootstrap variance is `scaleFrom`'s scaled by `n_scaleFrom / n` (variance ∝ 1/n). A cut
 * point's variance falls only as `n^(−2/3)` (cube-root rate), so for a smaller subset this overstates the variance
 * (by `(n_scaleFrom / n)^(1/3)`, 1.13 for a 70 % part) and errs towards a lower own weight; it saves a bootstrap. The
 * plateau term is the subset's own.
 *
 * With `soft` (each unit's probability of failing Final Test, see `groupBySigmaSoft`) the own cut maximises the
 * expected balanced accuracy under those probabilities, its bootstrap resamples units, and `auc` is the expected
 * AUC; `failures`, `n` and `failLogit` stay the counts of the `fail` labels.
 *
 * @example
 * ```ts
 * const e = thresholdEvidence(sigma, fail, severity, formula, objective, 200, 42);
 * e?.cut; // ln(own threshold / median formula), or null
 * ```
 */
export function thresholdEvidence(
  sigma: Float64Array,
  fail: Uint8Array,
  severity: Float64Array,
  formula: Float64Array,
  objective: ThresholdObjective,
  resamples: number,
  seed: number,
  subset?: Int32Array,
  scaleFrom?: ThresholdEvidence,
  soft?: Float64Array,
): ThresholdEvidence | null {
  const order = sortBySigma(sigma, subset);
  const n = order.length;
  if (n === 0) return null;
  const f: number[] = [];
  const s: number[] = [];
  let failures = 0;
  for (const i of order) {
    f.push(formula[i]!);
    s.push(sigma[i]!);
    failures += fail[i]!;
  }
  const reference = quantileLinear(f, 0.5)!;
  const logMedianRatio = Math.log(quantileLinear(s, 0.5)! / reference);
  const logS = s.map(Math.log);
  const logSpread = (quantileLinear(logS, 0.75)! - quantileLinear(logS, 0.25)!) / 1.349;
  const rate = (failures + 0.5) / (n + 1);
  const failLogit = Math.log(rate / (1 - rate));
  const groups = soft ? groupBySigmaSoft(sigma, soft, severity, order) : groupBySigma(sigma, fail, severity, order);
  const auc = weightedAuc(groups);
  const base = { reference, logMedianRatio, logSpread, failLogit, n, failures, auc };
  const search = searchCostOptimalThreshold(groups, objective);
  if (search === null || !(search.cost < Math.min(search.costPassAll, search.costRejectAll))) {
    return { ...base, cut: null, variance: null, bootstrapVariance: null };
  }
  let bootstrapVariance: number;
  if (scaleFrom?.bootstrapVariance != null && scaleFrom.n > 0) {
    bootstrapVariance = (scaleFrom.bootstrapVariance * scaleFrom.n) / n;
  } else {
    const boot = bootstrapThreshold(sigma, fail, severity, order, objective, resamples, createRng(seed), soft);
    const wBoot = boot ? boot.logHalfWidth / Z_95 : 0;
    bootstrapVariance = wBoot * wBoot;
  }
  const plateau = Math.log(search.plateauHigh / search.plateauLow);
  return {
    ...base,
    cut: Math.log(search.threshold / reference),
    variance: bootstrapVariance + (plateau * plateau) / 12,
    bootstrapVariance,
  };
}

/** The default covariates of the plant-wide cut (see docs/thresholds.md for the measurements behind them). */
export const DEFAULT_PRIOR_COVARIATES: readonly PriorCovariate[] = [];

/** `z_m = (1, covariates...)` of a model. */
export function priorDesignRow(e: ThresholdEvidence, covariates: readonly PriorCovariate[]): number[] {
  return [1, ...covariates.map((c) => e[c])];
}

/**
 * WLS fit of `y = Zβ` with weights `1 / max(τ² + v, 1e-12)` (normal equations; the floor keeps a model with an
 * exact cut and `τ² = 0` finite); `null` when `Z'WZ` is singular.
 */
function wls(y: readonly number[], Z: readonly number[][], v: readonly number[], tau2: number): { beta: number[]; q: number } | null {
  const p = Z[0]!.length;
  const A = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  for (let m = 0; m < y.length; m++) {
    const w = 1 / Math.max(tau2 + v[m]!, 1e-12);
    const z = Z[m]!;
    for (let j = 0; j < p; j++) {
      rhs[j]! += w * z[j]! * y[m]!;
      for (let k = 0; k < p; k++) A[j * p + k]! += w * z[j]! * z[k]!;
    }
  }
  let beta: number[];
  try {
    beta = Array.from(solveLinearInPlace(A, rhs, p));
  } catch {
    return null;
  }
  if (!beta.every(Number.isFinite)) return null;
  let q = 0;
  for (let m = 0; m < y.length; m++) {
    let fit = 0;
    for (let j = 0; j < p; j++) fit += Z[m]![j]! * beta[j]!;
    q += (y[m]! - fit) ** 2 / Math.max(tau2 + v[m]!, 1e-12);
  }
  return { beta, q };
}

/**
 * Fits the Fay–Herriot model (see the module comment) to the models' evidence, with the plant-wide cut
 * `z_m'β`, `z_m = (1, covariates of the model)`. Models without an own cut are counted in `modelsWithOutcomes` but
 * do not enter the fit. Returns `null` when fewer than `p + 1` models have an own cut (`M − p` must be ≥ 1); a
 * singular design (e.g. every model with the same covariate) falls back to the intercept alone.
 *
 * @param covariates - default {@link DEFAULT_PRIOR_COVARIATES}; `[]` fits one plant-wide multiple of the formula.
 * @example
 * ```ts
 * // three models with cuts 0, 1, 2 and variances 0, intercept only: τ² = their sample variance 1, β0 = 1
 * fitPlantPrior([e0, e1, e2], []); // { coefficients: [1], tau2: 1, ... }
 * ```
 */
export function fitPlantPrior(
  evidence: readonly (ThresholdEvidence | null)[],
  covariates: readonly PriorCovariate[] = DEFAULT_PRIOR_COVARIATES,
): PlantThresholdPrior | null {
  const y: number[] = [];
  const Z: number[][] = [];
  const v: number[] = [];
  let withOutcomes = 0;
  let units = 0;
  for (const e of evidence) {
    if (!e) continue;
    withOutcomes++;
    units += e.n;
    if (e.cut === null || e.variance === null) continue;
    y.push(e.cut);
    Z.push(priorDesignRow(e, covariates));
    v.push(e.variance);
  }
  let used = [...covariates];
  if (y.length < used.length + 2 || wls(y, Z, v, 1) === null) {
    used = [];
    for (const z of Z) z.length = 1;
  }
  const M = y.length;
  const target = M - (used.length + 1);
  if (target < 1) return null;
  const q = (tau2: number): number => wls(y, Z, v, tau2)!.q;
  let tau2 = 0;
  if (q(0) > target) {
    let lo = 0;
    let hi = 1;
    while (q(hi) > target && hi < 1e12) hi *= 2;
    for (let it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
      const mid = (lo + hi) / 2;
      if (q(mid) > target) lo = mid;
      else hi = mid;
    }
    tau2 = (lo + hi) / 2;
  }
  const fit = wls(y, Z, v, tau2)!;
  return {
    kind: 'PlantThresholdPrior',
    version: 1,
    covariates: used,
    coefficients: fit.beta,
    tau2,
    models: M,
    modelsWithOutcomes: withOutcomes,
    units,
  };
}

/**
 * The empirical-Bayes blend of a model's own cut with the plant-wide one (see the module comment).
 *
 * @example
 * ```ts
 * // prior: β0 = 0.2, β1 = 0.5, τ² = 0.04; own: ĉ = 0.6, v = 0.01, d = 0.4, ref = 1e-4
 * // prior cut 0.2 + 0.5·0.4 = 0.4; w = 0.04 / 0.05 = 0.8; cut = 0.8·0.6 + 0.2·0.4 = 0.56; threshold = 1e-4·e^0.56
 * blendCut(evidence, prior);
 * ```
 */
export function blendCut(evidence: ThresholdEvidence, prior: PlantThresholdPrior): BlendedCut {
  const z = priorDesignRow(evidence, prior.covariates);
  let priorCut = 0;
  for (let j = 0; j < z.length; j++) priorCut += z[j]! * prior.coefficients[j]!;
  let weight = 0;
  let cut = priorCut;
  let variance = prior.tau2;
  if (evidence.cut !== null && evidence.variance !== null) {
    const denom = prior.tau2 + evidence.variance;
    weight = denom > 0 ? prior.tau2 / denom : 1;
    cut = weight * evidence.cut + (1 - weight) * priorCut;
    variance = weight * evidence.variance;
  }
  return { cut, threshold: evidence.reference * Math.exp(cut), weight, priorCut, variance };
}

/**
 * Throws {@link StateVersionError} unless `prior` is a version-1 {@link PlantThresholdPrior}, and
 * {@link InvalidInputError} when a field is not a finite number (τ² ≥ 0).
 *
 * @example
 * ```ts
 * validatePlantPrior(JSON.parse(text));
 * ```
 */
export function validatePlantPrior(prior: unknown): asserts prior is PlantThresholdPrior {
  const p = prior as Partial<PlantThresholdPrior> | null | undefined;
  if (p?.kind !== 'PlantThresholdPrior' || p.version !== 1) {
    throw new StateVersionError(
      `Expected a PlantThresholdPrior of version 1, got kind ${String(p?.kind)} version ${String(p?.version)}: retrain all models.`,
    );
  }
  const known: readonly string[] = ['logMedianRatio', 'logSpread', 'failLogit'];
  if (!Array.isArray(p.covariates) || !p.covariates.every((c: unknown) => typeof c === 'string' && known.includes(c))) {
    throw new InvalidInputError(
      'Corrupted PlantThresholdPrior: covariates must be a list of logMedianRatio, logSpread, failLogit. Retrain all models.',
    );
  }
  if (
    !Array.isArray(p.coefficients) ||
    p.coefficients.length !== p.covariates.length + 1 ||
    !p.coefficients.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    throw new InvalidInputError(
      'Corrupted PlantThresholdPrior: coefficients must be one finite number per covariate plus the intercept. Retrain all models.',
    );
  }
  for (const k of ['tau2', 'models', 'modelsWithOutcomes', 'units'] as const) {
    const x = p[k];
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new InvalidInputError(`Corrupted PlantThresholdPrior: ${k} is not a finite number. Retrain all models.`);
  }
  if (p.tau2! < 0) throw new InvalidInputError('Corrupted PlantThresholdPrior: tau2 < 0. Retrain all models.');
}
