import { describe, expect, it } from 'vitest';
import { gaussLegendre } from '../../src/core/stats/quadrature.js';

describe('gaussLegendre (roots cached per n)', () => {
  it('gives the 3-point rule on [−1, 1] and, from the cached roots, on [0, 2] and [2, 6]', () => {
    // 3 points on [−1, 1]: nodes −√(3/5), 0, √(3/5); weights 5/9, 8/9, 5/9.
    const r = Math.sqrt(3 / 5);
    const a = gaussLegendre(3, -1, 1);
    [-r, 0, r].forEach((x, i) => expect(a.nodes[i]).toBeCloseTo(x, 14));
    [5 / 9, 8 / 9, 5 / 9].forEach((w, i) => expect(a.weights[i]).toBeCloseTo(w, 13));
    // On [0, 2] (mid 1, half 1): nodes 1 ∓ √(3/5), 1; same weights. On [2, 6] (mid 4, half 2): 4 ∓ 2√(3/5), 4; weights × 2.
    const b = gaussLegendre(3, 0, 2);
    [1 - r, 1, 1 + r].forEach((x, i) => expect(b.nodes[i]).toBeCloseTo(x, 14));
    const c = gaussLegendre(3, 2, 6);
    [4 - 2 * r, 4, 4 + 2 * r].forEach((x, i) => expect(c.nodes[i]).toBeCloseTo(x, 14));
    [10 / 9, 16 / 9, 10 / 9].forEach((w, i) => expect(c.weights[i]).toBeCloseTo(w, 13));
    // A second call with the same arguments returns equal (not shared) arrays.
    const again = gaussLegendre(3, 2, 6);
    expect(Array.from(again.nodes)).toEqual(Array.from(c.nodes));
    expect(again.nodes).not.toBe(c.nodes);
  });
  it('integrates x⁴ exactly with 3 points on [0, 2] (degree ≤ 5): 32/5', () => {
    const { nodes, weights } = gaussLegendre(3, 0, 2);
    let s = 0;
    for (let i = 0; i < 3; i++) s += weights[i]! * nodes[i]! ** 4;
    expect(s).toBeCloseTo(32 / 5, 12);
  });
});
