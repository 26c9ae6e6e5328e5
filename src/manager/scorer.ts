/**
 * The scoring seam shared by training (the pooled forest scores units for the threshold) and apply.
 *
 * @module
 */
import type { TrimTrack } from '../core/types.js';

/**
 * Scores tracks in two steps, so that prediction can run in a worker while the main thread reads and writes:
 * `features` builds the row-major matrix (and marks the rows that can be scored), `predict` turns it into failure
 * probabilities (in this thread, or in the scoring worker).
 */
export interface TrackScorer {
  features(tracks: readonly TrimTrack[]): { data: Float64Array; ok: Uint8Array };
  predict(data: Float64Array): Float64Array | Promise<Float64Array>;
  /** The same in this thread (for single lookups). */
  predictNow(data: Float64Array): Float64Array;
}

/** Probabilities of tracks now, in this thread (NaN where a track cannot be scored). */
export function scoreNow(scorer: TrackScorer, tracks: readonly TrimTrack[]): Float64Array {
  const { data, ok } = scorer.features(tracks);
  const p = scorer.predictNow(data);
  for (let i = 0; i < tracks.length; i++) if (!ok[i]) p[i] = Number.NaN;
  return p;
}
