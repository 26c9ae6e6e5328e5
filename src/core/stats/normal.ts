/**
 * The standard normal distribution to full double precision: density, CDF, upper tail and quantile.
 *
 * The CDF is W. J. Cody's rational Chebyshev approximation ("Rational Chebyshev approximations for the error
 * function", Math. Comp. 23 (1969) 631–637; the `ANORM` routine of SPECFUN, ACM TOMS Algorithm 715, 1993), the
 * algorithm R's `pnorm` uses. Its three rational approximations (|x| ≤ 0.674, ≤ √32, > √32) are accurate to about 18
 * significant digits in exact arithmetic; in doubles the relative error is a few ulps, in both tails (the upper
 * tail is computed directly, never as `1 - cdf`). simple-statistics' `cumulativeStdNormalProbability` is a table
 * lookup good to about 1e-4, far too coarse for average-run-length work where limits sit at 1e-5 tail areas.
 *
 * The quantile is P. J. Acklam's rational approximation (relative error < 1.15e-9) refined by one step of Halley's
 * method against the Cody CDF, which brings it to full double precision (the refinement has cubic convergence).
 *
 * @module
 */

/** 1 / √(2π). */
const INV_SQRT_2PI = 0.3989422804014327;
/** √32: the boundary between Cody's middle and tail approximations. */
const SQRT_32 = 5.656854249492381;
/** Φ⁻¹(3/4): the boundary between Cody's central and middle approximations. */
const CENTRAL = 0.67448975;

// Cody (1993), ANORM: coefficients for |x| <= 0.67448975.
const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113] as const;
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956] as const;
// 0.67448975 < |x| <= sqrt(32).
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
  11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
] as const;
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266,
  38912.003286093271411, 19685.429676859990727,
] as const;
// |x| > sqrt(32).
const P = [
  0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303,
] as const;
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5] as const;

/**
 * exp(-y²/2) · r, with y² split as (y rounded down to 1/16)² + rest so that the large exponent is exact (Cody's
 * device against cancellation in the tails).
 */
function gaussTail(y: number, r: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5) * r;
}

/** Upper tail Q(y) = 1 − Φ(y) for y ≥ 0.67448975 (Cody's middle and tail approximations). */
function upperTailPositive(y: number): number {
  if (y <= SQRT_32) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y;
      den = (den + D[i]!) * y;
    }
    return gaussTail(y, (num + C[7]) / (den + D[7]));
  }
  if (y >= 38.5) return 0; // below the smallest subnormal double
  const xsq = 1 / (y * y);
  let num = P[5] * xsq;
  let den = xsq;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]!) * xsq;
    den = (den + Q[i]!) * xsq;
  }
  const r = (INV_SQRT_2PI - (xsq * (num + P[4])) / (den + Q[4])) / y;
  return gaussTail(y, r);
}

/** Φ(x) − 1/2 for |x| ≤ 0.67448975 (Cody's central approximation). */
function centralHalf(x: number): number {
  const xsq = x * x;
  let num = A[4] * xsq;
  let den = xsq;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]!) * xsq;
    den = (den + B[i]!) * xsq;
  }
  return (x * (num + A[3])) / (den + B[3]);
}

/**
 * Standard normal density φ(x) = exp(−x²/2) / √(2π).
 *
 * @example
 * ```ts
 * normalPdf(0); // 0.3989422804014327
 * ```
 */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Standard normal CDF Φ(x) = P(Z ≤ x), Cody's algorithm (see the module comment): relative error of a few ulps for
 * every x, including the far lower tail (Φ(−37) ≈ 5.7e−300 is still accurate). NaN gives NaN.
 *
 * @example
 * ```ts
 * normalCdf(1.96); // 0.9750021048517795
 * normalCdf(-3);   // 0.0013498980316300946
 * ```
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= CENTRAL) return 0.5 + centralHalf(x);
  const q = upperTailPositive(y);
  return x > 0 ? 1 - q : q;
}

/**
 * Standard normal upper tail 1 − Φ(x) = P(Z > x), computed directly (no cancellation for large x): use it for
 * tail areas such as false-alarm probabilities.
 *
 * @example
 * ```ts
 * normalSurvival(3);  // 0.0013498980316300946
 * normalSurvival(10); // 7.619853024160527e-24 (1 - normalCdf(10) would be 0)
 * ```
 */
export function normalSurvival(x: number): number {
  return normalCdf(-x);
}

// Acklam's coefficients.
const AA = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
] as const;
const AB = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const AC = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
] as const;
const AD = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;

/** Acklam's approximation for 0 < p ≤ 0.5 (relative error < 1.15e-9). */
function acklamLower(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((AC[0] * q + AC[1]) * q + AC[2]) * q + AC[3]) * q + AC[4]) * q + AC[5]) /
      ((((AD[0] * q + AD[1]) * q + AD[2]) * q + AD[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((AA[0] * r + AA[1]) * r + AA[2]) * r + AA[3]) * r + AA[4]) * r + AA[5]) * q) /
    (((((AB[0] * r + AB[1]) * r + AB[2]) * r + AB[3]) * r + AB[4]) * r + 1)
  );
}

/**
 * Standard normal quantile Φ⁻¹(p): Acklam's approximation plus one Halley step against {@link normalCdf}, accurate
 * to a few ulps. For p > 0.5 it solves the upper tail with q = 1 − p (exact in floating point for p ≥ 0.5), so both
 * tails keep full relative precision. `p` = 0 gives −∞, 1 gives +∞; outside [0, 1] or NaN gives NaN.
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // 1.959963984540054
 * normalQuantile(1e-10); // -6.361340902404057
 * ```
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  const upper = p > 0.5;
  const target = upper ? 1 - p : p; // in (0, 0.5)
  let x = acklamLower(target); // x < 0
  // Halley: f(x) = Φ(x) − target, f' = φ(x), f''/f' = −x.
  const e = normalCdf(x) - target;
  const pdf = normalPdf(x);
  if (pdf > 0) {
    const u = e / pdf;
    x -= u / (1 + (x * u) / 2);
  }
  return upper ? -x : x;
}
