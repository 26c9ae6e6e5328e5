import { createRng } from '../../src/core/rng.js';
import type { ThresholdData } from '../../src/threshold/index.js';

/** Options of {@link synthUnits}. */
export interface SynthOptions {
  readonly n: number;
  readonly seed: number;
  /** The true cut: P(fail) = logistic((ln σ − ln truth) / slope). */
  readonly truth: number;
  /** Smaller = sharper separation (natural-log units of sigma). */
  readonly slope: number;
  /** The formula threshold given to every unit. */
  readonly formula: number;
  readonly withDates?: boolean;
}

/**
 * Units of one model: ln σ ~ N(ln 3e-4, 0.45) (≈ 0.2 decades, as within a plant model), failure with a logistic
 * probability around the true cut, fail points 1..20 for failures.
 */
export function synthUnits(o: SynthOptions): ThresholdData {
  const rng = createRng(o.seed);
  const sigma = new Float64Array(o.n);
  const fail = new Uint8Array(o.n);
  const failPoints = new Float64Array(o.n);
  const dates: Date[] = [];
  for (let i = 0; i < o.n; i++) {
    sigma[i] = Math.exp(Math.log(3e-4) + 0.45 * rng.nextNormal());
    const p = 1 / (1 + Math.exp(-(Math.log(sigma[i]!) - Math.log(o.truth)) / o.slope));
    fail[i] = rng.next() < p ? 1 : 0;
    failPoints[i] = fail[i] ? 1 + rng.nextInt(20) : 0;
    dates.push(new Date(Date.UTC(2024, 0, 1) + i * 3_600_000));
  }
  return {
    sigma,
    fail,
    failPoints,
    labelSource: 'trim',
    formulaThreshold: new Float64Array(o.n).fill(o.formula),
    ...(o.withDates ? { dates } : {}),
  };
}
