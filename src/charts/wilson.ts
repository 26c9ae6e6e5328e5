/**
 * The Wilson score interval of a binomial proportion (Wilson 1927; Agresti & Coull 1998 recommend it over the Wald
 * interval for small n and rates near 0 or 1): for x successes in n trials, p̂ = x/n and z = Φ⁻¹(1 − α/2),
 * centre = (p̂ + z²/2n)/(1 + z²/n), half-width = z·√(p̂(1 − p̂)/n + z²/4n²)/(1 + z²/n).
 *
 * @example
 * ```ts
 * wilsonInterval(2, 10); // [0.0567, 0.5098] (95%, z = 1.959964)
 * wilsonInterval(0, 10); // [0, 0.2775]
 * ```
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';

/** z of the two-sided 95% interval, Φ⁻¹(0.975). */
const Z95 = 1.959963984540054;

/** The Wilson interval [low, high] of x failures in n units (95% by default). */
export function wilsonInterval(x: number, n: number, z = Z95): [number, number] {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(x) || x < 0 || x > n) {
    throw new InvalidInputError(`wilsonInterval: need integers 0 ≤ x ≤ n, n ≥ 1; got x = ${x}, n = ${n}.`);
  }
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // The bounds are exactly 0 at x = 0 and 1 at x = n (the formula reaches them up to rounding).
  return [x === 0 ? 0 : Math.max(0, centre - half), x === n ? 1 : Math.min(1, centre + half)];
}
