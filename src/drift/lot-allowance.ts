/**
 * Allowance for production lots: how much the serial correlation of consecutive units inflates the variance of the
 * charts' statistics, measured on the model's own baseline.
 *
 * Units of one lot (a reel, a paste batch, a setup) share a roughness offset, so consecutive scores are positively
 * correlated and the EWMA of n scores varies more than for independent ones. For a stationary series with
 * autocorrelation ρ(j) the asymptotic variance of the EWMA E = (1 − λ)E + λz is (Zhang 1998, "Detection capability of
 * residual control chart for stationary process data", J. Applied Statistics 25; the EWMAST chart, eq. 3 with t → ∞)
 *
 *   Var(E) = σ²·λ/(2 − λ)·[1 + 2·Σⱼ₌₁^M ρ(j)·(1 − λ)ʲ]  =  σ²·λ/(2 − λ)·f,
 *
 * i.e. the independent-data variance times the inflation factor f. Charting z/√f instead of z restores the design's
 * in-control behaviour of the EWMA; the CUSUM with a reference value k near the EWMA's target shift accumulates over
 * a similar window, and its run length for large h depends on its increments through their mean and long-run
 * variance (Siegmund's Brownian approximation; the correction used by Timmer, Pignatiello & Longnecker 1998 and Lu &
 * Reynolds 2001), so the same scaling is applied to it. A shift of δσ is then charted as δ/√f: the price of lots is a
 * longer detection delay, not false alarms.
 *
 * ρ(j) is estimated by the sample autocorrelation (the usual biased estimator, Σ(zᵢ − z̄)(zᵢ₊ⱼ − z̄)/Σ(zᵢ − z̄)², Box &
 * Jenkins) of the baseline's within-sample normal scores in time order, up to lag M = min(`maxLag`, ⌊n/4⌋) (Zhang
 * suggests M ≈ 25 and n ≥ 50; the ⌊n/4⌋ cap is Box & Jenkins' rule for how far a sample autocorrelation is
 * informative). f is clamped to [1, `maxInflation`]: a negative estimate is read as noise, never as a reason to
 * tighten the limits.
 *
 * @module
 */

/**
 * Sample autocorrelation r(j) = Σᵢ₌₁ⁿ⁻ʲ (xᵢ − x̄)(xᵢ₊ⱼ − x̄) / Σᵢ₌₁ⁿ (xᵢ − x̄)² for j = 1..maxLag (0 when the series has
 * no spread).
 *
 * @example
 * ```ts
 * autocorrelations([1, 2, 3, 4], 1); // [0.25]: x̄ = 2.5, (−1.5·−0.5 + −0.5·0.5 + 0.5·1.5) / 5
 * ```
 */
export function autocorrelations(xs: readonly number[], maxLag: number): number[] {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const d = xs.map((x) => x - mean);
  const c0 = d.reduce((a, v) => a + v * v, 0);
  const out: number[] = [];
  for (let j = 1; j <= maxLag; j++) {
    let s = 0;
    for (let i = 0; i + j < n; i++) s += d[i]! * d[i + j]!;
    out.push(c0 > 0 ? s / c0 : 0);
  }
  return out;
}

/** Options of {@link correlationInflation}. */
export interface CorrelationInflationOptions {
  /** Largest lag M used (also capped at ⌊n/4⌋). Default 25. */
  readonly maxLag?: number;
  /** Upper clamp of f. Default 10. */
  readonly maxInflation?: number;
}

/**
 * The EWMA variance inflation factor f = 1 + 2·Σⱼ₌₁^M r(j)·(1 − λ)ʲ of a series (see the module comment), clamped to
 * [1, maxInflation]. Returns 1 for series shorter than 8 (no lag can be estimated).
 *
 * @example
 * ```ts
 * // r(1) = 0.25 for [1, 2, 3, 4] but ⌊4/4⌋ = 1 lag and n < 8: f = 1.
 * correlationInflation([1, 2, 3, 4], 0.1); // 1
 * ```
 */
