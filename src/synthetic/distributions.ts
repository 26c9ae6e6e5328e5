/**
 * The small probability toolkit of the synthetic plant: a normal CDF accurate in the far tails (the generator maps
 * latent normals to quantiles, including for models whose pass rate is 1 − 1e-15), a logistic function, and samplers
 * over a seeded {@link Rng}. Nothing here touches `Math.random`.
 *
 * @module
 */
import type { Rng } from '../core/rng.js';

/**
 * Complementary error function erfc(x) = 2/√π ∫ₓ^∞ e^(−t²) dt, by the Chebyshev fit of Press et al.,
 * *Numerical Recipes in C* (2nd ed., §6.2, `erfcc`): fractional (relative) error below 1.2e-7 for every x, so the
 * far tails keep their relative precision (unlike the Abramowitz-Stegun 7.1.26 form, whose error is absolute).
 *
 * @example
 * ```ts
 * erfc(0);   // 1
 * erfc(1);   // 0.157299207…
 * ```
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Standard normal CDF Φ(x) = ½·erfc(−x/√2), with the relative precision of {@link erfc} (≈1e-7) in both tails.
 *
 * @example
 * ```ts
 * normalCdf(1.96);  // 0.9750021…
 * normalCdf(-8);    // 6.22e-16 (relative error < 1e-6)
 * ```
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Logistic function σ(x) = 1 / (1 + e^(−x)), computed without overflow for large |x|.
 *
 * @example
 * ```ts
 * logistic(0);        // 0.5
 * logistic(Math.log(3)); // 0.75
 * ```
 */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Uniform on [lo, hi).
 *
 * @example
 * ```ts
 * uniform(createRng(1), 2, 5); // a number in [2, 5)
 * ```
 */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/**
 * Normal with mean `mu` and standard deviation `sd`.
 *
 * @example
 * ```ts
 * normal(createRng(1), 0, 2);
 * ```
 */
export function normal(rng: Rng, mu: number, sd: number): number {
  return mu + sd * rng.nextNormal();
}

/**
 * Standard logistic variate (location 0, scale 1) by inversion: ln(u / (1 − u)), u uniform on (0, 1).
 * `x + logisticNoise(rng) > 0` happens with probability `logistic(x)`.
 *
 * @example
 * ```ts
 * logisticNoise(createRng(1));
 * ```
 */
export function logisticNoise(rng: Rng): number {
  let u = rng.next();
  while (u === 0) u = rng.next();
  return Math.log(u / (1 - u));
}

/**
 * Picks one of `values` with probability proportional to `weights` (same length, non-negative, positive sum).
 *
 * @example
 * ```ts
 * pickWeighted(createRng(1), ['a', 'b'], [3, 1]); // 'a' three times in four
 * ```
 */
export function pickWeighted<T>(rng: Rng, values: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const w of weights) total += w;
  let u = rng.next() * total;
  for (let i = 0; i < values.length; i++) {
    u -= weights[i] ?? 0;
    if (u < 0) return values[i] as T;
  }
  return values[values.length - 1] as T;
}

/**
 * Picks one element uniformly.
 *
 * @example
 * ```ts
 * pickOne(createRng(1), [240, 340]);
 * ```
 */
export function pickOne<T>(rng: Rng, values: readonly T[]): T {
  return values[rng.nextInt(values.length)] as T;
}

/**
 * `x` clamped into [lo, hi].
 *
 * @example
 * ```ts
 * clamp(1.7, 0, 1); // 1
 * ```
 */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Piecewise log-linear quantile function through `knots` `[q, value]` (q ascending from 0 to 1, values > 0):
 * between two knots, ln(value) is linear in q. Used to give fail points an exact target distribution
 * (e.g. median 6, 41 % in 1–3, 18 % above 50 among trim fails).
 *
 * @example
 * ```ts
 * logLinearQuantile(0.5, [[0, 1], [1, 100]]); // 10
 * ```
 */
export function logLinearQuantile(q: number, knots: readonly (readonly [number, number])[]): number {
  const first = knots[0];
  if (first === undefined) return Number.NaN;
  if (q <= first[0]) return first[1];
  for (let i = 1; i < knots.length; i++) {
    const k1 = knots[i] as readonly [number, number];
    if (q <= k1[0]) {
      const k0 = knots[i - 1] as readonly [number, number];
      const f = (q - k0[0]) / (k1[0] - k0[0]);
      return Math.exp(Math.log(k0[1]) + f * (Math.log(k1[1]) - Math.log(k0[1])));
    }
  }
  return (knots[knots.length - 1] as readonly [number, number])[1];
}

/**
 * Derives an independent seed for a sub-stream (a model, a purpose) from the plant seed, so each model's data is
 * the same whatever other models exist. The result is fed to `createRng`, which mixes it through splitmix32.
 *
 * @example
 * ```ts
 * const rng = createRng(deriveSeed(42, 7, 1));
 * ```
 */
export function deriveSeed(seed: number, index: number, salt: number): number {
  let h = Math.imul((seed | 0) ^ 0x27d4eb2d, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ Math.imul(index + 1, 0x9e3779b9), 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ Math.imul(salt + 1, 0x165667b1), 0x27d4eb2d);
  return (h ^ (h >>> 16)) >>> 0;
}
