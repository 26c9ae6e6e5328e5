/**
 * A deep copy with exactly the result of `JSON.parse(JSON.stringify(value))`, without building and parsing the text:
 * states of several KB (a drift detector's sorted reference and queues) are copied on every load and save, and the
 * number → text → number round trip was most of that cost.
 *
 * The JSON rules kept: own enumerable string keys in their order; `undefined`, functions and symbols dropped from
 * objects and written as `null` in arrays; numbers that are not finite become `null`; −0 becomes 0; an object with a
 * `toJSON` method (a `Date`, …), a typed array, a `Map` or any other non-plain object goes through the JSON round trip
 * itself, so its result is the JSON one too. A cycle throws (as `JSON.stringify` does, with a different message);
 * a `bigint` throws a `TypeError` as there.
 *
 * @example
 * ```ts
 * jsonClone({ a: [1, Number.NaN, -0], b: undefined, c: { d: 'x' } }); // { a: [1, null, 0], c: { d: 'x' } }
 * ```
 *
 * @module
 */

/** `JSON.parse(JSON.stringify(value))` for plain data, computed without text (see the module comment). */
export function jsonClone<T>(value: T): T {
  return cloneValue(value, 0) as T;
}

/** Deeper than any state this library writes; past it the JSON round trip takes over (and finds a cycle). */
const MAX_DEPTH = 64;

function cloneValue(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'string':
    case 'boolean':
      return v;
    case 'object':
      if (v === null) return null;
      if (depth >= MAX_DEPTH) return JSON.parse(JSON.stringify(v)) as unknown;
      if (Array.isArray(v)) return cloneArray(v, depth + 1);
      {
        const proto = Object.getPrototypeOf(v) as unknown;
        if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
          return JSON.parse(JSON.stringify(v)) as unknown;
        }
      }
      return cloneObject(v as Record<string, unknown>, depth + 1);
    case 'bigint':
      throw new TypeError('jsonClone: a BigInt cannot be copied as JSON.');
    default:
      return undefined; // undefined, function, symbol
  }
}

function cloneArray(a: readonly unknown[], depth: number): unknown[] {
  const n = a.length;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (typeof x === 'number') out[i] = Number.isFinite(x) ? (x === 0 ? 0 : x) : null;
    else {
      const c = cloneValue(x, depth);
      out[i] = c === undefined ? null : c;
    }
  }
  return out;
}

function cloneObject(o: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const c = cloneValue(o[k], depth);
    if (c === undefined) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
