import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { ModelProfiler, compareModels, computeDifficultyScores } from '../../src/profiler/index.js';
import { uniformModel } from './fixtures.js';

/**
 * Four models of 10 records each (spec 0.01 V unless said):
 * | model | fails | error  | p95 error/spec | sigma | travel | sigma·travel/spec | log10 |
 * |-------|-------|--------|----------------|-------|--------|-------------------|-------|
 * | A     | 1/10  | 0.005  | 0.5            | 1e-4  | 100°   | 1                 | 0     |
 * | B     | 4/10  | 0.008  | 0.8            | 1e-3  | 100°   | 10                | 1     |
 * | C     | 7/10  | 0.011  | 1.1            | 5e-4  | 100°   | 5                 | 0.699 |
 * | LIN   | 2/10  | 0.006  | 0.6            | 2e-2  | 1 inch | 2                 | 0.301 |
 * LIN is an inch-based linear part: its raw sigma is 200× A's and 20× the largest rotary sigma.
 *
 * Percentile ranks (N = 4, (below + ½(tied − 1))/3):
 *   failRate:      A 0,  LIN 1/3, B 2/3, C 1
 *   specTightness: A 0,  LIN 1/3, B 2/3, C 1
 *   sigmaToSpec:   A 0,  LIN 1/3, C 2/3, B 1
 * composites: A 0, LIN 1/3, B (2/3 + 2/3 + 1)/3 = 7/9, C (1 + 1 + 2/3)/3 = 8/9
 * scores (fraction of the 3 others strictly easier): A 0, LIN 1/3, B 2/3, C 1
 */
function fourModels(): ModelProfiler[] {
  const spec = [
    ['A', { sigma: 1e-4, error: 0.005, fails: 1 }],
    ['B', { sigma: 1e-3, error: 0.008, fails: 4 }],
    ['C', { sigma: 5e-4, error: 0.011, fails: 7 }],
    ['LIN', { sigma: 2e-2, error: 0.006, fails: 2, travel: 1 }],
  ] as const;
  return spec.map(([name, o]) => {
    const p = new ModelProfiler(name);
    p.buildProfile(uniformModel(name, 10, o));
    return p;
  });
}

describe('computeDifficultyScores', () => {
  it('ranks four models by hand, and the inch-based model does not dominate', () => {
    const profilers = fourModels();
    const res = computeDifficultyScores(profilers.map((p) => p.profile));
    const by = Object.fromEntries(res.map((r) => [r.model, r]));
    expect(by['A']?.score).toBe(0);
    expect(by['LIN']?.score).toBeCloseTo(1 / 3, 12);
    expect(by['B']?.score).toBeCloseTo(2 / 3, 12);
    expect(by['C']?.score).toBe(1);
    expect(by['B']?.info?.composite).toBeCloseTo(7 / 9, 12);
    expect(by['C']?.info?.composite).toBeCloseTo(8 / 9, 12);
    expect(by['C']?.info?.rank).toBe(1);
    expect(by['A']?.info?.rank).toBe(4);
    expect(by['LIN']?.info?.components.sigmaToSpec?.value).toBeCloseTo(Math.log10(2), 12);
    expect(by['LIN']?.info?.components.sigmaToSpec?.percentile).toBeCloseTo(1 / 3, 12);
    // LIN has by far the largest raw sigma, yet is the second easiest
    const rawP50 = profilers.map((p) => p.profile.sigma.p50 ?? 0);
    expect(Math.max(...rawP50)).toBe(profilers[3]?.profile.sigma.p50);
  });

  it('gives tied composites the same score and rank', () => {
    const a = new ModelProfiler('X');
    const b = new ModelProfiler('Y');
    a.buildProfile(uniformModel('X', 10, { sigma: 1e-4, error: 0.005, fails: 2 }));
    b.buildProfile(uniformModel('Y', 10, { sigma: 1e-4, error: 0.005, fails: 2 }));
    const res = computeDifficultyScores([a.profile, b.profile]);
    // every component tied: percentile ½ each, composites equal → neither is harder than the other
    expect(res.map((r) => r.score)).toEqual([0, 0]);
    expect(res.map((r) => r.info?.rank)).toEqual([1, 1]);
  });

  it('leaves small or lone models unranked with a reason', () => {
    const small = new ModelProfiler('S');
    small.buildProfile(uniformModel('S', 4, { sigma: 1e-4, error: 0.005, fails: 1 }));
    const [a] = fourModels();
    const res = computeDifficultyScores([a!.profile, small.profile]);
    expect(res[1]?.score).toBeNull();
    expect(res[1]?.reason).toMatch(/Only 4 clean samples/);
    expect(res[0]?.score).toBeNull();
    expect(res[0]?.reason).toMatch(/Fewer than 2 models/);
    expect(computeDifficultyScores([])).toEqual([]);
    expect(() => computeDifficultyScores([a!.profile, a!.profile])).toThrow(InvalidInputError);
  });
});

describe('ModelProfiler.rankAll / setDifficulty', () => {
  it('stores the score so insights can state it literally', () => {
    const profilers = fourModels();
    ModelProfiler.rankAll(profilers);
    const byName = Object.fromEntries(profilers.map((p) => [p.modelName, p]));
    expect(byName['B']?.profile.difficulty?.score).toBeCloseTo(2 / 3, 12);
    expect(byName['B']?.toColumns().difficultyScore).toBeCloseTo(2 / 3, 12);
    const msg = byName['B']?.getInsights().find((i) => i.kind === 'difficulty')?.message;
    // 2 of 3 = 66.67%: floored to 66%, which is literally true
    expect(msg).toBe(
      'Harder to trim than 66% of the other ranked models (2 of 3; rank 2 of 4, by trim fail rate, error vs spec and sigma vs spec).',
    );
    expect(byName['C']?.getInsights().find((i) => i.kind === 'difficulty')?.message).toMatch(
      /^Harder to trim than all 3 other ranked models/,
    );
    expect(byName['A']?.getInsights().find((i) => i.kind === 'difficulty')?.message).toMatch(/^Not harder to trim than any of the other 3/);
  });

  it('rejects a score that does not match the rank info', () => {
    const [a] = fourModels();
    const info = {
      harderThan: 1,
      comparedWith: 3,
      rank: 3,
      composite: 0.3,
      components: { failRate: null, specTightness: null, sigmaToSpec: null },
    };
    expect(() => a!.setDifficulty(0.5, info)).toThrow(InvalidInputError);
    a!.setDifficulty(1 / 3, info);
    expect(a!.profile.difficulty?.score).toBeCloseTo(1 / 3, 15);
    // rebuilding the profile clears a stale difficulty
    a!.buildProfile(uniformModel('A', 10, { sigma: 1e-4, error: 0.005, fails: 1 }));
    expect(a!.profile.difficulty).toBeNull();
  });
});

describe('compareModels', () => {
  it('returns a typed table sorted hardest first', () => {
    const table = compareModels(fourModels().map((p) => p.profile));
    expect(table.map((r) => r.model)).toEqual(['C', 'B', 'LIN', 'A']);
    const c = table[0]!;
    expect(c.samples).toBe(10);
    expect(c.trimPassRate).toBeCloseTo(0.3, 12);
    expect(c.trimFailRate).toBeCloseTo(0.7, 12);
    expect(c.specMargin).toBeCloseTo(-0.1, 12);
    expect(c.difficulty).toBe(1);
    expect(c.difficultyRank).toBe(1);
    expect(c.rankedModels).toBe(4);
    expect(c.cpk).toBeNull(); // constant error: σ = 0
  });
});