export function correlationInflation(xs: readonly number[], lambda: number, opts: CorrelationInflationOptions = {}): number {
  const maxLag = Math.min(opts.maxLag ?? 25, Math.floor(xs.length / 4));
  if (xs.length < 8 || maxLag < 1) return 1;
  const r = autocorrelations(xs, maxLag);
  let f = 1;
  let w = 1;
  for (const rj of r) {
    w *= 1 - lambda;
    f += 2 * rj * w;
  }
  return Math.min(opts.maxInflation ?? 10, Math.max(1, f));
}

/**
 * Pool-adjacent-violators fit of a non-increasing sequence to values v with weights w (weighted least squares;
 * Barlow et al. 1972). Returns the fitted values.
 *
 * @example
 * ```ts
 * nonIncreasingFit([0.5, 0.6, 0.2], [1, 1, 1]); // [0.55, 0.55, 0.2]
 * ```
 */
export function nonIncreasingFit(v: readonly number[], w: readonly number[]): number[] {
  const blocks: { sum: number; weight: number; count: number }[] = [];
  v.forEach((x, i) => {
    const wi = w[i]!;
    blocks.push({ sum: x * wi, weight: wi, count: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      const ma = a.weight > 0 ? a.sum / a.weight : Number.POSITIVE_INFINITY;
      const mb = b.weight > 0 ? b.sum / b.weight : Number.NEGATIVE_INFINITY;
      if (ma >= mb) break;
      blocks.splice(blocks.length - 2, 2, { sum: a.sum + b.sum, weight: a.weight + b.weight, count: a.count + b.count });
    }
  });
  return blocks.flatMap((b) => Array<number>(b.count).fill(b.weight > 0 ? b.sum / b.weight : 0));
}

/** Options of {@link timeCorrelation}. */
export interface TimeCorrelationOptions {
  /** Lags (days) beyond which units are taken as uncorrelated. Default 60. */
  readonly maxLagDays?: number;
}

/** Lag bins (days) of {@link timeCorrelation}: [0, 1), [1, 2), [2, 4), [4, 8), … doubling up to maxLagDays. */
function lagBin(lag: number): number {
  return lag < 1 ? 0 : 32 - Math.clz32(Math.floor(lag)); // 1 + ⌊log₂ lag⌋
}

/**
 * The correlation of two units' scores as a function of the days between them, estimated from every pair of a
 * baseline (a lot lasts days to weeks, so closeness in time, not in unit count, is what makes two units share one):
 *
 *   ĉ(bin) = (mean{ qᵢqⱼ : |tᵢ − tⱼ| in bin } − c₀) / v,   c₀ = −v/(n − 1),   v = Σqᵢ²/n,
 *
 * on scores q centred at their mean. c₀ is the exact mean product of the n(n − 1) pairs i ≠ j of centred values
 * (Σᵢ≠ⱼ qᵢqⱼ = (Σqᵢ)² − Σqᵢ² = −n·v), so it is what every pair's product is expected to be when the units are
 * exchangeable (no lots): it removes the bias the common mean puts on every product without estimating it. (The first
 * version took c₀ from the mean product of the pairs ≥ maxLagDays apart; on a baseline spanning 100 days those are a
 * hundred pairs or so, and their noise, added to every lag, read as a correlation over all 60 days: f up to 5 on the
 * classic plant, which has no lots.) Lag bins [0, 1), [1, 2), [2, 4), [4, 8), … days (doubling: pairs are few at long
 * lags), made non-increasing by weighted isotonic regression (pair counts as weights; negative noise is kept in the
 * fit, so clamping cannot bias the estimate upwards) and only then clamped to [0, 1]. The result is ρ per whole day
 * 0 … maxLagDays − 1 (each day takes its bin's value); ρ is 0 beyond.
 *
 * @example
 * ```ts
 * // Two days of two units each: same-day products +1, cross-day −1 → ρ(0) = 1, ρ(1) = 0 (fit (1, −1), clamped).
 * timeCorrelation([1, 1, -1, -1], [0, 0.1, 1.2, 1.3].map((d) => new Date(d * 86_400_000)), { maxLagDays: 2 }); // [1, 0]
 * ```
 */
export function timeCorrelation(scores: readonly number[], dates: readonly Date[], opts: TimeCorrelationOptions = {}): number[] {
  const D = opts.maxLagDays ?? 60;
  const nBins = lagBin(D - 1) + 1;
  const n = scores.length;
  const mean = scores.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const q = scores.map((x) => x - mean);
  const var0 = q.reduce((a, x) => a + x * x, 0) / Math.max(1, n);
  // Pairs in time order, those less than D days apart.
  const order = dates.map((d, i) => [d.getTime() / 86_400_000, i] as const).sort((a, b) => a[0] - b[0]);
  const t = order.map((o) => o[0]);
  const qs = order.map((o) => q[o[1]]!);
  const sum = new Float64Array(nBins);
  const cnt = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n && t[j]! - t[i]! < D; j++) {
      const b = lagBin(t[j]! - t[i]!);
      sum[b]! += qs[i]! * qs[j]!;
      cnt[b]! += 1;
    }
  }
  // The exact mean product of distinct centred pairs (see above).
  const c0 = n > 1 ? -var0 / (n - 1) : 0;
  const raw: number[] = [];
  const w: number[] = [];
  for (let b = 0; b < nBins; b++) {
    raw.push(cnt[b]! > 0 && var0 > 0 ? (sum[b]! / cnt[b]! - c0) / var0 : 0);
    w.push(cnt[b]!);
  }
  const fit = nonIncreasingFit(raw, w).map((r) => Math.min(1, Math.max(0, r)));
  return Array.from({ length: D }, (_, d) => fit[lagBin(d)]!);
}

