/**
 * Seeded pseudo-random numbers. Every learner takes a seed or an {@link Rng}; nothing uses `Math.random`, so the same
 * seed gives the same result bit for bit on every platform.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, passes PractRand),
 * seeded through splitmix32 so that nearby integer seeds give unrelated streams.
 *
 * @module
 */
import { InvalidInputError } from './errors.js';

/** A seeded PRNG. `next()` is uniform on [0, 1) with 32 bits of resolution. */
export interface Rng {
  /** Uniform on [0, 1). */
  next(): number;
  /** Uniform integer on [0, n). `n` must be a positive integer ≤ 2^32. */
  nextInt(n: number): number;
  /** Standard normal (Box-Muller, polar form). */
  nextNormal(): number;
  /** The internal state, to resume the stream exactly. */
  getState(): [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a seeded PRNG.
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.next();      // same value on every run
 * rng.nextInt(10); // integer in 0..9
 * ```
 */
export function createRng(seed: number | [number, number, number, number]): Rng {
  let a: number, b: number, c: number, d: number;
  if (Array.isArray(seed)) {
    [a, b, c, d] = seed.map((v) => v >>> 0) as [number, number, number, number];
  } else {
    if (!Number.isFinite(seed))
      throw new InvalidInputError(`createRng: seed must be a finite number (an integer such as 42), got ${seed}.`);
    const sm = splitmix32(Math.trunc(seed));
    a = sm();
    b = sm();
    c = sm();
    d = sm();
    // Warm up (recommended for sfc32).
  }
  let spareNormal: number | null = null;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  if (!Array.isArray(seed)) for (let i = 0; i < 12; i++) nextU32();
  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    nextInt: (n: number) => Math.floor((nextU32() / 4294967296) * n),
    nextNormal: () => {
      if (spareNormal !== null) {
        const v = spareNormal;
        spareNormal = null;
        return v;
      }
      let u: number, v: number, s: number;
      do {
        u = rng.next() * 2 - 1;
        v = rng.next() * 2 - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      spareNormal = v * m;
      return u * m;
    },
    getState: () => [a, b, c, d],
  };
  return rng;
}
