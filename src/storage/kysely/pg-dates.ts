/**
 * A fast parser for PostgreSQL's text form of `timestamptz` / `timestamp` (DateStyle ISO:
 * `2024-05-01 08:30:00.123456+02` / `2024-05-01 08:30:00`), in which the adapters read the host's date columns (see
 * `toDate`): pg's default parser (postgres-date, regular expressions) is a large part of the time of decoding a
 * result (docs/benchmarks.md). Anything outside the plain form (BC, infinity, years before 1000, other
 * DateStyles) is left to the caller (`toDate`'s general ISO path). Results equal pg's for zoned text, except that
 * fractions are truncated to the millisecond, as a JavaScript Date keeps them (pg rounds through a float and may land
 * 1 ms low), and a zone-less `timestamp` is UTC (see {@link parsePgTimestamp}).
 *
 * @module
 */

const digit = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
};
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

/**
 * Parses `YYYY-MM-DD HH:MM:SS[.f…][±HH[:MM[:SS]]]`: with a zone offset as that instant; without (a `timestamp`
 * column), as UTC, the library's rule for zone-less dates on every engine (pg itself would read the process's local
 * time, so the same row would mean another instant on SQLite and on every plant PC's time zone). Returns `undefined`
 * for any other form.
 */
export function parsePgTimestamp(s: string): Date | undefined {
  const n = s.length;
  if (
    n < 19 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 32 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 46 /* . */) {
    i++;
    let scale = 100;
    while (i < n) {
      const d = digit(s, i);
      if (Number.isNaN(d)) break;
      ms += d * scale;
      scale /= 10;
      i++;
    }
    ms = Math.floor(ms + 1e-9);
  }
  let offsetMs: number | null = null;
  if (i < n) {
    const sign = s.charCodeAt(i);
    if ((sign !== 43 && sign !== 45) || n - i < 3) return undefined;
    let secs = two(s, i + 1) * 3600;
    i += 3;
    if (i < n) {
      if (s.charCodeAt(i) !== 58 || n - i < 3) return undefined;
      secs += two(s, i + 1) * 60;
      i += 3;
    }
    if (i < n) {
      if (s.charCodeAt(i) !== 58 || n - i !== 3) return undefined;
      secs += two(s, i + 1);
      i += 3;
    }
    offsetMs = (sign === 45 ? -secs : secs) * 1000;
  }
  if (
    i !== n ||
    !(year >= 1000) ||
    !(month >= 1 && month <= 12) ||
    !(day >= 1 && day <= 31) ||
    !(hour <= 24) ||
    !(minute <= 59) ||
    !(second <= 60)
  ) {
    return undefined;
  }
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - (offsetMs ?? 0));
  return Number.isNaN(d.getTime()) ? undefined : d;
}
