import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/manager/runtime/lru.js';

describe('LruCache (weight budget)', () => {
  it('evicts the least recently used entries beyond the budget', () => {
    const c = new LruCache<string, number>(10);
    c.set('a', 1, 4);
    c.set('b', 2, 4);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3, 4); // total 12 > 10: evict b (least recent)
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.weight).toBe(8);
  });
  it('keeps the newest entry even when it alone exceeds the budget', () => {
    const c = new LruCache<string, number>(10);
    c.set('a', 1, 3);
    c.set('big', 2, 50);
    expect(c.size).toBe(1);
    expect(c.get('big')).toBe(2);
    c.set('big', 3, 5);
    expect(c.weight).toBe(5);
  });
});
