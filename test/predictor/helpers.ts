import { createRng } from '../../src/core/rng.js';

/** Rows with x0 ~ U(0,1) carrying the signal P(y=1) = trueP(x0), and `noise` further U(0,1) features. */
export function signalData(n: number, seed: number, noise = 2, trueP = (x0: number) => 1 / (1 + Math.exp(-10 * (x0 - 0.5)))) {
  const rng = createRng(seed);
  const d = 1 + noise;
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = rng.next();
    p[i] = trueP(X[i * d]!);
    y[i] = rng.next() < p[i]! ? 1 : 0;
  }
  return { X: { data: X, rows: n, cols: d }, y, p, d };
}
