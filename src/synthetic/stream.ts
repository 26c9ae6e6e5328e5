/**
 * Streams a synthetic plant model by model, in chunks of at most `chunkSize` runs (a unit's runs are never split),
 * so a million-track plant never needs more than one chunk and one model's date axis in memory.
 *
 * Each model draws from its own seeded stream (`deriveSeed(seed, modelIndex, 1)`; the `realistic` scenario's
 * generator, `realistic-stream.ts`, uses salt 5), so the same seed gives the same data bit for bit.
 *
 * @module
 */
import { createRng } from '../core/rng.js';
import type { HostTrimRunInput } from '../storage/repository.js';
import { deriveSeed, uniform } from './distributions.js';
import { drawFinalTest, type FinalTestDraw } from './final-test.js';
import { applyGarbage, emptyGarbageCounts, pickGarbageKind } from './garbage.js';
import { serialFormat, serialOf, serialVariant, type SerialFormat } from './names.js';
import type { PlantPlan } from './plan.js';
import { planPlant } from './plan-plant.js';
import { realisticModelBatches } from './realistic-stream.js';
import { countRuns, drawRun, finalTestInput, trackTruths, type Counters } from './records.js';
import type {
  SyntheticBatch,
  SyntheticFinalTest,
  SyntheticFtLinkMode,
  SyntheticGarbageKind,
  SyntheticModelSpec,
  SyntheticPlantOptions,
  SyntheticPlantSummary,
  SyntheticRun,
} from './types.js';
import { drawUnitLatents, type TrimTrackDraw } from './unit.js';

const DAY_MS = 86_400_000;

/** Options of the stream itself. */
export interface PlantStreamOptions {
  /** Maximum runs per yielded batch (a unit's runs stay together, so a batch may exceed it by 2). Default 5,000. */
  readonly chunkSize?: number;
}

