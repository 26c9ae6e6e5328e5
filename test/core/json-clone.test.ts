import { describe, expect, it } from 'vitest';
import { jsonClone } from '../../src/core/json-clone.js';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

describe('jsonClone', () => {
  it('copies as JSON does: non-finite numbers → null, −0 → 0, undefined dropped from objects and null in arrays', () => {
    const v = { a: [1, Number.NaN, -0, Infinity, undefined, 'x'], b: undefined, c: { d: 'x', e: null, f: true }, g: -0 };
    const c = jsonClone(v);
    expect(c).toEqual({ a: [1, null, 0, null, null, 'x'], c: { d: 'x', e: null, f: true }, g: 0 });
    expect(Object.is((c as { g: number }).g, 0)).toBe(true);
    expect(JSON.stringify(c)).toBe(JSON.stringify(v));
    expect(c).toEqual(roundTrip(v));
  });
  it('keeps key order, copies deeply (no shared arrays or objects) and takes toJSON, Dates and typed arrays as JSON does', () => {
    const v = {
      z: 1,
      a: { y: [1, 2], b: 2 },
      when: new Date('2026-01-02T03:04:05.000Z'),
      arr: Float64Array.of(1, 2),
      m: new Map([[1, 2]]),
    };
    const c = jsonClone(v) as unknown as { z: number; a: { y: number[] } };
    expect(Object.keys(c)).toEqual(['z', 'a', 'when', 'arr', 'm']);
    expect(c).toEqual(roundTrip(v));
    expect(JSON.stringify(c)).toBe(JSON.stringify(v));
    c.a.y.push(3);
    expect(v.a.y).toEqual([1, 2]);
  });
  it('keeps an own __proto__ key as an own property (as JSON.parse does), not as the prototype', () => {
    const v = JSON.parse('{"__proto__": {"x": 1}, "k": 2}') as Record<string, unknown>;
    const c = jsonClone(v);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(JSON.stringify(c)).toBe('{"__proto__":{"x":1},"k":2}');
  });
  it('throws on a BigInt, as JSON.stringify does', () => {
    expect(() => jsonClone({ n: 1n })).toThrow(TypeError);
  });
});
