/**
 * Seeded plant-like synthetic data for the forest benchmark: 11 features named as the design's, a nonlinear
 * failure signal (log sigma against the formula threshold, an error-to-spec knee, an interaction with offset),
 * plus label noise. About 35% positives.
 */
import { createRng } from '../src/core/rng.js';

export const BENCH_FEATURES = [
  'sigma_gradient',
  'linearity_error',
  'linearity_fail_points',
  'optimal_offset',
  'travel_length',
  'unit_length',
  'linearity_spec',
  'resistance_change',
  'sigma_to_spec_ratio',
  'error_to_spec_ratio',
  'offset_magnitude',
] as const;

export interface BenchData {
  readonly X: Float64Array; // row-major, n × 11
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
}

/** n rows, seeded. */
export function plantLikeData(n: number, seed: number, labelNoise = 0.05): BenchData {
  const rng = createRng(seed);
  const specs = [0.01, 0.01, 0.01, 0.015, 0.02, 0.025, 0.05];
  const travels = [240, 300, 340, 120];
  const d = BENCH_FEATURES.length;
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const spec = specs[rng.nextInt(specs.length)]!;
    const unit = travels[rng.nextInt(travels.length)]!;
    const travel = unit + 2 * rng.nextNormal();
    const threshold = spec / (24 * Math.max(1, travel / 100));
    const logRatio = 0.55 * rng.nextNormal() - 0.15; // log(sigma / threshold)
    const sigma = threshold * Math.exp(logRatio);
    const offset = 0.3 * spec * rng.nextNormal();
    const resChange = 0.02 + 0.13 * rng.next();
    const errRatio = Math.exp(-0.35 + 0.6 * logRatio + 0.35 * rng.nextNormal());
    const err = errRatio * spec;
    const failPoints = errRatio > 1 ? Math.round(3 * (errRatio - 1) * 20 * rng.next()) : 0;
    const z =
      2.2 * logRatio +
      1.6 * Math.max(0, errRatio - 0.85) * 4 +
      1.2 * Math.sin(25 * resChange) * (Math.abs(offset) / spec > 0.3 ? 1 : 0.3) -
      0.95;
    let label = rng.next() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
    if (rng.next() < labelNoise) label = 1 - label;
    const row = [sigma, err, failPoints, offset, travel, unit, spec, resChange, sigma / spec, errRatio, Math.abs(offset)];
    for (let j = 0; j < d; j++) X[i * d + j] = row[j]!;
    y[i] = label;
  }
  return { X, y, rows: n, cols: d };
}
