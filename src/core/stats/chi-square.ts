/**
 * Chi-square upper tail probabilities through the regularized incomplete gamma function.
 *
 * `P(X² > x | df) = Q(df/2, x/2)`, with `Q(a, x) = Γ(a, x)/Γ(a)` computed by its series for `x < a + 1` and by
 * Lentz's continued fraction otherwise (Numerical Recipes, 3rd ed., §6.2), and ln Γ by the Lanczos approximation
 * (g = 7, n = 9; relative error < 1e-15 for positive arguments).
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';
import { logGamma } from './gamma.js';

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0.
 *
 * @example
 * ```ts
 * regularizedGammaQ(1, 2); // e^-2 = 0.1353352832366127
 * ```
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new InvalidInputError(`regularizedGammaQ: need a > 0 and x >= 0, got a=${a}, x=${x}`);
  if (x === 0) return 1;
  const lnPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x).
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPrefix));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.min(1, Math.exp(lnPrefix) * h);
}

/**
 * Upper tail `P(X² > x)` of the chi-square distribution with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * chiSquareSurvival(3.841458820694124, 1); // 0.05
 * ```
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new InvalidInputError(`chiSquareSurvival: df must be > 0, got ${df}`);
  if (!(x > 0)) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}
