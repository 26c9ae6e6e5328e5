/**
 * Per-run garbage of the kinds real plant databases hold (`shared/domain.md`): failed analyses (status `ERROR`,
 * placeholder sigma 999.999), NULL `linearity_pass`, a spec of 0, a travel of 0, NaN measurements (stored as NULL),
 * negative values. A defect applies to every track of the run, as a failed file analysis does.
 *
 * @module
 */
import { PLACEHOLDER_SIGMA } from '../core/features.js';
import type { Rng } from '../core/rng.js';
import type { HostTrackInput } from '../storage/repository.js';
import { pickWeighted } from './distributions.js';
import type { SyntheticGarbageKind } from './types.js';

/** The garbage kinds and their relative frequencies among garbage runs. */
export const GARBAGE_KINDS: readonly SyntheticGarbageKind[] = [
  'error_status',
  'placeholder_sigma',
  'null_pass',
  'zero_spec',
  'zero_travel',
  'null_values',
  'negative_resistance',
];
/** Relative weights of {@link GARBAGE_KINDS} (sum 100). */
export const GARBAGE_WEIGHTS: readonly number[] = [25, 15, 20, 10, 10, 15, 5];

/**
 * A zeroed count per garbage kind.
 *
 * @example
 * ```ts
 * emptyGarbageCounts().error_status; // 0
 * ```
 */
export function emptyGarbageCounts(): Record<SyntheticGarbageKind, number> {
  return { error_status: 0, placeholder_sigma: 0, null_pass: 0, zero_spec: 0, zero_travel: 0, null_values: 0, negative_resistance: 0 };
}

/**
 * Picks a garbage kind by {@link GARBAGE_WEIGHTS}.
 *
 * @example
 * ```ts
 * pickGarbageKind(createRng(1)); // e.g. 'null_pass'
 * ```
 */
export function pickGarbageKind(rng: Rng): SyntheticGarbageKind {
  return pickWeighted(rng, GARBAGE_KINDS, GARBAGE_WEIGHTS);
}

/**
 * The track as the defect leaves it in the database.
 *
 * @example
 * ```ts
 * applyGarbage(track, 'zero_spec').linearitySpec; // 0
 * ```
 */
export function applyGarbage(track: HostTrackInput, kind: SyntheticGarbageKind): HostTrackInput {
  switch (kind) {
    case 'error_status':
      return {
        ...track,
        status: 'ERROR',
        sigmaGradient: PLACEHOLDER_SIGMA,
        linearityError: null,
        linearityFailPoints: null,
        linearityPass: null,
        optimalOffset: null,
      };
    case 'placeholder_sigma':
      return { ...track, sigmaGradient: PLACEHOLDER_SIGMA };
    case 'null_pass':
      return { ...track, linearityPass: null };
    case 'zero_spec':
      return { ...track, linearitySpec: 0 };
    case 'zero_travel':
      return { ...track, travelLength: 0 };
    case 'null_values':
      return { ...track, linearityError: null, optimalOffset: null, untrimmedResistance: null, trimmedResistance: null };
    case 'negative_resistance':
      return { ...track, untrimmedResistance: -1 };
  }
}
