/**
 * Platt scaling: maps a classifier's score s to a calibrated probability `p = 1 / (1 + exp(−(a·s + b)))`, fitted by
 * maximum likelihood on out-of-sample scores (Platt 1999), with Platt's smoothed targets
 * `t₊ = (N₊ + 1)/(N₊ + 2)`, `t₋ = 1/(N₋ + 2)` and the Newton method with backtracking of Lin, Lin & Weng (2007).
 *
 * Why Platt and not isotonic regression: per-model data are small (20–500 rows). Isotonic regression fits a step
 * function with up to n levels and is known to overfit below ~1,000 calibration rows (Niculescu-Mizil & Caruana
 * 2005); Platt has 2 parameters, the smoothed targets keep it finite under perfect separation, and with `a > 0` it is
 * strictly increasing, so it never reorders (inverts) the forest's ranking.
 *
 * What is scaled: {@link ModelPredictor} feeds the logit of the forest probability ({@link probabilityLogit}), not
 * the probability itself. Balanced class weights and severity weights multiply the failure class's weight by some
 * factor k, which shifts a leaf's odds by k: logit(s) ≈ logit(p) + log k. A sigmoid of logit(s) with (a, b) can undo
 * that shift exactly (a ≈ 1, b ≈ −log k); a sigmoid of s itself cannot (measured: bins of calibrated probability off
 * by up to 0.1 with raw s, within ~0.05 with logit(s), on 3,000 rows with a 17% base rate).
 *
 * @module
 */
import { InvalidInputError, StateVersionError } from '../core/errors.js';

/** A fitted Platt calibration (plain JSON). */
export interface PlattCalibration {
  readonly kind: 'PlattCalibration';
  readonly version: 1;
  /** Slope on the raw score; ≥ 0 by construction. */
  readonly a: number;
  /** Intercept. */
  readonly b: number;
  /**
   * `true` when the fit found no increasing relation between score and outcome (slope ≤ 0) or the scores were
   * constant: the calibration then predicts the smoothed base rate `(N₊ + 1)/(n + 2)` for every row instead of an
   * inverted probability.
   */
  readonly constant: boolean;
  /** Rows the calibration was fitted on, and how many were positive. */
  readonly n: number;
  readonly positives: number;
}

function logistic(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Fits Platt scaling of `scores` against 0/1 `labels` (unweighted: the calibrated probability is a frequency of
 * real outcomes, whatever weights the classifier was trained with).
 *
 * @example
 * ```ts
 * // Two score levels: the fit reproduces each level's mean smoothed target.
 * const s = [...Array(10).fill(0.2), ...Array(10).fill(0.8)];
 * const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
 * const cal = fitPlatt(s, y);
 * applyPlatt(cal, 0.2); // 0.25
 * applyPlatt(cal, 0.8); // 0.75
 * ```
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): PlattCalibration {
  const n = scores.length;
  if (n === 0 || labels.length !== n)
    throw new InvalidInputError(`fitPlatt: ${n} scores and ${labels.length} labels; pass one finite score per 0/1 label, at least one.`);
  let pos = 0;
  let smin = Number.POSITIVE_INFINITY;
  let smax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    const s = scores[i]!;
    if (y !== 0 && y !== 1) throw new InvalidInputError(`fitPlatt: label ${i} is ${String(y)}; labels must be 0 or 1.`);
    if (!Number.isFinite(s)) throw new InvalidInputError(`fitPlatt: score ${i} is ${s}; drop rows without a score first.`);
    pos += y;
    if (s < smin) smin = s;
    if (s > smax) smax = s;
  }
  const neg = n - pos;
  const constant = (): PlattCalibration => {
    const rate = (pos + 1) / (n + 2);
    return { kind: 'PlattCalibration', version: 1, a: 0, b: Math.log(rate / (1 - rate)), constant: true, n, positives: pos };
  };
  if (pos === 0 || neg === 0 || smin === smax) return constant();
  const hiT = (pos + 1) / (pos + 2);
  const loT = 1 / (neg + 2);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = labels[i] === 1 ? hiT : loT;
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = a * scores[i]! + b;
      f += softplus(z) - t[i]! * z;
    }
    return f;
  };
  let a = 0;
  let b = Math.log((pos + 1) / (neg + 1));
  let f = objective(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      const p = logistic(a * s + b);
      const r = p - t[i]!;
      const w = p * (1 - p);
      ga += r * s;
      gb += r;
      haa += w * s * s;
      hab += w * s;
      hbb += w;
    }
    if (Math.abs(ga) < 1e-10 && Math.abs(gb) < 1e-10) break;
    const det = haa * hbb - hab * hab;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(-hab * ga + haa * gb) / det;
    const slope = ga * da + gb * db;
    let step = 1;
    let accepted = false;
    while (step >= 1e-10) {
      const na = a + step * da;
      const nb = b + step * db;
      const nf = objective(na, nb);
      if (nf < f + 1e-4 * step * slope) {
        a = na;
        b = nb;
        f = nf;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
  }
  if (!(a > 0) || !Number.isFinite(b)) return constant();
  return { kind: 'PlattCalibration', version: 1, a, b, constant: false, n, positives: pos };
}

/**
 * The calibrated probability of one raw score.
 *
 * @example
 * ```ts
 * applyPlatt(fitPlatt(scores, labels), 0.7); // P(fail) for a score of 0.7
 * ```
 */
export function applyPlatt(cal: PlattCalibration, score: number): number {
  return logistic(cal.a * score + cal.b);
}

/** Lower/upper clip of a probability before {@link probabilityLogit}. */
export const LOGIT_CLIP = 1e-3;

/**
 * `log(s / (1 − s))` of a probability clipped to [0.001, 0.999]: the Platt input for a forest's probability.
 *
 * @example
 * ```ts
 * probabilityLogit(0.75); // ln 3 ≈ 1.0986
 * probabilityLogit(0);    // ln(0.001 / 0.999) ≈ −6.9
 * ```
 */
export function probabilityLogit(s: number): number {
  const c = s < LOGIT_CLIP ? LOGIT_CLIP : s > 1 - LOGIT_CLIP ? 1 - LOGIT_CLIP : s;
  return Math.log(c / (1 - c));
}

/** Validates a persisted calibration (kind, version, finite parameters). */
export function checkPlattCalibration(cal: PlattCalibration): PlattCalibration {
  if (cal?.kind !== 'PlattCalibration' || cal.version !== 1) {
    throw new StateVersionError(
      `PlattCalibration: expected kind PlattCalibration version 1, got ${String(cal?.kind)} v${String(cal?.version)}. Retrain the model.`,
    );
  }
  if (!Number.isFinite(cal.a) || cal.a < 0 || !Number.isFinite(cal.b)) {
    throw new InvalidInputError(
      `PlattCalibration: a = ${cal.a}, b = ${cal.b} must be finite with a >= 0; the state is corrupt, retrain the model.`,
    );
  }
  return cal;
}
