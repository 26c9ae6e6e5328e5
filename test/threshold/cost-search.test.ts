import { describe, expect, it } from 'vitest';
import {
  costCurve,
  groupBySigma,
  searchCostOptimalThreshold,
  sortBySigma,
  thresholdAccuracy,
  weightedAuc,
  type ThresholdObjective,
} from '../../src/threshold/index.js';

const BALANCED: ThresholdObjective = { costRatio: 1, normalization: 'class-totals' };

function groups(sigma: number[], fail: number[], severity: number[]) {
  const s = Float64Array.from(sigma);
  return groupBySigma(s, Uint8Array.from(fail), Float64Array.from(severity), sortBySigma(s));
}

describe('groupBySigma / weightedAuc', () => {
  it('groups ties and sums weights', () => {
    const g = groups([2, 1, 2, 2], [1, 0, 0, 1], [3, 1, 1, 2]);
    expect(Array.from(g.values)).toEqual([1, 2]);
    expect(Array.from(g.failWeight)).toEqual([0, 5]);
    expect(Array.from(g.passWeight)).toEqual([1, 1]);
    expect(g.totalFail).toBe(5);
    expect(g.totalPass).toBe(2);
  });

  it('AUC matches hand values (and scikit-learn roc_auc_score with sample_weight)', () => {
    // failures at 3 and 1, passes at 2 and 1: pairs 3>2, 3>1, 1<2, 1=1 → (1 + 1 + 0 + 0.5) / 4
    expect(weightedAuc(groups([3, 1, 2, 1], [1, 1, 0, 0], [1, 1, 1, 1]))).toBeCloseTo(0.625, 12);
    // failure at 3 weighs 3: (3·2 + 1·0.5) / (4·2) = 0.8125 (sklearn gives 0.8125 for weights [3,1,1,1])
    expect(weightedAuc(groups([3, 1, 2, 1], [1, 1, 0, 0], [3, 1, 1, 1]))).toBeCloseTo(0.8125, 12);
    expect(weightedAuc(groups([1, 2], [0, 0], [1, 1]))).toBeNull();
  });
});

