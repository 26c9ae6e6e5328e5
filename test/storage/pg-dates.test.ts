import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { parsePgTimestamp } from '../../src/storage/kysely/pg-dates.js';

// A time zone with an offset and daylight saving time, so that local-time readings would show.
process.env.TZ = 'America/Chicago';

const pgParse = (oid: number) => pg.types.getTypeParser(oid, 'text') as (s: string) => Date;

describe('parsePgTimestamp', () => {
  it('reads timestamptz text as the instant it names', () => {
    expect(parsePgTimestamp('2024-05-01 08:30:00+00')?.toISOString()).toBe('2024-05-01T08:30:00.000Z');
    expect(parsePgTimestamp('2024-05-01 08:30:00.123456+02')?.toISOString()).toBe('2024-05-01T06:30:00.123Z');
    expect(parsePgTimestamp('2024-05-01 08:30:00.5-05:30')?.toISOString()).toBe('2024-05-01T14:00:00.500Z');
    expect(parsePgTimestamp('2024-05-01 08:30:00+05:30:15')?.toISOString()).toBe('2024-05-01T02:59:45.000Z');
    expect(parsePgTimestamp('2024-12-31 23:59:59.999999+00')?.toISOString()).toBe('2024-12-31T23:59:59.999Z');
    expect(parsePgTimestamp('2024-05-01 08:30:00.207+00')?.getUTCMilliseconds()).toBe(207);
    expect(parsePgTimestamp('2024-05-01 08:30:00.009+00')?.getUTCMilliseconds()).toBe(9);
  });

  it('reads timestamp (no zone) as UTC whatever the process time zone (pg would read local time)', () => {
    const s = '2024-05-01 08:30:00.25';
    expect(new Date(2024, 4, 1, 8).getTimezoneOffset()).toBe(300); // the test really runs in Chicago daylight time
    expect(parsePgTimestamp(s)?.toISOString()).toBe('2024-05-01T08:30:00.250Z');
    expect(pgParse(1114)(s).toISOString()).toBe('2024-05-01T13:30:00.250Z');
    // A wall time that does not exist in Chicago (spring forward) is still exact.
    expect(parsePgTimestamp('2024-03-10 02:30:00')?.toISOString()).toBe('2024-03-10T02:30:00.000Z');
  });

  it('agrees with pg’s own parser on 2,000 random timestamps with zones, and is exact with and without', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    for (let k = 0; k < 2000; k++) {
      const d = new Date(Date.UTC(1990, 0, 1) + rnd() * 50 * 365 * 86_400_000);
      const frac = [0, 1, 3, 6][k % 4]!;
      const fraction = frac === 0 ? '' : `.${pad(d.getUTCMilliseconds(), 3)}${'000'}`.slice(0, frac + 1);
      const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}`;
      const zone = ['+00', '+01', '-08', '+05:30', ''][k % 5]!;
      const text = base + zone;
      const ours = parsePgTimestamp(text);
      if (zone !== '') {
        // pg's parser multiplies the fraction in floating point and can land 1 ms low; ours truncates exactly.
        expect(Math.abs(ours!.getTime() - pgParse(1184)(text).getTime())).toBeLessThanOrEqual(1);
      }
      // The exact instant, computed independently: truncated milliseconds, minus the zone offset.
      const ms = frac === 0 ? 0 : Number(fraction.slice(1, 4).padEnd(3, '0'));
      const fields = [
        d.getUTCFullYear(),
        d.getUTCMonth(),
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        ms,
      ] as const;
      const offsetMin = { '+00': 0, '+01': 60, '-08': -480, '+05:30': 330, '': 0 }[zone]!;
      const expected = Date.UTC(...fields) - offsetMin * 60_000;
      expect(ours!.getTime()).toBe(expected);
    }
  });

  it('leaves every other form to the default parser', () => {
    for (const s of [
      'infinity',
      '-infinity',
      '2024-05-01',
      '0044-03-15 12:00:00+00 BC',
      '0099-01-01 00:00:00+00',
      '2024-05-01T08:30:00Z',
      '2024-13-01 00:00:00+00',
      '2024-05-01 08:30:00+0',
      '2024-05-01 08:30:00 UTC',
      '12024-05-01 00:00:00+00',
    ]) {
      expect(parsePgTimestamp(s), s).toBeUndefined();
    }
  });
});
