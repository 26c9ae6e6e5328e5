/**
 * The dense solve behind the ARL calculators: the hand-written Gaussian elimination on a row-major Float64Array
 * (`core/stats/linear-solve.ts`) against ml-matrix's `LuDecomposition` (the same algorithm: LU with partial
 * pivoting) on the matrices the ARL functions build (CUSUM Nyström n = 49, EWMA Nyström n = 64 / 128, Markov
 * chain n = 300). CPU time per solve, A/B interleaved, medians of 15 rounds; the agreement of the two solutions is
 * printed too. Run: npx tsx bench/arl-solve.bench.ts
 */
import { LuDecomposition, Matrix } from 'ml-matrix';
import { createRng } from '../src/core/rng.js';
import { solveLinearInPlace } from '../src/core/stats/linear-solve.js';

/** An (I − R) matrix like the ARL ones: diagonally dominant, rows of R summing to < 1. */
function arlLikeMatrix(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a[i * n + j] = rng.next() * Math.exp(-Math.abs(i - j) / 8);
    for (let j = 0; j < n; j++) a[i * n + j] = -(0.999 * a[i * n + j]!) / sum;
    a[i * n + i]! += 1;
  }
  return a;
}

function handWritten(a: Float64Array, n: number): Float64Array {
  return solveLinearInPlace(a.slice(), new Float64Array(n).fill(1), n);
}

function mlMatrix(a: Float64Array, n: number): Float64Array {
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j]!);
  const x = new LuDecomposition(m).solve(Matrix.columnVector(new Array<number>(n).fill(1)));
  return Float64Array.from(x.getColumn(0));
}

function cpuMs(f: () => void, reps: number): number {
  const t0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) f();
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000 / reps;
}

const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

for (const n of [49, 64, 128, 300]) {
  const a = arlLikeMatrix(n, n);
  const reps = Math.max(3, Math.round(2e7 / (n * n * n)));
  const hw: number[] = [];
  const ml: number[] = [];
  for (let round = 0; round < 15; round++) {
    hw.push(cpuMs(() => handWritten(a, n), reps));
    ml.push(cpuMs(() => mlMatrix(a, n), reps));
  }
  const x1 = handWritten(a, n);
  const x2 = mlMatrix(a, n);
  let maxRel = 0;
  for (let i = 0; i < n; i++) maxRel = Math.max(maxRel, Math.abs(x1[i]! - x2[i]!) / Math.abs(x1[i]!));
  console.log(
    `n=${String(n).padStart(3)}  hand-written ${median(hw).toFixed(3)} ms  ml-matrix ${median(ml).toFixed(3)} ms  ` +
      `ratio ${(median(ml) / median(hw)).toFixed(2)}  max rel. difference ${maxRel.toExponential(1)}`,
  );
}