/** Generates one model's batches. */
function* modelBatches(plan: PlantPlan, spec: SyntheticModelSpec, chunkSize: number, c: Counters): Generator<SyntheticBatch> {
  const o = plan.options;
  const rng = createRng(deriveSeed(o.seed, spec.index, 1));
  const fmt: SerialFormat = serialFormat(rng);
  const special = spec.role !== 'normal';
  const first = spec.firstDate.getTime();
  const span = spec.lastDate.getTime() - first;
  const step = span / spec.units;
  let runs: SyntheticRun[] = [];
  let fts: SyntheticFinalTest[] = [];
  for (let i = 0; i < spec.units; i++) {
    const date = first + step * (i + 0.5 * rng.next());
    const drifted = spec.drift !== null && i >= spec.drift.onsetIndex;
    const driftZ = drifted && spec.drift ? (spec.drift.direction === 'up' ? 1 : -1) * spec.drift.sizeSigma : 0;
    if (spec.drift && i === spec.drift.onsetIndex) {
      const shift = driftZ * spec.log10SigmaSpread;
      c.drifts.push({
        ...spec.drift,
        model: spec.name,
        onsetDate: new Date(date),
        shiftLog10: shift,
        log10SigmaSpread: spec.log10SigmaSpread,
        unitsBefore: i,
        unitsAfter: spec.units - i,
      });
    }
    const unitLengthKnown = span <= 0 || (date - first) / span >= spec.unitLengthMissingFraction;
    const serial = serialOf(fmt, i);
    const latents = drawUnitLatents(rng, spec);
    const first_ = drawRun(rng, spec, latents, driftZ, unitLengthKnown);
    const trims: { draws: TrimTrackDraw[]; date: number }[] = [{ draws: first_, date }];
    if (!special && first_.some((d) => !d.trimPass) && rng.next() < o.retrimRate) {
      // A re-trim: the same part (same z), a new trim (fresh process noise), days later but before the next unit.
      const again = latents.map((l) => ({ z: l.z, e: rng.nextNormal() }));
      trims.push({
        draws: drawRun(rng, spec, again, driftZ, unitLengthKnown),
        date: date + Math.min(0.45 * step, uniform(rng, 1, 5) * DAY_MS),
      });
    }
    c.units++;
    const lastIdx = trims.length - 1;
    const linkRoll = rng.next();
    const link: SyntheticFtLinkMode = linkRoll >= o.linkRate ? 'none' : rng.next() < o.serialOnlyLinkFraction ? 'serial' : 'trim_id';
    let lastRunIndex = -1;
    let lastFt: FinalTestDraw[] = [];
    for (const [k, t] of trims.entries()) {
      const ftDraws = t.draws.map((d) => drawFinalTest(rng, spec, d));
      const garbage: SyntheticGarbageKind | null = !special && rng.next() < o.garbageRate ? pickGarbageKind(rng) : null;
      if (garbage) c.garbage[garbage]++;
      const input: HostTrimRunInput = {
        model: spec.name,
        serial,
        fileDate: new Date(t.date),
        system: spec.tracksPerRun === 2 ? 'A' : 'B',
        tracks: t.draws.map((d) => (garbage ? applyGarbage(d.input, garbage) : d.input)),
      };
      const truth = {
        model: spec.name,
        unitIndex: i,
        retrim: k > 0,
        superseded: k < lastIdx,
        duplicate: false,
        drifted,
        garbage,
        ftLink: k === lastIdx ? link : ('none' as const),
        tracks: trackTruths(t.draws, ftDraws),
      };
      runs.push({ input, truth });
      if (k > 0) c.retrims++;
      lastRunIndex = runs.length - 1;
      lastFt = ftDraws;
    }
    const last = trims[lastIdx] as { draws: TrimTrackDraw[]; date: number };
    if (!special && rng.next() < o.duplicateRate) {
      const orig = runs[lastRunIndex] as SyntheticRun;
      runs.push({ input: orig.input, truth: { ...orig.truth, duplicate: true, ftLink: 'none' } });
      c.duplicates++;
    }
    if (link !== 'none') {
      const testDate = new Date(last.date + uniform(rng, 3, 30) * DAY_MS);
      const ftSerial = link === 'serial' && rng.next() < 0.5 ? serialVariant(rng, serial) : serial;
      fts.push({ input: finalTestInput(spec, ftSerial, testDate, last.draws, lastFt), runIndex: lastRunIndex, link });
      if (link === 'serial') c.ft.serial++;
      else c.ft.trimId++;
      if (!special && rng.next() < o.orphanFinalTestRate) {
        // An FT record of a unit whose trim file never reached the database.
        const ghost = drawRun(rng, spec, drawUnitLatents(rng, spec), driftZ, unitLengthKnown);
        const ghostFt = ghost.map((d) => drawFinalTest(rng, spec, d));
        const ghostSerial = serialOf(fmt, spec.units + 100_000 + c.ft.orphan);
        fts.push({ input: finalTestInput(spec, ghostSerial, testDate, ghost, ghostFt), runIndex: null, link: 'orphan' });
        c.ft.orphan++;
      }
    }
    if (runs.length >= chunkSize && i < spec.units - 1) {
      countRuns(c, runs);
      yield { model: spec, runs, finalTests: fts, lastOfModel: false };
      runs = [];
      fts = [];
    }
  }
  countRuns(c, runs);
  yield { model: spec, runs, finalTests: fts, lastOfModel: true };
}

/**
 * Generates a plant as a stream of batches, model by model (bounded memory at any size). The generator's return
 * value is the {@link SyntheticPlantSummary} (counts, garbage, drift truth with onset dates).
 *
 * @param source - a plan from {@link planPlant}, or plant options (planned here).
 * @example
 * ```ts
 * let tracks = 0;
 * for (const batch of generatePlantBatches({ seed: 1, tracks: 1_000_000 })) {
 *   for (const run of batch.runs) tracks += run.input.tracks.length;
 * }
 * ```
 */
export function* generatePlantBatches(
  source: PlantPlan | SyntheticPlantOptions,
  options: PlantStreamOptions = {},
): Generator<SyntheticBatch, SyntheticPlantSummary, undefined> {
  const plan = 'models' in source && Array.isArray(source.models) ? (source as PlantPlan) : planPlant(source as SyntheticPlantOptions);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 5000));
  const c: Counters = {
    units: 0,
    runs: 0,
    tracks: 0,
    retrims: 0,
    duplicates: 0,
    ft: { trimId: 0, serial: 0, orphan: 0 },
    garbage: emptyGarbageCounts(),
    drifts: [],
    lots: 0,
  };
  const realistic = plan.options.scenario === 'realistic';
  for (const spec of plan.models)
    yield* realistic ? realisticModelBatches(plan, spec, chunkSize, c) : modelBatches(plan, spec, chunkSize, c);
  return {
    models: plan.models.length,
    units: c.units,
    runs: c.runs,
    tracks: c.tracks,
    retrims: c.retrims,
    duplicates: c.duplicates,
    finalTests: { ...c.ft },
    garbage: { ...c.garbage },
    drifts: c.drifts,
    ...(realistic ? { lots: c.lots } : {}),
  };
}
