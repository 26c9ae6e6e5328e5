import type { FinalTestOutcome, TrainingRecord } from '../../src/core/types.js';

/** A clean record of model `M`, overridable. */
export function rec(i: number, over: Partial<TrainingRecord> = {}): TrainingRecord {
  return {
    trackResultId: i,
    trimResultId: i,
    model: 'M',
    serial: `S${i}`,
    trackId: 'default',
    fileDate: new Date(Date.UTC(2025, 0, 1 + i)),
    status: 'PASS',
    sigmaGradient: 1e-4,
    linearitySpec: 0.01,
    linearityError: 0.005,
    linearityFailPoints: 0,
    linearityPass: true,
    optimalOffset: 0.001,
    travelLength: 100,
    unitLength: 100,
    untrimmedResistance: 10000,
    trimmedResistance: 10500,
    finalTest: null,
    ...over,
  };
}

export function ft(id: number, pass: boolean | null, failPoints: number | null): FinalTestOutcome {
  return { finalTestId: id, testDate: new Date(Date.UTC(2025, 1, id)), linearityPass: pass, failPoints, linearityError: null };
}

/**
 * The hand-worked dual-track model "8340-1": 5 units (trim runs), spec 0.01 V, travel 100.
 *
 * | rec | unit | track | date  | sigma | error  | trim pass | fail pts | Final Test         |
 * |-----|------|-------|-------|-------|--------|-----------|----------|--------------------|
 * | 1   | 1    | TRK1  | day 1 | 1e-4  | 0.004  | pass      | 0        | pass               |
 * | 2   | 1    | TRK2  | day 1 | 1e-4  | 0.006  | pass      | 0        | pass               |
 * | 3   | 2    | TRK1  | day 2 | 1e-3  | 0.012  | FAIL      | 4        | FAIL, 6 pts        |
 * | 4   | 2    | TRK2  | day 2 | 1e-2  | 0.020  | FAIL      | 10       | —                  |
 * | 5   | 3    | TRK1  | day 3 | 1e-4  | 0.008  | pass      | 0        | FAIL, 3 pts (escape)|
 * | 6   | 3    | TRK2  | day 3 | 1e-3  | 0.011  | FAIL      | 1        | linked, no outcome |
 * | 7   | 4    | TRK1  | day 4 | 1e-3  | 0.015  | FAIL      | 3        | —                  |
 * | 8   | 4    | TRK2  | day 4 | 1e-3  | 0.013  | FAIL      | 2        | —                  |
 * | 9   | 5    | TRK1  | day 5 | 1e-4  | null   | null      | null     | —                  |
 * plus two garbage rows that hygiene drops: status ERROR (rec 10) and placeholder sigma 999.999 (rec 11).
 * Records are passed in reverse order, so date ordering is the code's job.
 */
export function handDataset(): TrainingRecord[] {
  const day = (d: number): Date => new Date(Date.UTC(2025, 2, d));
  const base = (i: number, unit: number, trk: string, over: Partial<TrainingRecord>): TrainingRecord =>
    rec(i, { model: '8340-1', trimResultId: unit, serial: `U${unit}`, trackId: trk, fileDate: day(unit), ...over });
  const rows: TrainingRecord[] = [
    base(1, 1, 'TRK1', { sigmaGradient: 1e-4, linearityError: 0.004, finalTest: ft(1, true, 0) }),
    base(2, 1, 'TRK2', { sigmaGradient: 1e-4, linearityError: 0.006, finalTest: ft(2, true, 0) }),
    base(3, 2, 'TRK1', {
      sigmaGradient: 1e-3,
      linearityError: 0.012,
      linearityPass: false,
      linearityFailPoints: 4,
      finalTest: ft(3, false, 6),
    }),
    base(4, 2, 'TRK2', { sigmaGradient: 1e-2, linearityError: 0.02, linearityPass: false, linearityFailPoints: 10 }),
    base(5, 3, 'TRK1', { sigmaGradient: 1e-4, linearityError: 0.008, finalTest: ft(5, false, 3) }),
    base(6, 3, 'TRK2', {
      sigmaGradient: 1e-3,
      linearityError: 0.011,
      linearityPass: false,
      linearityFailPoints: 1,
      finalTest: ft(6, null, null),
    }),
    base(7, 4, 'TRK1', { sigmaGradient: 1e-3, linearityError: 0.015, linearityPass: false, linearityFailPoints: 3 }),
    base(8, 4, 'TRK2', { sigmaGradient: 1e-3, linearityError: 0.013, linearityPass: false, linearityFailPoints: 2 }),
    base(9, 5, 'TRK1', { sigmaGradient: 1e-4, linearityError: null, linearityPass: null, linearityFailPoints: null }),
    base(10, 6, 'TRK1', { status: 'ERROR' }),
    base(11, 7, 'TRK1', { sigmaGradient: 999.999 }),
  ];
  return rows.reverse();
}

/** `n` records of model `model` with constant sigma/error and `fails` failures (the first `fails` records). */
export function uniformModel(
  model: string,
  n: number,
  o: { sigma: number; error: number; spec?: number; travel?: number; fails: number },
): TrainingRecord[] {
  return Array.from({ length: n }, (_, k) =>
    rec(k + 1, {
      model,
      sigmaGradient: o.sigma,
      linearityError: o.error,
      linearitySpec: o.spec ?? 0.01,
      travelLength: o.travel ?? 100,
      linearityPass: k >= o.fails,
      linearityFailPoints: k >= o.fails ? 0 : 5,
    }),
  );
}

/** Every number in a value tree is finite (no NaN / Infinity). */
export function allFinite(x: unknown): boolean {
  if (typeof x === 'number') return Number.isFinite(x);
  if (Array.isArray(x)) return x.every(allFinite);
  if (x !== null && typeof x === 'object') return Object.values(x).every(allFinite);
  return true;
}
