/**
 * Test-only statistics for checking the synthetic plant against the domain numbers.
 */

/**
 * ROC AUC of `scores` for `labels` (1 = positive), as the Mann–Whitney probability
 * P(score of a positive > score of a negative) + ½·P(tie), computed with mid-ranks (ties share their mean rank):
 * AUC = (R₁ − n₁(n₁+1)/2) / (n₁·n₀), R₁ the rank sum of the positives.
 */
export function rocAuc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === scores[idx[i] as number]) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (labels[idx[k] as number] === 1) {
        rankSumPos += midRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = idx.length - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Percentile by linear interpolation between order statistics (numpy's default, R type 7): h = (n − 1)·p. */
export function quantile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const a = s[lo] as number;
  const b = s[Math.min(lo + 1, s.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

/** Arithmetic mean. */
export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * Sample skewness g1 = m3 / m2^(3/2), with the population central moments m_k = Σ(x − x̄)^k / n (no small-sample
 * correction; the Fisher-Pearson coefficient as numpy's scipy.stats.skew(bias=True)).
 */
export function skewness(values: readonly number[]): number {
  const m = mean(values);
  let m2 = 0;
  let m3 = 0;
  for (const v of values) {
    m2 += (v - m) ** 2;
    m3 += (v - m) ** 3;
  }
  m2 /= values.length;
  m3 /= values.length;
  return m3 / m2 ** 1.5;
}

/**
 * Intraclass correlation ICC(1) of a one-way random-effects ANOVA (Shrout & Fleiss 1979, unbalanced groups):
 * ICC = (MSB − MSW) / (MSB + (n0 − 1)·MSW), MSB = SSB / (k − 1), MSW = SSW / (N − k),
 * n0 = (N − Σ n_g² / N) / (k − 1), k groups, N values.
 */
export function intraclassCorrelation(values: readonly number[], groups: readonly string[]): number {
  const by = new Map<string, number[]>();
  values.forEach((v, i) => {
    const g = groups[i] as string;
    const list = by.get(g) ?? [];
    list.push(v);
    by.set(g, list);
  });
  const n = values.length;
  const k = by.size;
  const grand = mean(values);
  let ssb = 0;
  let ssw = 0;
  let sumSq = 0;
  for (const vs of by.values()) {
    const m = mean(vs);
    ssb += vs.length * (m - grand) ** 2;
    for (const v of vs) ssw += (v - m) ** 2;
    sumSq += vs.length * vs.length;
  }
  const msb = ssb / (k - 1);
  const msw = ssw / (n - k);
  const n0 = (n - sumSq / n) / (k - 1);
  return (msb - msw) / (msb + (n0 - 1) * msw);
}

/** Sample standard deviation (ddof = 1). */
export function sd(values: readonly number[]): number {
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}
