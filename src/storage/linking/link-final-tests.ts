/**
 * Final Test linking for hosts that do not store (or only sometimes store) `linked_trim_id`.
 *
 * @module
 */
import type { ModelName } from '../../core/types.js';
import { normalizeSerial } from './serial.js';

/** What linking needs of a trim track. */
export interface LinkableTrimTrack {
  readonly trackResultId: number;
  readonly trimResultId: number;
  readonly model: ModelName;
  /** `null` or blank: the track never matches by serial. */
  readonly serial: string | null;
  readonly trackId: string;
  readonly fileDate: Date;
}

/** What linking needs of a Final Test track. */
export interface LinkableFinalTestTrack {
  /** Primary key of the final-test track row. */
  readonly finalTestTrackId: number;
  readonly model: ModelName;
  /** `null` or blank: the track links only by `linkedTrimId`. */
  readonly serial: string | null;
  readonly trackId: string;
  readonly testDate: Date;
  /** The host's own link to a trim run, where it has one; it wins over serial matching. */
  readonly linkedTrimId?: number | null;
}

/** How a Final Test track was linked. */
export type LinkMethod = 'linkedTrimId' | 'serial';

/** One Final Test track linked to one trim track. */
export interface FinalTestLink {
  readonly finalTestTrackId: number;
  readonly trackResultId: number;
  readonly method: LinkMethod;
}

/** Counts of a linking run: every Final Test track is counted exactly once (linked or unmatched). */
export interface LinkCounts {
  readonly linked: number;
  readonly byLinkedTrimId: number;
  readonly bySerial: number;
  readonly unmatched: number;
}

/** Options of `linkFinalTests`. */
export interface LinkOptions {
  /** The trim may be at most this many days before the Final Test (and never after it). Default 60. */
  readonly maxDaysBefore?: number;
  /** Match by serial where the host has no link. Default `true`; `false` uses only `linkedTrimId`. */
  readonly serialFallback?: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Links Final Test tracks to trim tracks. Rule, per Final Test track:
 * 1. Where the host recorded `linkedTrimId`, the track of that trim run with the same `trackId` (method `linkedTrimId`).
 * 2. Otherwise the trim track with the same model, the same {@link normalizeSerial | normalised serial} and the same
 *    `trackId`, trimmed at most `maxDaysBefore` days before the Final Test date (not after it); of several, the
 *    newest trim wins (ties: the higher track id) (method `serial`). A missing or blank serial (one that normalises
 *    to nothing) never matches: it names no unit.
 * 3. Otherwise unmatched.
 *
 * Pure and in memory: O((trims + tests) · log) per call. The adapters run it per model.
 *
 * @example
 * ```ts
 * const { links, counts } = linkFinalTests(
 *   [{ trackResultId: 1, trimResultId: 10, model: '8340', serial: 'SN0012', trackId: 'TRK1', fileDate: new Date('2024-01-01') }],
 *   [{ finalTestTrackId: 5, model: '8340', serial: '12', trackId: 'TRK1', testDate: new Date('2024-01-20') }],
 * );
 * // links = [{ finalTestTrackId: 5, trackResultId: 1, method: 'serial' }], counts.bySerial = 1
 * ```
 */
export function linkFinalTests(
  trims: readonly LinkableTrimTrack[],
  finalTests: readonly LinkableFinalTestTrack[],
  options: LinkOptions = {},
): { links: FinalTestLink[]; counts: LinkCounts } {
  const maxMs = (options.maxDaysBefore ?? 60) * DAY_MS;
  const byRunTrack = new Map<string, number>();
  const bySerial = new Map<string, LinkableTrimTrack[]>();
  for (const t of trims) {
    byRunTrack.set(`${t.trimResultId}\u0000${t.trackId}`, t.trackResultId);
    const key = serialKey(t.model, t.serial, t.trackId);
    if (key === null) continue;
    const list = bySerial.get(key);
    if (list === undefined) bySerial.set(key, [t]);
    else list.push(t);
  }
  // Newest first, so the first trim inside the window is the answer.
  for (const list of bySerial.values()) {
    list.sort((a, b) => b.fileDate.getTime() - a.fileDate.getTime() || b.trackResultId - a.trackResultId);
  }

  const links: FinalTestLink[] = [];
  let byHost = 0;
  let bySer = 0;
  for (const ft of finalTests) {
    if (ft.linkedTrimId !== undefined && ft.linkedTrimId !== null) {
      const id = byRunTrack.get(`${ft.linkedTrimId}\u0000${ft.trackId}`);
      if (id !== undefined) {
        links.push({ finalTestTrackId: ft.finalTestTrackId, trackResultId: id, method: 'linkedTrimId' });
        byHost++;
        continue;
      }
    }
    if (options.serialFallback === false) continue;
    const key = serialKey(ft.model, ft.serial, ft.trackId);
    const candidates = key === null ? undefined : bySerial.get(key);
    const ftMs = ft.testDate.getTime();
    const match = candidates?.find((t) => {
      const before = ftMs - t.fileDate.getTime();
      return before >= 0 && before <= maxMs;
    });
    if (match !== undefined) {
      links.push({ finalTestTrackId: ft.finalTestTrackId, trackResultId: match.trackResultId, method: 'serial' });
      bySer++;
    }
  }
  const linked = byHost + bySer;
  return { links, counts: { linked, byLinkedTrimId: byHost, bySerial: bySer, unmatched: finalTests.length - linked } };
}

/** The matching key, or `null` for a missing serial or one that normalises to nothing (`''`, `'SN'`, `'#'`): such serials name no unit and must not match each other. */
function serialKey(model: string, serial: string | null, trackId: string): string | null {
  const s = serial === null ? '' : normalizeSerial(serial);
  return s === '' ? null : `${model}\u0000${s}\u0000${trackId}`;
}
