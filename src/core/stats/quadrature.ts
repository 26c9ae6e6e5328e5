/**
 * Gauss quadrature rules used by the average-run-length integral equations and by the small-baseline correction.
 * Nodes are found by Newton's method on the three-term recurrences (Numerical Recipes §4.6, `gauleg` / `gauher`),
 * to full double precision.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';

/** A quadrature rule: ∫ f ≈ Σ weights[i] · f(nodes[i]). */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/** The roots z of the degree-n Legendre polynomial (Newton from Tricomi's start) and P'ₙ(z), per n (a cache). */
const rootsCache = new Map<number, { z: Float64Array; pp: Float64Array }>();

/**
 * The first ⌈n/2⌉ roots of Pₙ (descending from near 1) and the derivative there, computed once per n: they do not
 * depend on the interval, and a drift design evaluates ARLs (one rule each) dozens of times per model.
 */
function legendreRoots(n: number): { z: Float64Array; pp: Float64Array } {
  let r = rootsCache.get(n);
  if (r) return r;
  const m = (n + 1) >> 1;
  r = { z: new Float64Array(m), pp: new Float64Array(m) };
  for (let i = 0; i < m; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let pp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      pp = (n * (z * p1 - p2)) / (z * z - 1);
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15) break;
    }
    r.z[i] = z;
    r.pp[i] = pp;
  }
  rootsCache.set(n, r);
  return r;
}

/**
 * Gauss–Legendre rule with `n` nodes on [a, b]: exact for polynomials of degree ≤ 2n − 1.
 *
 * @example
 * ```ts
 * const { nodes, weights } = gaussLegendre(5, 0, 1);
 * let s = 0;
 * for (let i = 0; i < 5; i++) s += weights[i]! * nodes[i]! ** 4; // 0.2 = ∫₀¹ x⁴ dx
 * ```
 */
export function gaussLegendre(n: number, a: number, b: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError(`gaussLegendre: n must be a positive integer (the number of nodes), got ${n}.`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const mid = (a + b) / 2;
  const half = (b - a) / 2;
  const m = (n + 1) >> 1;
  const { z, pp } = legendreRoots(n);
  for (let i = 0; i < m; i++) {
    nodes[i] = mid - half * z[i]!;
    nodes[n - 1 - i] = mid + half * z[i]!;
    const w = (2 * half) / ((1 - z[i]! * z[i]!) * pp[i]! * pp[i]!);
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}

/**
 * Gauss–Hermite rule for the standard normal: E[f(Z)] ≈ Σ weights[i] · f(nodes[i]) with Z ~ N(0, 1) (weights sum
 * to 1; exact for polynomials of degree ≤ 2n − 1). Built from the physicists' rule for ∫ e^(−x²) f(x) dx by
 * x → √2·x, w → w/√π.
 *
 * @example
 * ```ts
 * const { nodes, weights } = gaussHermiteNormal(10);
 * let m4 = 0;
 * for (let i = 0; i < 10; i++) m4 += weights[i]! * nodes[i]! ** 4; // 3 = E[Z⁴]
 * ```
 */
export function gaussHermiteNormal(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 150) {
    throw new InvalidInputError(`gaussHermiteNormal: n must be an integer in 1..150 (the number of nodes), got ${n}.`);
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const PIM4 = 0.7511255444649425; // π^(−1/4)
  const m = (n + 1) >> 1;
  const roots: number[] = [];
  let z = 0;
  for (let i = 0; i < m; i++) {
    // Initial guesses for the largest roots first (Numerical Recipes gauher).
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(n, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * roots[0]!;
    else if (i === 3) z = 1.91 * z - 0.91 * roots[1]!;
    else z = 2 * z - roots[i - 2]!;
    let pp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-14) break;
    }
    roots.push(z);
    const w = 2 / (pp * pp) / Math.sqrt(Math.PI);
    nodes[i] = Math.SQRT2 * z;
    nodes[n - 1 - i] = -Math.SQRT2 * z;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}
