/**
 * The host tables of the in-memory repository (trim runs, tracks, Final Tests) and how a trim track finds its Final
 * Test outcome.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import type { FinalTestOutcome, ModelName, TrimTrack } from '../../core/types.js';
import type { HostFinalTestInput, HostTrimRunInput, TrackResultWrite } from '../repository.js';
import { linkFinalTests, type LinkableFinalTestTrack } from '../linking/link-final-tests.js';
import type { FinalTestLinking } from '../options.js';

/** The result columns of one track, as apply wrote them. */
export type StoredTrackResults = Omit<TrackResultWrite, 'trackResultId'>;

interface StoredFinalTestTrack extends FinalTestOutcome {
  readonly model: ModelName;
  readonly serial: string;
  readonly trackId: string;
  readonly linkedTrimId: number | null;
}

/** Host rows held in maps keyed by id; ids are assigned from 1 like a database sequence. */
export class MemoryHostData {
  readonly tracks = new Map<number, TrimTrack>();
  readonly results = new Map<number, StoredTrackResults>();
  private readonly finalTestTracks: StoredFinalTestTrack[] = [];
  private nextTrimId = 1;
  private nextTrackId = 1;
  private nextFinalTestTrackId = 1;
  /** Cache of the trim track → outcome map, dropped on every host write. */
  private outcomeCache: Map<number, FinalTestOutcome> | null = null;

  constructor(private readonly linking: FinalTestLinking) {}

  /** One transaction: validate all runs, then insert. */
  insertTrimRuns(runs: readonly HostTrimRunInput[]): number[] {
    for (const [i, r] of runs.entries()) {
      if (!(r.fileDate instanceof Date) || Number.isNaN(r.fileDate.getTime())) {
        throw new InvalidInputError(`Trim run ${i}: fileDate must be a valid Date; nothing was inserted.`);
      }
    }
    this.outcomeCache = null;
    return runs.map((r) => {
      const trimResultId = this.nextTrimId++;
      for (const t of r.tracks) {
        const trackResultId = this.nextTrackId++;
        this.tracks.set(trackResultId, {
          ...t,
          trackResultId,
          trimResultId,
          model: r.model,
          serial: r.serial,
          fileDate: new Date(r.fileDate),
        });
      }
      return trimResultId;
    });
  }

  /** One transaction: validate all tests, then insert. */
  insertFinalTests(tests: readonly HostFinalTestInput[]): void {
    for (const [i, t] of tests.entries()) {
      if (!(t.testDate instanceof Date) || Number.isNaN(t.testDate.getTime())) {
        throw new InvalidInputError(`Final Test ${i}: testDate must be a valid Date; nothing was inserted.`);
      }
    }
    this.outcomeCache = null;
    for (const t of tests) {
      for (const k of t.tracks) {
        this.finalTestTracks.push({
          finalTestId: this.nextFinalTestTrackId++,
          testDate: new Date(t.testDate),
          linearityPass: k.linearityPass,
          failPoints: k.failPoints,
          linearityError: k.linearityError,
          model: t.model,
          serial: t.serial,
          trackId: k.trackId,
          linkedTrimId: t.linkedTrimId,
        });
      }
    }
  }

  tracksOf(model: ModelName): TrimTrack[] {
    return [...this.tracks.values()].filter((t) => t.model === model);
  }

  /**
   * trackResultId → its Final Test outcome: the newest linked FT track (test date, then id) with the same track id.
   * With `linkedTrimId` linking, an FT track links to the track of its `linkedTrimId` run with the same track id;
   * with `serial` linking, `linkFinalTests` decides.
   */
  outcomes(): Map<number, FinalTestOutcome> {
    if (this.outcomeCache !== null) return this.outcomeCache;
    const linkable: LinkableFinalTestTrack[] = this.finalTestTracks.map((f) => ({
      finalTestTrackId: f.finalTestId,
      model: f.model,
      serial: f.serial,
      trackId: f.trackId,
      testDate: f.testDate,
      linkedTrimId: f.linkedTrimId,
    }));
    const trims = [...this.tracks.values()];
    const links =
      this.linking === 'serial' ? linkFinalTests(trims, linkable).links : linkFinalTests(trims, linkable, { serialFallback: false }).links;
    const byId = new Map(this.finalTestTracks.map((f) => [f.finalTestId, f]));
    const out = new Map<number, FinalTestOutcome>();
    for (const l of links) {
      const f = byId.get(l.finalTestTrackId);
      if (f === undefined) continue;
      const prev = out.get(l.trackResultId);
      const newer =
        prev === undefined ||
        f.testDate.getTime() > prev.testDate.getTime() ||
        (f.testDate.getTime() === prev.testDate.getTime() && f.finalTestId > prev.finalTestId);
      if (newer) {
        out.set(l.trackResultId, {
          finalTestId: f.finalTestId,
          testDate: new Date(f.testDate),
          linearityPass: f.linearityPass,
          failPoints: f.failPoints,
          linearityError: f.linearityError,
        });
      }
    }
    this.outcomeCache = out;
    return out;
  }
}
