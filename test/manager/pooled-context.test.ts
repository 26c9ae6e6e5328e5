import { describe, expect, it } from 'vitest';
import { StateVersionError } from '../../src/core/errors.js';
import type { TrainingRecord } from '../../src/core/types.js';
import {
  PRIOR_STRENGTH_BOUNDS,
  contextFold,
  dayNumber,
  finalTestHistory,
  fitRatePrior,
  smoothedRate,
  excessRate,
} from '../../src/manager/pooled/pooled-context.js';
import {
  countsOnDay,
  decayHistory,
  decayedAfter,
  decayedBefore,
  nearbyRate,
  recentRate,
} from '../../src/manager/pooled/decayed-history.js';
import {
  POOLED_FEATURE_NAMES,
  POOLED_TRACK_FEATURE_COUNT,
  POOLED_V1_FEATURE_COUNT,
  POOLED_V2_FEATURE_COUNT,
  columnMedians,
  imputeInPlace,
  medianOf,
} from '../../src/manager/pooled/pooled-features.js';
import { fitLogistic, logisticProbability } from '../../src/predictor/logistic.js';
import {
  PooledRows,
  fillContextColumns,
  pooledModelFromState,
  trainPooledModel,
  type PooledModelState,
} from '../../src/manager/pooled/pooled.js';

const DAY = 86_400_000;
let nextId = 1;

/** A clean rotary track of `model` trimmed on UTC day `day`, with an FT outcome (`fail`) or none (`null`). */
function rec(model: string, day: number, fail: boolean | null, o: { trim?: number; sigma?: number; error?: number } = {}): TrainingRecord {
  const id = nextId++;
  return {
    trackResultId: id,
    trimResultId: o.trim ?? id,
    model,
    serial: `S${id}`,
    trackId: 'default',
    fileDate: new Date(day * DAY + 3_600_000),
    status: 'PASS',
    sigmaGradient: o.sigma ?? 3e-4,
    linearitySpec: 0.01,
    linearityError: o.error ?? 0.006,
    linearityFailPoints: 0,
    linearityPass: true,
    optimalOffset: 0.001,
    travelLength: 300,
    unitLength: 300,
    untrimmedResistance: 10_000,
    trimmedResistance: 10_500,
    finalTest:
      fail === null
        ? null
        : { finalTestId: id, testDate: new Date((day + 10) * DAY), linearityPass: !fail, failPoints: fail ? 5 : 0, linearityError: null },
  };
}

const CTX = { medianLogSigma: Math.log(3e-4), samples: 10 };
const K = POOLED_TRACK_FEATURE_COUNT;
const D = POOLED_FEATURE_NAMES.length;

