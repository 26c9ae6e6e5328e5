/**
 * A numeric helper of the drift charts, kept out of the public entry (`drift/index.ts` does not re-export it).
 *
 * @module
 */
/**
 * Welford's one-pass mean and sum of squared deviations `m2` of a series (Welford 1962; the sample variance with
 * ddof = 1 is `m2 / (n - 1)`).
 *
 * @example
 * ```ts
 * welford([1, 2, 3, 4]); // { n: 4, mean: 2.5, m2: 5 }
 * ```
 */
export function welford(xs: readonly number[]): { n: number; mean: number; m2: number } {
  let mean = 0;
  let m2 = 0;
  xs.forEach((x, i) => {
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  });
  return { n: xs.length, mean, m2 };
}
