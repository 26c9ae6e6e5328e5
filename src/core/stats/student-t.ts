/**
 * Student's t distribution function, used to turn a new observation into an exactly standard-normal score when
 * the baseline mean and standard deviation are estimated (see {@link selfStartingScore}).
 *
 * F(t; ν) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, with I the regularized incomplete beta function evaluated by its
 * continued fraction (modified Lentz; Numerical Recipes §6.4) and ln Γ by the Lanczos approximation (g = 7, 9 terms,
 * relative error < 1e-15 for x > 0). Measured against SciPy: CDF relative error < 1e-9 for ν ≤ 1000.
 *
 * @module
 */
import { logGamma } from './gamma.js';
import { normalQuantile } from './normal.js';

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/**
 * Regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1.
 *
 * @example
 * ```ts
 * regularizedBeta(0.5, 2, 2); // 0.5 (symmetric)
 * regularizedBeta(0.3, 1, 1); // 0.3 (uniform)
 * ```
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * The smaller tail of Student's t with ν degrees of freedom: P(T ≤ t) for t ≤ 0, P(T > t) for t > 0, computed
 * without cancellation.
 */
function studentTTail(t: number, nu: number): number {
  return 0.5 * regularizedBeta(nu / (nu + t * t), nu / 2, 0.5);
}

/**
 * Student's t CDF F(t; ν) = P(T ≤ t), ν > 0.
 *
 * @example
 * ```ts
 * studentTCdf(1, 1);                  // 0.75 (Cauchy)
 * studentTCdf(2.228138851986273, 10); // 0.975
 * ```
 */
export function studentTCdf(t: number, nu: number): number {
  if (Number.isNaN(t) || !(nu > 0)) return Number.NaN;
  const tail = studentTTail(t, nu);
  return t > 0 ? 1 - tail : tail;
}

/**
 * Self-starting score (Quesenberry's Q statistic; Hawkins 1987): the standard-normal quantile of the t probability
 * of a new observation y given the mean m and sample standard deviation s (ddof = 1) of the n previous observations,
 *
 *   T = (y − m) / (s·√(1 + 1/n)) ~ t with n − 1 degrees of freedom,   Q = Φ⁻¹(F(T; n − 1)).
 *
 * For independent normal observations, successive Q's (each computed before adding y to the reference) are
 * independent exact N(0, 1) variables, whatever n: charts on Q have their known-parameter in-control ARL even when
 * the baseline is small. Computed from the smaller tail, so |Q| is accurate far into the tails.
 *
 * @example
 * ```ts
 * selfStartingScore(1.2, 1, 0.1, 30); // ≈ 1.890 (T = 1.9675 with 29 df; a known-σ z would say 2)
 * ```
 */
export function selfStartingScore(y: number, mean: number, sd: number, n: number): number {
  const t = (y - mean) / (sd * Math.sqrt(1 + 1 / n));
  const tail = studentTTail(t, n - 1);
  return t > 0 ? -normalQuantile(tail) : normalQuantile(tail);
}
