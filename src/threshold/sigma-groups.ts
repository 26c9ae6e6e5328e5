/**
 * Units grouped by distinct sigma value, in ascending order, with the failure severity and pass weight of each
 * group: the one data shape every threshold statistic (cost search, AUC, bootstrap) is computed on.
 *
 * @module
 */

/** Distinct sigma values in ascending order and the weights at each. */
export interface SigmaGroups {
  /** Distinct sigma values, strictly ascending. */
  readonly values: Float64Array;
  /** Σ severity (× multiplicity) of the failures at each value. */
  readonly failWeight: Float64Array;
  /** Σ multiplicity of the passes at each value (each pass weighs 1). */
  readonly passWeight: Float64Array;
  /** Σ failWeight. */
  readonly totalFail: number;
  /** Σ passWeight. */
  readonly totalPass: number;
}

/**
 * Indices of `sigma` (or of the `subset` of indices) sorted by ascending sigma; ties keep index order.
 *
 * @example
 * ```ts
 * sortBySigma(Float64Array.from([3, 1, 2]));         // Int32Array [1, 2, 0]
 * sortBySigma(Float64Array.from([3, 1, 2]), [0, 2]); // Int32Array [2, 0]
 * ```
 */
export function sortBySigma(sigma: Float64Array, subset?: ArrayLike<number>): Int32Array {
  const n = subset ? subset.length : sigma.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = subset ? subset[i]! : i;
  const idx = Array.from(order);
  idx.sort((a, b) => sigma[a]! - sigma[b]! || a - b);
  return Int32Array.from(idx);
}

/**
 * Groups units by distinct sigma.
 *
 * @param order - unit indices in ascending sigma order (from {@link sortBySigma}); units not listed are left out.
 * @param multiplicity - optional count of each unit (by unit index), e.g. a bootstrap resample; units with 0 are left out.
 * @example
 * ```ts
 * const sigma = Float64Array.from([2, 1, 2]);
 * const g = groupBySigma(sigma, Uint8Array.from([1, 0, 0]), Float64Array.from([3, 1, 1]), sortBySigma(sigma));
 * // g.values = [1, 2], g.failWeight = [0, 3], g.passWeight = [1, 1]
 * ```
 */
export function groupBySigma(
  sigma: Float64Array,
  fail: Uint8Array,
  severity: Float64Array,
  order: Int32Array,
  multiplicity?: Float64Array,
): SigmaGroups {
  return groupBySigmaSoft(sigma, Float64Array.from(fail), severity, order, multiplicity);
}

/**
 * Groups units by distinct sigma with **soft outcomes**: unit `i` counts as a failure with weight
 * `q_i · severity_i · m_i` and as a pass with weight `(1 − q_i) · m_i` (`q_i` its probability of failing, `m_i` its
 * multiplicity, default 1). With `q ∈ {0, 1}` this is {@link groupBySigma}. The cost search on these groups
 * minimises `Σ_{σ_i ≤ t} q_i / Σ q_i + Σ_{σ_i > t} (1 − q_i) / Σ (1 − q_i)` = `2 · (1 − expected balanced accuracy)`
 * when every unit's outcome is an independent draw with probability `q_i` (each class total replaced by its
 * expectation).
 *
 * @example
 * ```ts
 * const sigma = Float64Array.from([2, 1, 2]);
 * const g = groupBySigmaSoft(sigma, Float64Array.from([0.5, 0.25, 1]), Float64Array.from([1, 1, 1]), sortBySigma(sigma));
 * // g.values = [1, 2], g.failWeight = [0.25, 1.5], g.passWeight = [0.75, 0.5], totalFail 1.75, totalPass 1.25
 * ```
 */
export function groupBySigmaSoft(
  sigma: Float64Array,
  q: Float64Array,
  severity: Float64Array,
  order: Int32Array,
  multiplicity?: Float64Array,
): SigmaGroups {
  const values = new Float64Array(order.length);
  const fw = new Float64Array(order.length);
  const pw = new Float64Array(order.length);
  let G = 0;
  let totalFail = 0;
  let totalPass = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const m = multiplicity ? multiplicity[i]! : 1;
    if (m === 0) continue;
    const s = sigma[i]!;
    if (G === 0 || values[G - 1] !== s) {
      values[G] = s;
      G++;
    }
    const f = q[i]! * severity[i]! * m;
    const p = (1 - q[i]!) * m;
    fw[G - 1]! += f;
    pw[G - 1]! += p;
    totalFail += f;
    totalPass += p;
  }
  return { values: values.slice(0, G), failWeight: fw.slice(0, G), passWeight: pw.slice(0, G), totalFail, totalPass };
}

/**
 * Severity-weighted AUC of sigma, failures against passes:
 * `Σ_{i fail} Σ_{j pass} w_i · ([σ_i > σ_j] + ½[σ_i = σ_j]) / (Σ w_i · n_pass)`, i.e. the probability that a
 * failure drawn with probability proportional to its severity has a higher sigma than a random pass (ties count
 * ½). With equal severities it is the Mann–Whitney AUC. 0.5 = no separation; 1 = every failure above every pass.
 * Returns `null` when either class is empty.
 *
 * @example
 * ```ts
 * // failures at 3 and 1, passes at 2 and 1 (all weight 1): pairs (3>2, 3>1, 1<2, 1=1) → (1 + 1 + 0 + 0.5) / 4
 * const sigma = Float64Array.from([3, 1, 2, 1]);
 * weightedAuc(groupBySigma(sigma, Uint8Array.from([1, 1, 0, 0]), Float64Array.from([1, 1, 1, 1]), sortBySigma(sigma))); // 0.625
 * ```
 */
export function weightedAuc(groups: SigmaGroups): number | null {
  if (groups.totalFail <= 0 || groups.totalPass <= 0) return null;
  let passBelow = 0;
  let num = 0;
  for (let g = 0; g < groups.values.length; g++) {
    const p = groups.passWeight[g]!;
    num += groups.failWeight[g]! * (passBelow + 0.5 * p);
    passBelow += p;
  }
  return num / (groups.totalFail * groups.totalPass);
}