describe('context features: hand examples', () => {
  it('fits the beta-binomial prior by the method of moments', () => {
    // p0 = 10/40 = 0.25; S = 10·0.15² + 10·0.25² + 20·0.05² = 0.9; τ² = (0.9 − 2·0.1875)/(40 − 600/40) = 0.021;
    // m = 0.1875/0.021 − 1 = 7.928571…
    const p = fitRatePrior([
      { units: 10, failures: 1 },
      { units: 10, failures: 5 },
      { units: 20, failures: 4 },
    ]);
    expect(p.rate).toBeCloseTo(0.25, 12);
    expect(p.strength).toBeCloseTo(0.1875 / 0.021 - 1, 9);
    // Rates as alike as binomial noise (S below its expectation): models indistinguishable, upper bound.
    expect(
      fitRatePrior([
        { units: 10, failures: 3 },
        { units: 10, failures: 3 },
      ]).strength,
    ).toBe(PRIOR_STRENGTH_BOUNDS.max);
    expect(fitRatePrior([{ units: 50, failures: 5 }])).toEqual({ rate: 0.1, strength: PRIOR_STRENGTH_BOUNDS.max });
    expect(fitRatePrior([])).toEqual({ rate: 0.5, strength: PRIOR_STRENGTH_BOUNDS.min });
    // Models entirely apart: the strength stays at its lower bound.
    expect(
      fitRatePrior([
        { units: 100, failures: 0 },
        { units: 100, failures: 100 },
      ]).strength,
    ).toBe(PRIOR_STRENGTH_BOUNDS.min);
  });

  it('smooths a model rate toward the prior', () => {
    expect(smoothedRate(3, 10, { rate: 0.25, strength: 10 })).toBeCloseTo(5.5 / 20, 15);
    expect(smoothedRate(0, 0, { rate: 0.25, strength: 10 })).toBe(0.25);
  });

  it('measures a model’s FT excess over what its trim measurements expect', () => {
    expect(excessRate(12, 7, 5)).toBeCloseTo(Math.log(17 / 12), 15);
    expect(excessRate(0, 0, 5)).toBe(0);
    expect(excessRate(2, 10, 5)).toBeCloseTo(Math.log(7 / 15), 15);
  });

  it('counts FT outcomes by trim day and weighs earlier days by their age', () => {
    const h = finalTestHistory([
      rec('a', 17, false),
      rec('a', 10, true),
      rec('a', 10, false),
      rec('a', 12, null),
      rec('a', 10, true),
      rec('a', 10, false),
      rec('a', 17, false),
    ]);
    expect(h).toEqual({ days: [10, 17], units: [4, 2], failures: [2, 0] });
    const d = decayHistory(h, 7);
    // Day 17 sees day 10 only (7 days = one half-life): A = 2·½, B = 4·½; rate = (1 + 5·0.2)/(2 + 5).
    expect(decayedBefore(d, 17)).toEqual({ failures: 1, units: 2 });
    expect(recentRate(d, 17, 0.2, 5)).toBeCloseTo(2 / 7, 15);
    // Day 24: A = 2·¼ + 0·½ = 0.5, B = 4·¼ + 2·½ = 2; rate = (0.5 + 1)/7.
    expect(recentRate(d, 24, 0.2, 5)).toBeCloseTo(1.5 / 7, 15);
    // A unit's own day and anything later never count: day 10 has nothing before it.
    expect(recentRate(d, 10, 0.2, 5)).toBe(0.2);
    expect(recentRate(d, 3, 0.2, 5)).toBe(0.2);
    expect(dayNumber(new Date(10 * DAY + 5))).toBe(10);
    // Nearby: both sides, never the own day. Day 14: A = 2·2^(−4/7), B = 4·2^(−4/7) + 2·2^(−3/7).
    const w4 = 2 ** (-4 / 7);
    const w3 = 2 ** (-3 / 7);
    expect(decayedAfter(d, 14).units).toBeCloseTo(2 * w3, 15);
    expect(nearbyRate(d, 14, 0.2, 5)).toBeCloseTo((2 * w4 + 1) / (4 * w4 + 2 * w3 + 5), 15);
    // Day 10 sees day 17 only (A = 0, B = 2·½), day 17 sees day 10 only; after the last day it is the recent rate.
    expect(nearbyRate(d, 10, 0.2, 5)).toBeCloseTo(1 / 6, 15);
    expect(nearbyRate(d, 17, 0.2, 5)).toBeCloseTo(recentRate(d, 17, 0.2, 5), 15);
    expect(nearbyRate(d, 30, 0.2, 5)).toBe(recentRate(d, 30, 0.2, 5));
    // Same-day outcomes the caller lets the unit see count with weight 1: day 10 with 3 of its 4 (1 failure).
    expect(countsOnDay(d, 10)).toEqual({ failures: 2, units: 4 });
    expect(countsOnDay(d, 11)).toEqual({ failures: 0, units: 0 });
    expect(nearbyRate(d, 10, 0.2, 5, { failures: 1, units: 3 })).toBeCloseTo((0 + 1 + 1) / (1 + 3 + 5), 15);
  });

  it('puts both tracks of a trim run in one fold, and spreads trim runs over every fold', () => {
    const seen = new Set<number>();
    for (let id = 1; id <= 200; id++) {
      const f = contextFold(id, 42, 5);
      expect(f).toBe(contextFold(id, 42, 5));
      seen.add(f);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('label-free model context', () => {
  it('median of the finite values (numpy median), for the median resistance change', () => {
    expect(medianOf([3, null, 1, Number.NaN, 2, 10])).toBe(2.5);
    expect(medianOf([null])).toBeNull();
  });
});

describe('context features: out of fold at training', () => {
  function table(): { model: string; recs: TrainingRecord[] }[] {
    nextId = 1;
    const out: { model: string; recs: TrainingRecord[] }[] = [];
    const rates: Record<string, number> = { a: 0.1, b: 0.5, c: 0.3 };
    for (const [model, rate] of Object.entries(rates)) {
      const recs: TrainingRecord[] = [];
      for (let i = 0; i < 40; i++) recs.push(rec(model, 100 + Math.floor(i / 4), (i * 7919) % 100 < rate * 100));
      out.push({ model, recs });
    }
    return out;
  }

  function filled(t: { model: string; recs: TrainingRecord[] }[]): { rows: PooledRows; all: Float64Array } {
    const rows = new PooledRows(42);
    for (const { model, recs } of t) rows.add(model, CTX, recs);
    const all = Float64Array.from(rows.view().data);
    fillContextColumns(rows, all);
    return { rows, all };
  }

  it('gives each row the smoothed rate of its model outside its fold, under the prior of the other folds', () => {
    const t = table();
    const { rows, all } = filled(t);
    const recs = t.flatMap((x) => x.recs);
    expect(rows.rows).toBe(recs.length);
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      const fold = contextFold(r.trimResultId, 42, 5);
      const out = recs.filter((x) => contextFold(x.trimResultId, 42, 5) !== fold);
      const counts = ['a', 'b', 'c'].map((m) => {
        const xs = out.filter((x) => x.model === m);
        return { units: xs.length, failures: xs.filter((x) => x.finalTest!.linearityPass === false).length };
      });
      const own = counts[['a', 'b', 'c'].indexOf(r.model)]!;
      expect(all[i * D + K]).toBeCloseTo(smoothedRate(own.failures, own.units, fitRatePrior(counts)), 12);
    }
  });

  it('gives each row the excess of its model outside its fold, expected failures from a logistic fit outside its fold', () => {
    const t = table();
    // Trim measurements that vary (the logistic model has something to fit): error grows with i.
    t.forEach((x) => x.recs.forEach((r, i) => Object.assign(r, { linearityError: 0.004 + 0.0001 * (i % 13) })));
    const { rows, all } = filled(t);
    const v = rows.view();
    const n = rows.rows;
    const track = new Float64Array(n * K);
    for (let i = 0; i < n; i++) track.set(all.subarray(i * D, i * D + K), i * K);
    imputeInPlace(track, K, columnMedians(track, K));
    const recs = t.flatMap((x) => x.recs);
    for (const k of [0, 3]) {
      const fit = fitLogistic(track, K, K, v.labels, { include: (i) => v.folds[i] !== k });
      for (let i = 0; i < n; i++) {
        if (v.folds[i] !== k) continue;
        let f = 0;
        let e = 0;
        for (let j = 0; j < n; j++) {
          if (v.folds[j] === k || recs[j]!.model !== recs[i]!.model) continue;
          f += v.labels[j]!;
          e += logisticProbability(fit, track, j * K);
        }
        expect(all[i * D + K + 3]).toBeCloseTo(excessRate(f, e, 5), 6);
      }
    }
  });

  it('never lets a row see its own label (nor its trim run twin’s)', () => {
    const t = table();
    // Dual-track units: pairs of rows (of one day, as the two tracks of one trim run are) share a trim run.
    t.forEach((x, m) => x.recs.forEach((r, i) => Object.assign(r, { trimResultId: 10_000 + m * 100 + Math.floor(i / 2) })));
    const base = filled(t).all;
    const recs = t.flatMap((x) => x.recs);
    for (let i = 0; i < recs.length; i += 3) {
      const r = recs[i]!;
      const twin = recs.find((x) => x !== r && x.trimResultId === r.trimResultId);
      const flip = (x: TrainingRecord) => Object.assign(x, { finalTest: { ...x.finalTest!, linearityPass: !x.finalTest!.linearityPass } });
      flip(r);
      if (twin) flip(twin);
      const after = filled(t).all;
      expect(after[i * D + K]).toBe(base[i * D + K]);
      expect(after[i * D + K + 1]).toBe(base[i * D + K + 1]);
      expect(after[i * D + K + 2]).toBe(base[i * D + K + 2]);
      expect(after[i * D + K + 3]).toBe(base[i * D + K + 3]);
      // The flip is seen by other rows (the features do carry the labels of other units).
      flip(r);
      if (twin) flip(twin);
    }
    // A unit's own day counts out of fold: flipping a same-day unit of another fold moves the row's nearby rate,
    // one of its own fold does not.
    const r0 = recs[0]!;
    const fold0 = contextFold(r0.trimResultId, 42, 5);
    const sameDay = recs.filter((x) => x !== r0 && x.model === r0.model && dayNumber(x.fileDate) === dayNumber(r0.fileDate));
    const other = sameDay.find((x) => contextFold(x.trimResultId, 42, 5) !== fold0);
    const same = sameDay.find((x) => x.trimResultId !== r0.trimResultId && contextFold(x.trimResultId, 42, 5) === fold0);
    for (const [x, moves] of [
      [other, true],
      [same, false],
    ] as const) {
      if (!x) continue;
      const flip = () => Object.assign(x, { finalTest: { ...x.finalTest!, linearityPass: !x.finalTest!.linearityPass } });
      flip();
      const nearby = filled(t).all[K + 2];
      flip();
      expect(nearby !== base[K + 2]).toBe(moves);
    }
    expect(other).toBeDefined();
    const flipped = recs[0]!;
    Object.assign(flipped, { finalTest: { ...flipped.finalTest!, linearityPass: !flipped.finalTest!.linearityPass } });
    const after = filled(t).all;
    let changed = 0;
    let excessChanged = 0;
    for (let i = 1; i < recs.length; i++) {
      if (after[i * D + K] !== base[i * D + K] || after[i * D + K + 1] !== base[i * D + K + 1]) changed++;
      if (after[i * D + K + 3] !== base[i * D + K + 3]) excessChanged++;
    }
    expect(changed).toBeGreaterThan(0);
    expect(excessChanged).toBeGreaterThan(0);
  });
});

describe('pooled forest state', () => {
  function trained() {
    nextId = 1;
    const rows = new PooledRows(1);
    for (const [model, rate] of [
      ['a', 0.15],
      ['b', 0.6],
      ['c', 0.35],
    ] as const) {
      const recs: TrainingRecord[] = [];
      for (let i = 0; i < 120; i++) {
        const fail = (i * 7919) % 100 < rate * 100;
        recs.push(rec(model, 200 + Math.floor(i / 6), fail, { error: fail ? 0.008 : 0.005, sigma: 3e-4 * (1 + (i % 5) / 10) }));
      }
      rows.add(model, { ...CTX, finalTest: finalTestHistory(recs) }, recs);
    }
    return trainPooledModel(rows, { seed: 1, trees: 10, version: 'v' })!;
  }

  it('stores v3 with every column and the context parameters, and computes the same columns at apply', () => {
    const pm = trained();
    const s = JSON.parse(JSON.stringify(pm.toState())) as PooledModelState;
    expect(s.version).toBe(3);
    expect(s.featureNames).toEqual([...POOLED_FEATURE_NAMES]);
    expect(s.context!.halfLifeDays).toBe(7);
    const loaded = pooledModelFromState(s);
    const h = { days: [300, 307], units: [4, 2], failures: [2, 0] };
    const track = rec('a', 314, null);
    const f = loaded.scorer('a', { ...CTX, finalTest: h }).features([track]);
    expect(f.ok[0]).toBe(1);
    const base = smoothedRate(2, 6, s.context!.prior);
    expect(f.data[K]).toBeCloseTo(base, 12);
    // Day 314: A = 2·¼ + 0·½, B = 4·¼ + 2·½; nothing after it, so nearby = recent.
    expect(f.data[K + 1]).toBeCloseTo((0.5 + 5 * base) / (2 + 5), 12);
    expect(f.data[K + 2]).toBeCloseTo((0.5 + 5 * base) / (2 + 5), 12);
    // At apply a unit sees all of its own day's linked outcomes: day 307 has 2 (no failure), day 300 is 7 days before.
    const f307 = loaded.scorer('a', { ...CTX, finalTest: h }).features([rec('a', 307, null)]);
    expect(f307.data[K + 2]).toBeCloseTo((2 * 0.5 + 0 + 5 * base) / (4 * 0.5 + 2 + 5), 12);
    // No median resistance change in the context: that column is imputed; with one, it is the difference.
    expect(f.data[7]).toBe(s.medians[7]);
    const r = loaded.scorer('a', { ...CTX, medianResistanceChange: 0.04, finalTest: h }).features([track]);
    expect(POOLED_FEATURE_NAMES[7]).toBe('resistance_change_rel_model');
    expect(r.data[7]).toBeCloseTo(0.05 - 0.04, 15);
    // A model without a stored FT history (a context from before v2): the context columns are imputed.
    const g = loaded.scorer('a', CTX).features([track]);
    expect(g.data[K]).toBe(s.medians[K]);
    expect(g.data[K + 1]).toBe(s.medians[K + 1]);
    expect(g.data[K + 2]).toBe(s.medians[K + 2]);
    // The excess comes from the stored counts of the model (120 units of model a), 0 for a model without any.
    const ea = s.context!.excess!.models['a']!;
    expect(ea.failures).toBe(19);
    expect(f.data[K + 3]).toBeCloseTo(excessRate(ea.failures, ea.expected, 5), 12);
    expect(loaded.scorer('new-model', { ...CTX, finalTest: h }).features([track]).data[K + 3]).toBe(0);
    // Both score the same way as the trained model.
    expect(Array.from(loaded.predictor.predictMany(f.data))).toEqual(Array.from(pm.predictor.predictMany(f.data)));
  });

  it('still serves a v1 state (track columns only) and refuses what it cannot read with a StateVersionError', () => {
    const pm = trained();
    const s = pm.toState();
    // A v1 state: the seven track columns, no context (the forest itself is only read here, not scored).
    const V1 = POOLED_V1_FEATURE_COUNT;
    const v1 = {
      ...s,
      version: 1 as const,
      featureNames: POOLED_FEATURE_NAMES.slice(0, V1),
      medians: s.medians.slice(0, V1),
    } as PooledModelState;
    delete (v1 as { context?: unknown }).context;
    const loaded = pooledModelFromState(v1);
    const f = loaded.scorer('a', { ...CTX, finalTest: { days: [1], units: [1], failures: [1] } }).features([rec('a', 5, null)]);
    expect(f.data.length).toBe(V1);
    expect(loaded.toState().version).toBe(1);
    // A v2 state: the eleven columns before the excess, context without excess counts.
    const V2 = POOLED_V2_FEATURE_COUNT;
    const { excess: _excess, ...contextV2 } = s.context!;
    const v2 = {
      ...s,
      version: 2 as const,
      featureNames: POOLED_FEATURE_NAMES.slice(0, V2),
      medians: s.medians.slice(0, V2),
      context: contextV2,
    } as PooledModelState;
    const loaded2 = pooledModelFromState(v2);
    const f2 = loaded2.scorer('a', { ...CTX, finalTest: { days: [1], units: [1], failures: [1] } }).features([rec('a', 5, null)]);
    expect(f2.data.length).toBe(V2);
    expect(loaded2.toState().version).toBe(2);
    // A v3 state without its excess counts is refused.
    expect(() => pooledModelFromState({ ...s, context: contextV2 })).toThrow(StateVersionError);
    expect(() => pooledModelFromState({ ...s, version: 4 } as unknown as PooledModelState)).toThrow(StateVersionError);
    expect(() => pooledModelFromState({ ...s, featureNames: ['x', ...s.featureNames.slice(1)] })).toThrow(StateVersionError);
    expect(() => pooledModelFromState({ ...s, featureNames: s.featureNames.slice(0, K) })).toThrow(StateVersionError);
    const noContext = { ...s } as PooledModelState;
    delete (noContext as { context?: unknown }).context;
    expect(() => pooledModelFromState(noContext)).toThrow(StateVersionError);
  });
});

describe('pooled forest context through train-all and apply', () => {
  it('stores v3 and every model’s FT history, scores every usable track, and refuses an unreadable artifact', async () => {
    const { createMemoryRepository } = await import('../../src/storage/memory/memory-repository.js');
    const { writePlant } = await import('../../src/synthetic/index.js');
    const { MLManager } = await import('../../src/manager/ml-manager.js');
    const { parseComponents } = await import('../../src/manager/components-state.js');
    const repo = createMemoryRepository();
    await writePlant(repo, { seed: 5, scenario: 'realistic', tracks: 5000, models: 15 });
    const ml = new MLManager(repo, { seed: 3, trees: 20 });
    await ml.trainAllModels({ concurrency: 1 });
    const artifact = await repo.loadArtifact('*', 'pooled_predictor');
    const state = JSON.parse(artifact!.content) as PooledModelState;
    expect(state.version).toBe(3);
    expect(state.featureNames).toEqual([...POOLED_FEATURE_NAMES]);
    let withHistory = 0;
    for (const s of await repo.listModelStates()) {
      const c = parseComponents(s.componentsJson, s.model).context;
      if (c?.finalTest && c.finalTest.days.length > 0) withHistory++;
    }
    expect(withHistory).toBeGreaterThan(5);
    await ml.applyToDatabase();
    // Every track hygiene lets through has a probability (the garbage the synthetic plant injects has none).
    const { exclusionReason } = await import('../../src/core/features.js');
    let usable = 0;
    let scored = 0;
    for (const m of await repo.listModels()) {
      for await (const batch of repo.readTracksForApply(m.model)) {
        for (const t of batch) {
          if (exclusionReason(t) !== null) continue;
          usable++;
          if (repo.trackResults(t.trackResultId)?.failureProbability != null) scored++;
        }
      }
    }
    expect(usable).toBeGreaterThan(4000);
    expect(scored).toBe(usable);
    await repo.saveArtifact({ ...artifact!, content: JSON.stringify({ ...state, version: 4 }) });
    await expect(new MLManager(repo, { seed: 3 }).applyToDatabase()).rejects.toBeInstanceOf(StateVersionError);
  }, 120_000);
});
