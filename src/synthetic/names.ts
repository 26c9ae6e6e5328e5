/**
 * Model names and serial numbers that look like a plant's: `8340-1`, `6828`, `2475-100`, a few with `/`, spaces,
 * quotes or unicode (model names are opaque strings and a library must survive them), and serials in the formats
 * the FT serial matching normalises (`SN`, `S/N`, `#` prefixes, leading zeros, case).
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import { pickOne } from './distributions.js';

/** Suffixes that make a name awkward on purpose (`/`, spaces, quotes, unicode). */
const AWKWARD_SUFFIXES = ['/2', ' A', ' "B"', "'S'", '/12 rev', '-µ', ' (old)'] as const;

/**
 * Generates `count` distinct model names; roughly one in 25 carries an awkward suffix.
 *
 * @example
 * ```ts
 * modelNames(createRng(1), 3); // e.g. ['8340-1', '6828', '2475-100']
 * ```
 */
export function modelNames(rng: Rng, count: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    const base = String(1000 + rng.nextInt(9000));
    const form = rng.next();
    let name: string;
    if (form < 0.45) name = base;
    else if (form < 0.85) name = `${base}-${1 + rng.nextInt(12)}`;
    else name = `${base}-${100 + rng.nextInt(900)}`;
    if (rng.next() < 0.04) name += pickOne(rng, AWKWARD_SUFFIXES);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

/** How a model writes its serials. */
export interface SerialFormat {
  /** Letter prefix (`''` for numeric serials). */
  readonly prefix: string;
  /** Zero-padded width of the number. */
  readonly width: number;
  /** First serial number. */
  readonly base: number;
}

/**
 * Picks a model's serial format.
 *
 * @example
 * ```ts
 * serialFormat(createRng(1)); // { prefix: '', width: 7, base: 10423 }
 * ```
 */
export function serialFormat(rng: Rng): SerialFormat {
  const prefix = rng.next() < 0.3 ? pickOne(rng, ['A', 'K', 'T', 'LT']) : '';
  return { prefix, width: pickOne(rng, [6, 7, 8]), base: 1000 + rng.nextInt(200_000) };
}

/**
 * The serial of the model's `unitIndex`-th unit.
 *
 * @example
 * ```ts
 * serialOf({ prefix: 'A', width: 6, base: 1200 }, 5); // 'A001205'
 * ```
 */
export function serialOf(format: SerialFormat, unitIndex: number): string {
  return format.prefix + String(format.base + unitIndex).padStart(format.width, '0');
}

/**
 * A differently written form of the same serial, as a Final Test station might store it: an `SN` / `S/N ` / `#`
 * prefix, lower case, or the leading zeros dropped (numeric serials only). Normalising (case-insensitive, prefixes and leading zeros
 * stripped) maps it back to the trim serial's normal form.
 *
 * @example
 * ```ts
 * serialVariant(createRng(1), '0012057'); // e.g. 'SN0012057', 'S/N 0012057', '#0012057', '12057'
 * ```
 */
export function serialVariant(rng: Rng, serial: string): string {
  switch (rng.nextInt(5)) {
    case 0:
      return `SN${serial}`;
    case 1:
      return `S/N ${serial}`;
    case 2:
      return `#${serial}`;
    case 3:
      return serial.toLowerCase();
    default:
      // Dropping leading zeros only survives normalisation when they lead the whole serial.
      return /^0+\d/.test(serial) ? serial.replace(/^0+/, '') : serial.toLowerCase();
  }
}
