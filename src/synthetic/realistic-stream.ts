/**
 * Generates one model's units in the `realistic` scenario (`realistic-plan.ts` has the model-level part, and
 * `docs/synthetic.md` the meaning of every parameter).
 *
 * Units are made in production lots: a lot starts at a unit and lasts a log-uniform `lotDays` (a reel, a paste
 * batch, a setup); every unit trimmed before it ends shares its shifts of log10(sigma), of the mean optimal offset
 * and of the Final Test failure log-odds. A track's log10(sigma) is
 * `μ + lot shift + w·z + glitch + drift(i)·σ`, where z is the unit's within-lot roughness deviation (correlated
 * between the two tracks of a dual-track unit), the glitch (probability `q·2Φ(z)`, exponential inflation of mean θ)
 * is drawn afresh for every trim, and `drift(i)` is 0 before the onset, the full signed size after it (step), or
 * `size·min(1, (i − onset + 1) / rampUnits)` (ramp). The track is then drawn by the classic trim and Final Test
 * physics (`unit.ts`, `final-test.ts`) with its standardised deviation `sigmaZ = (log10 σ − in-control mean) / σ`
 * and the lot's offset and FT shifts, so glitches, lots and drift reach trim and FT outcomes the way sigma does.
 *
 * A unit's Final Test is written with the model's link rate, unless the unit is among the newest
 * `newestUnlinkedFraction` of the model or its FT date (trim + `finalTestLagDays`) falls after the plant's end.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { HostTrimRunInput } from '../storage/repository.js';
import { deriveSeed, normal, normalCdf, uniform } from './distributions.js';
import { drawFinalTest, type FinalTestDraw } from './final-test.js';
import { applyGarbage, pickGarbageKind } from './garbage.js';
import { serialFormat, serialOf, serialVariant, type SerialFormat } from './names.js';
import type { PlantPlan } from './plan.js';
import { logUniform } from './realistic-plan.js';
import { countRuns, finalTestInput, trackTruths, type Counters } from './records.js';
import type {
  SyntheticBatch,
  SyntheticFinalTest,
  SyntheticFtLinkMode,
  SyntheticGarbageKind,
  SyntheticLotTruth,
  SyntheticModelSpec,
  SyntheticRealisticModel,
  SyntheticRun,
  SyntheticRunTruth,
} from './types.js';
import { drawTrimTrack, drawUnitLatents, type TrimTrackDraw } from './unit.js';

const DAY_MS = 86_400_000;

interface Lot {
  readonly truth: SyntheticLotTruth;
  /** The model spec as the lot's units see it: in-control mean, the lot's offset bias and FT difficulty. */
  readonly spec: SyntheticModelSpec;
  readonly end: number;
}

/** One trim of a unit: per track, a fresh glitch on the unit's roughness, then the classic trim physics. */
function drawRealisticRun(
  rng: Rng,
  lot: Lot,
  m: SyntheticRealisticModel,
  sd: number,
  latents: readonly { z: number; e: number }[],
  driftSigma: number,
  unitLengthKnown: boolean,
): { draws: TrimTrackDraw[]; glitches: number[] } {
  const ids = lot.spec.tracksPerRun === 2 ? ['TRK1', 'TRK2'] : ['default'];
  const glitches: number[] = [];
  const draws = latents.map((l, k) => {
    const u = rng.next();
    const v = rng.next();
    const glitch = u < m.glitchRate * 2 * normalCdf(l.z) ? -m.glitchScale * Math.log(1 - v) : 0;
    glitches.push(glitch);
    const log10Sigma = m.locationLog10 + lot.truth.sigmaShiftLog10 + m.withinLotSd * l.z + glitch + driftSigma * sd;
    const sigmaZ = (log10Sigma - m.inControlMeanLog10) / sd;
    return drawTrimTrack(rng, lot.spec, ids[k] ?? 'default', { z: sigmaZ, e: l.e }, 0, unitLengthKnown);
  });
  return { draws, glitches };
}

