/**
 * The series drift detection watches: one value per unit (trim run), not per track. The tracks of a dual-track
 * part (TRK1, TRK2) are measured on the same part and their sigmas are correlated; fed to CUSUM/EWMA as separate
 * samples they would break the charts' independence assumption and inflate false alarms. A unit's value is the
 * geometric mean of its tracks' sigma (the mean of ln sigma, which is what the detector standardizes).
 *
 * @module
 */

/** One track's contribution. */
export interface DriftPoint {
  readonly trimResultId: number;
  readonly trackResultId: number;
  readonly fileDate: Date;
  /** sigma_gradient, > 0. */
  readonly sigma: number;
}

/** Units in time order with their value and their last track. */
export interface UnitSeries {
  readonly dates: Date[];
  readonly sigma: Float64Array;
  /** The largest track id of each unit (where a baseline that ends at this unit ends). */
  readonly lastTrackIds: number[];
  /** The smallest track id of each unit (with the date, the unit's place in the order). */
  readonly firstTrackIds: number[];
}

/** The place of a unit in the drift series' order: its date, then its first track id. */
export interface UnitKey {
  readonly time: number;
  readonly firstTrackId: number;
}

/** Orders two units as {@link unitSeries} does (negative: `a` first). */
export function compareUnits(a: UnitKey, b: UnitKey): number {
  return a.time - b.time || a.firstTrackId - b.firstTrackId;
}

/**
 * Groups tracks into units (by trim run), ordered by date then by the unit's first track id.
 *
 * @example
 * ```ts
 * unitSeries([
 *   { trimResultId: 1, trackResultId: 1, fileDate: d, sigma: 1e-4 },
 *   { trimResultId: 1, trackResultId: 2, fileDate: d, sigma: 4e-4 },
 * ]).sigma[0]; // 2e-4 (geometric mean)
 * ```
 */
export function unitSeries(points: readonly DriftPoint[]): UnitSeries {
  const units = new Map<number, { date: Date; first: number; last: number; sumLog: number; n: number }>();
  for (const p of points) {
    const u = units.get(p.trimResultId);
    if (u === undefined) {
      units.set(p.trimResultId, { date: p.fileDate, first: p.trackResultId, last: p.trackResultId, sumLog: Math.log(p.sigma), n: 1 });
    } else {
      u.first = Math.min(u.first, p.trackResultId);
      u.last = Math.max(u.last, p.trackResultId);
      u.sumLog += Math.log(p.sigma);
      u.n++;
    }
  }
  const ordered = [...units.values()].sort((a, b) =>
    compareUnits({ time: a.date.getTime(), firstTrackId: a.first }, { time: b.date.getTime(), firstTrackId: b.first }),
  );
  return {
    dates: ordered.map((u) => u.date),
    sigma: Float64Array.from(ordered, (u) => Math.exp(u.sumLog / u.n)),
    lastTrackIds: ordered.map((u) => u.last),
    firstTrackIds: ordered.map((u) => u.first),
  };
}
