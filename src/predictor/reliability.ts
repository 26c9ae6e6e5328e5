/**
 * The reliability diagram (calibration curve) of a failure predictor: predicted probabilities grouped into equal-width
 * bins, each bin's mean prediction against its observed failure rate. A calibrated predictor lies on the diagonal.
 * Equal-width bins are scikit-learn's `calibration_curve(strategy='uniform')`; the bins keep their sums so that the
 * curve, the mean prediction and the observed rate can be recomputed exactly from the stored summary.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';

/** One bin of a reliability diagram: predictions in [lower, upper) (the last bin includes 1). */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  /** Units whose prediction fell in the bin. */
  readonly n: number;
  /** Sum of their predicted probabilities (mean prediction = sum / n). */
  readonly predictedSum: number;
  /** How many of them failed (observed failure rate = failures / n). */
  readonly failures: number;
}

/**
 * Bins out-of-sample predictions for a reliability diagram: bin i of `bins` holds p in [i/bins, (i+1)/bins), p = 1 in
 * the last bin. Empty bins are kept (n = 0), so the bin edges are fixed. Rows whose probability is not finite are
 * skipped (a unit without an out-of-sample prediction). Labels: 1 = fail, 0 = pass.
 *
 * @example
 * ```ts
 * const bins = reliabilityBins([0.05, 0.08, 0.95], [0, 1, 1], 10);
 * bins[0]; // { lower: 0, upper: 0.1, n: 2, predictedSum: 0.13, failures: 1 }: mean prediction 0.065, observed 0.5
 * bins[9]; // { lower: 0.9, upper: 1, n: 1, predictedSum: 0.95, failures: 1 }
 * ```
 */
export function reliabilityBins(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  if (probabilities.length !== labels.length) {
    throw new InvalidInputError(`reliabilityBins: ${probabilities.length} probabilities but ${labels.length} labels; pass one per unit.`);
  }
  if (!Number.isInteger(bins) || bins < 1) throw new InvalidInputError(`reliabilityBins: bins must be a positive integer, got ${bins}.`);
  const n = new Array<number>(bins).fill(0);
  const sum = new Array<number>(bins).fill(0);
  const fail = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    if (!Number.isFinite(p)) continue;
    if (p < 0 || p > 1) throw new InvalidInputError(`reliabilityBins: probability ${i} is ${p}; probabilities must be in [0, 1].`);
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new InvalidInputError(`reliabilityBins: label ${i} is ${y}; labels must be 0 (pass) or 1 (fail).`);
    const b = Math.min(bins - 1, Math.floor(p * bins));
    n[b]!++;
    sum[b]! += p;
    fail[b]! += y;
  }
  return n.map((count, b) => ({ lower: b / bins, upper: (b + 1) / bins, n: count, predictedSum: sum[b]!, failures: fail[b]! }));
}