/** The drift of log10(sigma) at unit `i`, in σ, signed (0 before the onset). */
function driftAt(spec: SyntheticModelSpec, i: number): number {
  const d = spec.drift;
  if (d === null || i < d.onsetIndex) return 0;
  const sign = d.direction === 'up' ? 1 : -1;
  const frac = d.shape === 'ramp' ? Math.min(1, (i - d.onsetIndex + 1) / Math.max(1, d.rampUnits ?? 1)) : 1;
  return sign * d.sizeSigma * frac;
}

/** Generates one model's batches of the `realistic` scenario (own stream: `deriveSeed(seed, modelIndex, 5)`). */
export function* realisticModelBatches(
  plan: PlantPlan,
  spec: SyntheticModelSpec,
  chunkSize: number,
  c: Counters,
): Generator<SyntheticBatch> {
  const o = plan.options;
  const r = o.realistic;
  const m = spec.realistic;
  if (m === undefined)
    throw new InvalidInputError(
      `realisticModelBatches: model ${spec.name} has no realistic parameters (planned as classic); plan the plant with scenario: 'realistic'.`,
    );
  const sd = spec.log10SigmaSpread;
  const rng = createRng(deriveSeed(o.seed, spec.index, 5));
  const fmt: SerialFormat = serialFormat(rng);
  const special = spec.role !== 'normal';
  const first = spec.firstDate.getTime();
  const span = spec.lastDate.getTime() - first;
  const step = span / spec.units;
  const plantEnd = o.startDate.getTime() + o.days * DAY_MS;
  const newestCut = Math.floor(spec.units * (1 - r.newestUnlinkedFraction));
  let lot: Lot | null = null;
  let lotIndex = 0;
  let runs: SyntheticRun[] = [];
  let fts: SyntheticFinalTest[] = [];
  for (let i = 0; i < spec.units; i++) {
    const date = first + step * (i + 0.5 * rng.next());
    if (lot === null || date >= lot.end) {
      const truth: SyntheticLotTruth = {
        id: `${spec.index}-${lotIndex}`,
        index: lotIndex,
        sigmaShiftLog10: normal(rng, 0, m.betweenLotSd),
        offsetShift: normal(rng, 0, r.lotOffsetSd * spec.linearitySpec),
        finalTestLogOddsShift: normal(rng, 0, r.lotFinalTestSd),
      };
      const lotSpec: SyntheticModelSpec = {
        ...spec,
        log10SigmaMedian: m.inControlMeanLog10,
        offsetBias: spec.offsetBias + truth.offsetShift,
        assemblyDifficulty: spec.assemblyDifficulty + truth.finalTestLogOddsShift,
      };
      lot = { truth, spec: lotSpec, end: date + logUniform(rng, r.lotDays[0], r.lotDays[1]) * DAY_MS };
      lotIndex++;
      c.lots++;
    }
    const cur: Lot = lot;
    const driftSigma = driftAt(spec, i);
    const drifted = spec.drift !== null && i >= spec.drift.onsetIndex;
    if (spec.drift && i === spec.drift.onsetIndex) {
      const full = (spec.drift.direction === 'up' ? 1 : -1) * spec.drift.sizeSigma;
      c.drifts.push({
        ...spec.drift,
        model: spec.name,
        onsetDate: new Date(date),
        shiftLog10: full * sd,
        log10SigmaSpread: sd,
        unitsBefore: i,
        unitsAfter: spec.units - i,
      });
    }
    const unitLengthKnown = span <= 0 || (date - first) / span >= spec.unitLengthMissingFraction;
    const serial = serialOf(fmt, i);
    const latents = drawUnitLatents(rng, spec);
    const firstTrim = drawRealisticRun(rng, cur, m, sd, latents, driftSigma, unitLengthKnown);
    const trims: { draws: TrimTrackDraw[]; glitches: number[]; date: number }[] = [{ ...firstTrim, date }];
    if (!special && firstTrim.draws.some((d) => !d.trimPass) && rng.next() < o.retrimRate) {
      // A re-trim: the same part (same roughness z, same lot), a new trim (fresh noise and glitch), days later.
      const again = latents.map((l) => ({ z: l.z, e: rng.nextNormal() }));
      const retrim = drawRealisticRun(rng, cur, m, sd, again, driftSigma, unitLengthKnown);
      trims.push({ ...retrim, date: date + Math.min(0.45 * step, uniform(rng, 1, 5) * DAY_MS) });
    }
    c.units++;
    const lastIdx = trims.length - 1;
    const last = trims[lastIdx] as { draws: TrimTrackDraw[]; glitches: number[]; date: number };
    const linkRoll = rng.next();
    const serialRoll = rng.next();
    const testDate = last.date + uniform(rng, r.finalTestLagDays[0], r.finalTestLagDays[1]) * DAY_MS;
    const linkable = linkRoll < m.linkRate && i < newestCut && testDate <= plantEnd;
    const link: SyntheticFtLinkMode = !linkable ? 'none' : serialRoll < o.serialOnlyLinkFraction ? 'serial' : 'trim_id';
    let lastRunIndex = -1;
    let lastFt: FinalTestDraw[] = [];
    for (const [k, t] of trims.entries()) {
      const ftDraws = t.draws.map((d) => drawFinalTest(rng, cur.spec, d));
      const garbage: SyntheticGarbageKind | null = !special && rng.next() < o.garbageRate ? pickGarbageKind(rng) : null;
      if (garbage) c.garbage[garbage]++;
      const input: HostTrimRunInput = {
        model: spec.name,
        serial,
        fileDate: new Date(t.date),
        system: spec.tracksPerRun === 2 ? 'A' : 'B',
        tracks: t.draws.map((d) => (garbage ? applyGarbage(d.input, garbage) : d.input)),
      };
      const truth: SyntheticRunTruth = {
        model: spec.name,
        unitIndex: i,
        retrim: k > 0,
        superseded: k < lastIdx,
        duplicate: false,
        drifted,
        garbage,
        ftLink: k === lastIdx ? link : 'none',
        tracks: trackTruths(t.draws, ftDraws).map((tt, j) => ({ ...tt, glitchLog10: t.glitches[j] ?? 0 })),
        lot: cur.truth,
        driftSigma,
      };
      runs.push({ input, truth });
      if (k > 0) c.retrims++;
      lastRunIndex = runs.length - 1;
      lastFt = ftDraws;
    }
    if (!special && rng.next() < o.duplicateRate) {
      const orig = runs[lastRunIndex] as SyntheticRun;
      runs.push({ input: orig.input, truth: { ...orig.truth, duplicate: true, ftLink: 'none' } });
      c.duplicates++;
    }
    if (link !== 'none') {
      const ftSerial = link === 'serial' && rng.next() < 0.5 ? serialVariant(rng, serial) : serial;
      fts.push({ input: finalTestInput(spec, ftSerial, new Date(testDate), last.draws, lastFt), runIndex: lastRunIndex, link });
      if (link === 'serial') c.ft.serial++;
      else c.ft.trimId++;
      if (!special && rng.next() < o.orphanFinalTestRate) {
        // An FT record of a unit of the same lot whose trim file never reached the database.
        const ghost = drawRealisticRun(rng, cur, m, sd, drawUnitLatents(rng, spec), driftSigma, unitLengthKnown).draws;
        const ghostFt = ghost.map((d) => drawFinalTest(rng, cur.spec, d));
        const ghostSerial = serialOf(fmt, spec.units + 100_000 + c.ft.orphan);
        fts.push({ input: finalTestInput(spec, ghostSerial, new Date(testDate), ghost, ghostFt), runIndex: null, link: 'orphan' });
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
