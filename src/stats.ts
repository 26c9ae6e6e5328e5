/**
 * `laser-trim-ml/stats`: the numerics behind the components, for a power user who wants to check a figure or
 * design a chart of their own. Each function's doc gives its formula and source.
 *
 * - Distributions: normal, chi-square, Student t (and ln Γ, the incomplete gamma and beta functions).
 * - Descriptive statistics: mean, variance, numpy-`linear` quantiles, Pearson and Spearman correlation.
 * - Quadrature: Gauss–Legendre and Gauss–Hermite rules.
 * - Control charts: ARL of CUSUM and EWMA (integral equation or Markov chain), design of h and L from a target
 *   ARL0, simulation of the combined scheme, ARL0 for a false-alarm horizon, the self-starting score.
 * - Trend tests: Cochran–Armitage and Mann–Kendall.
 * - Classifier metrics: ROC AUC, Brier score, confusion metrics.
 *
 * @example
 * ```ts
 * import { cusumArl, designCusumH, normalQuantile } from 'laser-trim-ml/stats';
 * normalQuantile(0.975);                    // 1.959963984540054
 * const h = designCusumH(465.4, 0.5);       // ≈ 5.0
 * cusumArl(0.5, h, { shift: 1 });           // ≈ 10.4 samples to detect a 1σ shift
 * ```
 *
 * @module
 */
export { normalCdf, normalPdf, normalQuantile, normalSurvival } from './core/stats/normal.js';
export { chiSquareSurvival, regularizedGammaQ } from './core/stats/chi-square.js';
export { logGamma } from './core/stats/gamma.js';
export { regularizedBeta, selfStartingScore, studentTCdf } from './core/stats/student-t.js';
export { gaussHermiteNormal, gaussLegendre, type QuadratureRule } from './core/stats/quadrature.js';
export {
  mean,
  meanMovingRange,
  pearsonCorrelation,
  quantileLinear,
  quantilesLinear,
  sampleStd,
  sampleVariance,
  spearmanCorrelation,
} from './core/stats/descriptive.js';
export { cusumArl, cusumArlOneSided, ewmaArl, type ArlOptions } from './drift/arl.js';
export { designCusumH, designEwmaL, type DesignOptions } from './drift/design.js';
export { simulateCombinedArl, type CombinedScheme, type SimulateArlOptions, type SimulatedArl } from './drift/simulate.js';
export { arl0ForHorizon } from './drift/horizon.js';
export { cochranArmitage, mannKendall } from './insights/time-trends.js';
export { brierScore, confusionMetrics, rocAuc, type ConfusionMetrics } from './predictor/metrics.js';