/**
 * The lot allowance of a subgroup chart from a correlation-by-days function ρ (see {@link timeCorrelation}): the
 * baseline's units cut into subgroups of `blockSize` consecutive units, the subgroup means' covariances implied by
 * ρ (unit variance, ρ(⌊|tᵢ − tⱼ|⌋) between units i ≠ j), and Zhang's inflation of the EWMA variance
 *
 *   f = 1 + 2·Σⱼ₌₁^M (1 − λ)ʲ · γ(j)/γ(0),
 *
 * γ(j) the average covariance of subgroup means j subgroups apart (M = 25 or the number of subgroups − 1),
 * clamped to [1, maxInflation].
 *
 * @example
 * ```ts
 * // Two subgroups of two units within one day, ρ(0) = 0.5: subgroup-mean variance 0.75, covariance 0.5.
 * subgroupInflation([0.5], [0, 0.2, 0.4, 0.6].map((d) => new Date(d * 86_400_000)), 2, 0.1); // 1 + 2·0.9·0.5/0.75 = 2.2
 * ```
 */
export function subgroupInflation(
  rho: readonly number[],
  dates: readonly Date[],
  blockSize: number,
  lambda: number,
  opts: { readonly maxLag?: number; readonly maxInflation?: number } = {},
): number {
  const t = dates.map((d) => d.getTime() / 86_400_000);
  const nb = Math.floor(t.length / blockSize);
  if (nb < 2) return 1;
  const M = Math.min(opts.maxLag ?? 25, nb - 1);
  const D = rho.length;
  const cov = (a: number, b: number): number => {
    let s = 0;
    for (let i = a * blockSize; i < (a + 1) * blockSize; i++) {
      for (let j = b * blockSize; j < (b + 1) * blockSize; j++) {
        if (i === j) s += 1;
        else {
          const lag = Math.floor(Math.abs(t[i]! - t[j]!));
          if (lag < D) s += rho[lag]!;
        }
      }
    }
    return s / (blockSize * blockSize);
  };
  let g0 = 0;
  for (let a = 0; a < nb; a++) g0 += cov(a, a);
  g0 /= nb;
  let f = 1;
  let w = 1;
  for (let j = 1; j <= M; j++) {
    w *= 1 - lambda;
    let g = 0;
    let pairs = 0;
    for (let a = 0; a + j < nb; a++) {
      // Subgroups far apart in time share no lot: skip the product loop.
      if (t[(a + j) * blockSize]! - t[(a + 1) * blockSize - 1]! >= D) continue;
      g += cov(a, a + j);
      pairs++;
    }
    const count = nb - j;
    f += (2 * w * (pairs > 0 ? g / count : 0)) / g0;
  }
  return Math.min(opts.maxInflation ?? 10, Math.max(1, f));
}
