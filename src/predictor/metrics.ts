/**
 * Small pure metrics for binary classifiers (label 1 = fail). Each function says what it measures; none of them
 * knows where the scores came from, so the caller must say what they were measured on (out-of-bag, a hold-out).
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';

function checkPair(scores: ArrayLike<number>, labels: ArrayLike<number>, fn: string): void {
  if (scores.length !== labels.length) {
    throw new InvalidInputError(`${fn}: ${scores.length} scores but ${labels.length} labels; pass one score per label.`);
  }
  if (scores.length === 0) throw new InvalidInputError(`${fn}: no scores given; pass at least one score and label.`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new InvalidInputError(`${fn}: label ${i} is ${y}; labels must be 0 (pass) or 1 (fail).`);
    if (!Number.isFinite(scores[i])) throw new InvalidInputError(`${fn}: score ${i} is ${scores[i]}; drop rows without a score first.`);
  }
}

/**
 * Area under the ROC curve by the Mann-Whitney U statistic: the probability that a randomly drawn positive (label 1)
 * scores higher than a randomly drawn negative, ties counted ½. Computed with average ranks in O(n log n):
 * `AUC = (Σ ranks of positives − n₁(n₁+1)/2) / (n₁ n₀)`. Equals scikit-learn's `roc_auc_score`.
 * Returns `NaN` when either class is absent (the AUC is undefined).
 *
 * @example
 * ```ts
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 * ```
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(scores, labels, 'rocAuc');
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const s = scores[order[i]!] as number;
    while (j < n && scores[order[j]!] === s) j++;
    // Ranks i+1..j share the average rank.
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]!] === 1) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Brier score: the mean squared difference between the predicted probability of failure and the outcome,
 * `(1/n) Σ (pᵢ − yᵢ)²`. 0 is perfect; always predicting the base rate π scores π(1 − π).
 * Equals scikit-learn's `brier_score_loss`.
 *
 * @example
 * ```ts
 * brierScore([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // (0.01 + 0.16 + 0.4225 + 0.04) / 4 = 0.158125
 * ```
 */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(probabilities, labels, 'brierScore');
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = (probabilities[i] as number) - (labels[i] as number);
    s += d * d;
  }
  return s / labels.length;
}

/** Counts and rates of a binary decision, see {@link confusionMetrics}. */
export interface ConfusionMetrics {
  /** The decision threshold: a row is predicted to fail when its probability is `>= threshold`. */
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  /** (TP + TN) / n. */
  readonly accuracy: number;
  /** TP / (TP + FP); `null` when nothing was predicted to fail (undefined, not 0). */
  readonly precision: number | null;
  /** TP / (TP + FN); `null` when there are no failures. */
  readonly recall: number | null;
  /** 2·P·R / (P + R); 0 when P + R = 0; `null` when precision or recall is undefined. */
  readonly f1: number | null;
}

/**
 * Confusion counts and accuracy, precision, recall and F1 of the decision `probability >= threshold` → fail (1).
 * Undefined ratios are `null` rather than scikit-learn's silent 0, so a report can say "undefined".
 *
 * @example
 * ```ts
 * const m = confusionMetrics([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.38);
 * // predicted fail: rows 1 and 3 → TP 1, FP 1, TN 1, FN 1
 * m.accuracy;  // 0.5
 * m.precision; // 0.5
 * ```
 */
export function confusionMetrics(probabilities: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): ConfusionMetrics {
  checkPair(probabilities, labels, 'confusionMetrics');
  if (!Number.isFinite(threshold))
    throw new InvalidInputError(`confusionMetrics: threshold is ${threshold}; pass a finite number such as 0.5.`);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = (probabilities[i] as number) >= threshold;
    if (labels[i] === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  const n = labels.length;
  const precision = tp + fp === 0 ? null : tp / (tp + fp);
  const recall = tp + fn === 0 ? null : tp / (tp + fn);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    accuracy: (tp + tn) / n,
    precision,
    recall,
    f1,
  };
}
