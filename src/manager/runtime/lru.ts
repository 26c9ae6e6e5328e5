/**
 * A least-recently-used cache under a weight budget (Map insertion order), for parsed forests: each entry weighs
 * what its caller says (the forest's JSON size), and the oldest entries are evicted once the total exceeds the
 * budget. The newest entry always stays, even if it alone exceeds the budget.
 *
 * @module
 */

/** LRU cache with a total weight budget. */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;
  constructor(private readonly budget: number) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, weight = 1): void {
    this.delete(key);
    this.map.set(key, { value, weight });
    this.total += weight;
    while (this.total > this.budget && this.map.size > 1) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.total -= e.weight;
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  get size(): number {
    return this.map.size;
  }

  /** Sum of the weights held. */
  get weight(): number {
    return this.total;
  }
}
