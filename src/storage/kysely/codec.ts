/**
 * Value mapping between the engines and the domain types. SQLite has no boolean or date type and PostgreSQL returns
 * `bigint` (e.g. `count(*)`) as a string, so every value read goes through one of these.
 *
 * **Dates on SQLite** are stored by the library as ISO 8601 UTC text (`2024-05-01T08:30:00.000Z`): it sorts
 * correctly as text, is readable in any SQLite tool, and is what most host apps already store. Reading accepts ISO
 * text (a value without a zone, such as SQLAlchemy's `2024-05-01 08:30:00.000000`, is read as UTC) and numbers
 * (epoch milliseconds). On PostgreSQL the library's dates are `timestamptz`; the host's date columns are read in
 * their text form and parsed here, so that a zone-less `timestamp` is UTC as on SQLite (pg's own parser would read
 * the process's local time), and dates are bound as ISO UTC text (which a `timestamp` column keeps as UTC wall time).
 *
 * @module
 */
import { StorageError } from '../../core/errors.js';
import { parsePgTimestamp } from './pg-dates.js';

/** The two supported engines. */
export type Engine = 'sqlite' | 'postgres';

/** A number, or null for NULL; numeric strings (PostgreSQL `bigint` / `numeric`) are parsed. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
    // PostgreSQL's text (and JSON) form of a float NaN; the driver's parseFloat gives NaN for it too.
    if (v === 'NaN') return Number.NaN;
  }
  throw new StorageError(`Expected a number from the database, got ${JSON.stringify(v)}: check the schema mapping.`);
}

/** Like {@link toNumber} for NOT NULL columns. */
export function toNumberRequired(v: unknown, what: string): number {
  const n = toNumber(v);
  if (n === null) throw new StorageError(`Unexpected NULL in ${what}: check the schema mapping.`);
  return n;
}

/** A boolean from SQLite 0/1, PostgreSQL boolean or the text forms `true`/`false`/`t`/`f`/`1`/`0`. */
export function toBool(v: unknown): boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === 't' || s === '1' || s === 'yes') return true;
    if (s === 'false' || s === 'f' || s === '0' || s === 'no') return false;
  }
  throw new StorageError(`Expected a boolean from the database, got ${JSON.stringify(v)}: check the schema mapping.`);
}

const ZONE = /(Z|[+-]\d{2}:?\d{2})$/u;

/** A Date from a `Date`, ISO text (zone-less text is read as UTC) or epoch milliseconds. */
export function toDate(v: unknown, what?: string): Date | null {
  if (v === null || v === undefined) return null;
  let d: Date;
  if (v instanceof Date) d = v;
  else if (typeof v === 'number' || typeof v === 'bigint') d = new Date(Number(v));
  else if (typeof v === 'string' && v.length === 24 && v.charCodeAt(23) === 90 /* Z */ && v.charCodeAt(10) === 84 /* T */) {
    // The library's own form (Date#toISOString): parsed directly, no normalisation needed.
    d = new Date(v);
  } else if (typeof v === 'string' && v.charCodeAt(10) === 32 /* ' ' */) {
    // PostgreSQL's text form (`2024-05-01 08:30:00.123456+02`, zone-less for `timestamp`) and SQLAlchemy's; other
    // forms (or anything it rejects) take the general path.
    d = parsePgTimestamp(v) ?? generalDate(v);
  } else if (typeof v === 'string') {
    d = generalDate(v);
  } else d = new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) {
    throw new StorageError(
      `Expected a date${what === undefined ? '' : ` in ${what}`} from the database, got ${JSON.stringify(v)}: check the schema mapping.`,
    );
  }
  return d;
}

/** ISO text in its variants (zone-less is UTC), a date alone (UTC midnight), or epoch milliseconds as text. */
function generalDate(v: string): Date {
  let s = v.trim();
  // Epoch milliseconds as text (a number written into a TEXT column reads back as `1714536000000.0`).
  if (/^\d+(\.\d*)?$/u.test(s)) return new Date(Number(s));
  if (/^\d{4}-\d{2}-\d{2}$/u.test(s)) s += 'T00:00:00';
  s = s.replace(' ', 'T');
  // JavaScript Date handles at most milliseconds; trim microseconds.
  s = s.replace(/(\.\d{3})\d+/u, '$1');
  return new Date(ZONE.test(s) ? s : `${s}Z`);
}

/** Like {@link toDate} for NOT NULL columns. */
export function toDateRequired(v: unknown, what: string): Date {
  const d = toDate(v, what);
  if (d === null) throw new StorageError(`Unexpected NULL in ${what}: check the schema mapping.`);
  return d;
}

/** Text, or null. */
export function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- drivers hand back strings, numbers or bigints here
  return typeof v === 'string' ? v : String(v);
}

/**
 * How a date is bound as a parameter: ISO 8601 UTC text on both engines. PostgreSQL parses it into the column's
 * type: the exact instant for `timestamptz`, the UTC wall time for `timestamp` (whose zone-less values the library
 * reads as UTC). pg would bind a Date in the process's local time instead.
 */
export function dateParam(d: Date): string {
  return d.toISOString();
}

/** How a boolean is bound: 0/1 on SQLite, a boolean on PostgreSQL. */
export function boolParam(engine: Engine, b: boolean | null): number | boolean | null {
  if (b === null) return null;
  return engine === 'sqlite' ? (b ? 1 : 0) : b;
}
