/**
 * Record helpers shared by the scenarios' generators: the run counters, a run's trim draws, its track truths and its
 * Final Test host record.
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import type { HostFinalTestInput } from '../storage/repository.js';
import type { FinalTestDraw } from './final-test.js';
import type { SyntheticDriftTruth, SyntheticGarbageKind, SyntheticModelSpec, SyntheticRun, SyntheticTrackTruth } from './types.js';
import { drawTrimTrack, type TrimTrackDraw } from './unit.js';

/** Running counts of a plant's generation (the summary's source). */
export interface Counters {
  units: number;
  runs: number;
  tracks: number;
  retrims: number;
  duplicates: number;
  ft: { trimId: number; serial: number; orphan: number };
  garbage: Record<SyntheticGarbageKind, number>;
  drifts: SyntheticDriftTruth[];
  /** Production lots started (`realistic` only). */
  lots: number;
}

/** One trim run of a unit, drawn and stored. */
export function drawRun(
  rng: Rng,
  spec: SyntheticModelSpec,
  latents: { z: number; e: number }[],
  driftZ: number,
  unitLengthKnown: boolean,
): TrimTrackDraw[] {
  const ids = spec.tracksPerRun === 2 ? ['TRK1', 'TRK2'] : ['default'];
  return latents.map((l, k) => drawTrimTrack(rng, spec, ids[k] ?? 'default', l, driftZ, unitLengthKnown));
}

/** The truth of a run's tracks from its trim and Final Test draws. */
export function trackTruths(draws: readonly TrimTrackDraw[], fts: readonly FinalTestDraw[]): SyntheticTrackTruth[] {
  return draws.map((d, k) => {
    const ft = fts[k] as FinalTestDraw;
    return {
      trackId: d.input.trackId,
      sigmaZ: d.sigmaZ,
      sigma: d.sigma,
      trimPass: d.trimPass,
      ftFailProbability: ft.failProbability,
      ftPass: ft.pass,
      ftFailPoints: ft.failPoints,
    };
  });
}

/** The host Final Test record of a run (`linkedTrimId` left null: `writePlant` fills it). */
export function finalTestInput(
  spec: SyntheticModelSpec,
  serial: string,
  testDate: Date,
  draws: readonly TrimTrackDraw[],
  fts: readonly FinalTestDraw[],
): HostFinalTestInput {
  return {
    model: spec.name,
    serial,
    testDate,
    linkedTrimId: null,
    tracks: draws.map((d, k) => {
      const ft = fts[k] as FinalTestDraw;
      return {
        trackId: d.input.trackId,
        linearityPass: ft.pass,
        failPoints: ft.failPoints,
        linearityError: Number((ft.errorRatio * spec.linearitySpec).toPrecision(6)),
      };
    }),
  };
}

/** Adds a batch's runs and tracks to the counters. */
export function countRuns(c: Counters, runs: readonly SyntheticRun[]): void {
  c.runs += runs.length;
  for (const r of runs) c.tracks += r.input.tracks.length;
}