describe('costCurve / searchCostOptimalThreshold', () => {
  // sigma 1..12; passes at 1,2,3,4,6,7; failures at 5,8,9,10,11,12.
  const sigma = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const fail = [0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1];

  it('computes the cost of every cut by hand (every failure 1 fail point → weight 2)', () => {
    const w = fail.map((f) => (f ? 2 : 1));
    const curve = costCurve(groups(sigma, fail, w), BALANCED)!;
    // W_fail = 12, N_pass = 6. cost = escapes/12 + rejects/6
    // cut 1|2: 0 + 5/6; 2|3: 4/6; 3|4: 3/6; 4|5: 2/6; 5|6: 2/12 + 2/6; 6|7: 2/12 + 1/6; 7|8: 2/12 + 0;
    // 8|9: 4/12; 9|10: 6/12; 10|11: 8/12; 11|12: 10/12
    const hand = [5 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6 + 2 / 6, 1 / 6 + 1 / 6, 1 / 6, 4 / 12, 6 / 12, 8 / 12, 10 / 12];
    expect(curve.costs.length).toBe(11);
    hand.forEach((c, k) => expect(curve.costs[k]).toBeCloseTo(c, 12));
    expect(curve.thresholds[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(curve.costPassAll).toBe(1);
    expect(curve.costRejectAll).toBe(1);
    const best = searchCostOptimalThreshold(groups(sigma, fail, w), BALANCED)!;
    expect(best.threshold).toBeCloseTo(Math.sqrt(56), 12); // cut 7|8, cost 1/6
    expect(best.cost).toBeCloseTo(1 / 6, 12);
    expect(best.plateauLow).toBe(7);
    expect(best.plateauHigh).toBe(8);
    expect(best.candidates).toBe(11);
  });

  it('a heavy failure just above a cut pulls the threshold down', () => {
    // Same units, the failure at sigma 5 has 255 fail points (weight 9): W_fail = 10 + 9 = 19.
    // cut 4|5: 0 + 2/6 = 0.3333; cut 7|8: 9/19 = 0.4737; cut 6|7: 9/19 + 1/6; cut 3|4: 3/6 → optimum 4|5.
    const w = fail.map((f, i) => (f ? (i === 4 ? 9 : 2) : 1));
    const best = searchCostOptimalThreshold(groups(sigma, fail, w), BALANCED)!;
    expect(best.threshold).toBeCloseTo(Math.sqrt(20), 12);
    expect(best.cost).toBeCloseTo(2 / 6, 12);
  });

  it('the normalisation is a parameter: raw sums let the classes count per unit', () => {
    // normalization none, costRatio 1, weights 2: cost = escapes + rejects.
    // 4|5: 0 + 2 = 2; 7|8: 2 + 0 = 2 (tie); widths ln(5/4) = 0.223 > ln(8/7) = 0.134 → 4|5.
    const w = fail.map((f) => (f ? 2 : 1));
    const best = searchCostOptimalThreshold(groups(sigma, fail, w), { costRatio: 1, normalization: 'none' })!;
    expect(best.threshold).toBeCloseTo(Math.sqrt(20), 12);
    expect(best.cost).toBe(2);
    expect(best.costPassAll).toBe(12);
    expect(best.costRejectAll).toBe(6);
    // costRatio 0.25 makes escapes cheap: 7|8 costs 0.25·2 = 0.5, 4|5 still 2 → 7|8 wins.
    const cheap = searchCostOptimalThreshold(groups(sigma, fail, w), { costRatio: 0.25, normalization: 'none' })!;
    expect(cheap.threshold).toBeCloseTo(Math.sqrt(56), 12);
    expect(cheap.cost).toBeCloseTo(0.5, 12);
  });

  it('breaks a tie between separate optimal cuts towards the wider gap in log space', () => {
    // sigma 1..8, failures at 4,6,7,8 (weight 2): W_fail 8, N_pass 4.
    // 3|4: 0 + 1/4 = 0.25; 5|6: 2/8 + 0 = 0.25; widths ln(4/3) = 0.288 > ln(6/5) = 0.182 → 3|4.
    const best = searchCostOptimalThreshold(
      groups([1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 1, 0, 1, 1, 1], [1, 1, 1, 2, 1, 2, 2, 2]),
      BALANCED,
    )!;
    expect(best.cost).toBeCloseTo(0.25, 12);
    expect(best.threshold).toBeCloseTo(Math.sqrt(12), 12);
  });

  it('takes the geometric middle of a contiguous optimal plateau', () => {
    // values 1 (pass), 2 (pass), 4 (pass + fail), 8 (fail), 16 (fail); W_fail 6, N_pass 3.
    // 1|2: 2/3; 2|4: 1/3; 4|8: 2/6 = 1/3; 8|16: 4/6 → plateau (2, 8), threshold √16 = 4.
    const best = searchCostOptimalThreshold(groups([1, 2, 4, 4, 8, 16], [0, 0, 0, 1, 1, 1], [1, 1, 1, 2, 2, 2]), BALANCED)!;
    expect(best.plateauLow).toBe(2);
    expect(best.plateauHigh).toBe(8);
    expect(best.threshold).toBeCloseTo(4, 12);
    expect(best.cost).toBeCloseTo(1 / 3, 12);
  });

  it('has no candidate for one distinct value or one class', () => {
    expect(searchCostOptimalThreshold(groups([3, 3, 3], [0, 1, 1], [1, 2, 2]), BALANCED)).toBeNull();
    expect(searchCostOptimalThreshold(groups([1, 2, 3], [0, 0, 0], [1, 1, 1]), BALANCED)).toBeNull();
  });
});

describe('thresholdAccuracy', () => {
  it('scores sigma ≤ t as pass with fail as the positive class, by hand', () => {
    // sigma 1..6, fail 0,1,0,1,1,0; t = 2.5: predicted fail = 3,4,5,6 → TP 2 (4,5), FN 1 (2), TN 1 (1), FP 2 (3,6)
    const a = thresholdAccuracy(Float64Array.from([1, 2, 3, 4, 5, 6]), Uint8Array.from([0, 1, 0, 1, 1, 0]), 2.5, [0, 1, 2, 3, 4, 5])!;
    expect(a.tpr).toBeCloseTo(2 / 3, 12);
    expect(a.tnr).toBeCloseTo(1 / 3, 12);
    expect(a.accuracy).toBeCloseTo(3 / 6, 12);
    expect(a.balancedAccuracy).toBeCloseTo(0.5, 12);
  });

  it('takes a per-unit threshold and a subset, and is null for one class', () => {
    const sigma = Float64Array.from([1, 2, 3, 4]);
    const fail = Uint8Array.from([0, 1, 0, 1]);
    // per-unit thresholds 0.5, 5, 5, 3 → predicted fail: unit 0, unit 3; on units 0..3: TP 1, FN 1, FP 1, TN 1
    const a = thresholdAccuracy(sigma, fail, Float64Array.from([0.5, 5, 5, 3]), [0, 1, 2, 3])!;
    expect(a.balancedAccuracy).toBeCloseTo(0.5, 12);
    expect(thresholdAccuracy(sigma, fail, 2.5, [1, 3])).toBeNull();
  });
});
