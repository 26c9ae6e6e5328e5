/**
 * Dense linear solve for the run-length equations (I − R)·L = 1 of the ARL calculators, and the small normal
 * equations of the plant-wide threshold prior.
 *
 * Why hand-written and not ml-matrix's `LuDecomposition` (the same algorithm, LU with partial pivoting): on the ARL
 * matrices ml-matrix is 1.6–3.1× slower (`npx tsx bench/arl-solve.bench.ts`, figures in docs/benchmarks.md), since it
 * copies into an array of rows; chart design bisects on the ARL, a few dozen designs per training run. The solutions
 * agree to 2e-13 relative.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';

/**
 * Solves A·x = b by Gaussian elimination with partial pivoting. `a` is row-major n×n and is overwritten, as is `b`
 * (which receives the solution). Throws an {@link InvalidInputError} when the matrix is singular to working precision.
 *
 * @example
 * ```ts
 * const x = solveLinearInPlace(new Float64Array([2, 1, 1, 3]), new Float64Array([3, 5]), 2); // [0.8, 1.4]
 * ```
 */
export function solveLinearInPlace(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let piv = col;
    let best = Math.abs(a[col * n + col]!);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(a[r * n + col]!);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (best === 0 || !Number.isFinite(best))
      throw new InvalidInputError('solveLinearInPlace: the matrix is singular to working precision; check that its rows are independent.');
    if (piv !== col) {
      for (let c = col; c < n; c++) {
        const t = a[col * n + c]!;
        a[col * n + c] = a[piv * n + c]!;
        a[piv * n + c] = t;
      }
      const t = b[col]!;
      b[col] = b[piv]!;
      b[piv] = t;
    }
    const d = a[col * n + col]!;
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / d;
      if (f === 0) continue;
      for (let c = col + 1; c < n; c++) a[r * n + c]! -= f * a[col * n + c]!;
      b[r]! -= f * b[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r * n + c]! * b[c]!;
    b[r] = s / a[r * n + r]!;
  }
  return b;
}
