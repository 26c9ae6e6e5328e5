import { describe, expect, it } from 'vitest';
import { linkFinalTests } from '../../src/storage/linking/link-final-tests.js';
import { normalizeSerial } from '../../src/storage/linking/serial.js';

describe('normalizeSerial', () => {
  it.each([
    ['SN001', '1'],
    ['sn 001', '1'],
    ['S/N 000123a', '123A'],
    ['s/n:42', '42'],
    ['#0042', '42'],
    ['  0007  ', '7'],
    ['A0012', 'A0012'],
    ['000', '0'],
    ['SN-7', '7'],
    ['snow1', 'OW1'],
    ['SNA001205', 'A001205'],
    ['SN A12', 'A12'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected);
  });
});

const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000);
const trim = (id: number, run: number, serial: string, d: number, trackId = 'TRK1', model = '8340') => ({
  trackResultId: id,
  trimResultId: run,
  model,
  serial,
  trackId,
  fileDate: day(d),
});
const ft = (id: number, serial: string, d: number, trackId = 'TRK1', linkedTrimId: number | null = null, model = '8340') => ({
  finalTestTrackId: id,
  model,
  serial,
  trackId,
  testDate: day(d),
  linkedTrimId,
});

describe('linkFinalTests', () => {
  it('matches by model + normalised serial + track, newest trim within 60 days before the test', () => {
    const trims = [
      trim(1, 10, 'SN0012', 0), // 70 days before FT 100 → outside window
      trim(2, 11, '12', 40), // 60 days before → inside (boundary)
      trim(3, 12, 's/n 12', 50), // newest before the FT → wins
      trim(4, 13, '#12', 101), // after the FT → never
      trim(5, 12, 's/n 12', 50, 'TRK2'), // other track
      trim(6, 14, '12', 99, 'TRK1', '6828'), // other model
    ];
    const { links, counts } = linkFinalTests(trims, [ft(100, '0012', 100)]);
    expect(links).toEqual([{ finalTestTrackId: 100, trackResultId: 3, method: 'serial' }]);
    expect(counts).toEqual({ linked: 1, byLinkedTrimId: 0, bySerial: 1, unmatched: 0 });
  });

  it('the 60-day boundary: exactly 60 days links, 60 days + 1 ms does not', () => {
    const t = [trim(1, 1, '5', 0)];
    expect(linkFinalTests(t, [ft(1, '5', 60)]).counts.bySerial).toBe(1);
    const late = { ...ft(2, '5', 60), testDate: new Date(day(60).getTime() + 1) };
    expect(linkFinalTests(t, [late]).counts.unmatched).toBe(1);
    expect(linkFinalTests(t, [ft(3, '5', 30)], { maxDaysBefore: 20 }).counts.unmatched).toBe(1);
  });

  it('same trim date: the higher track id wins', () => {
    const { links } = linkFinalTests([trim(7, 1, '9', 5), trim(8, 2, '9', 5)], [ft(1, '9', 10)]);
    expect(links[0]?.trackResultId).toBe(8);
  });

  it('the host link wins over serial matching; an unusable host link falls back to serial; counts by how', () => {
    const trims = [trim(1, 10, 'A1', 0), trim(2, 11, 'A1', 5), trim(3, 12, 'B2', 1)];
    const tests = [
      ft(1, 'A1', 10, 'TRK1', 10), // host says run 10 (older) → trust it
      ft(2, 'A1', 10, 'TRK2', 10), // run 10 has no TRK2, no TRK2 trim by serial → unmatched
      ft(3, 'B2', 10, 'TRK1', 999), // host link to an unknown run → serial fallback
      ft(4, 'C3', 10), // nothing
    ];
    const { links, counts } = linkFinalTests(trims, tests);
    expect(links).toEqual([
      { finalTestTrackId: 1, trackResultId: 1, method: 'linkedTrimId' },
      { finalTestTrackId: 3, trackResultId: 3, method: 'serial' },
    ]);
    expect(counts).toEqual({ linked: 2, byLinkedTrimId: 1, bySerial: 1, unmatched: 2 });
    expect(linkFinalTests(trims, tests, { serialFallback: false }).counts).toEqual({
      linked: 1,
      byLinkedTrimId: 1,
      bySerial: 0,
      unmatched: 3,
    });
  });

  it('missing or blank serials never match each other (they name no unit); a host link still works for them', () => {
    const trims = [{ ...trim(1, 10, '', 0), serial: null }, trim(2, 11, '', 1), trim(3, 12, '  ', 2), trim(4, 13, 'SN', 3)];
    const tests = [
      { ...ft(1, '', 10), serial: null },
      ft(2, '', 10),
      ft(3, ' ', 10),
      ft(4, 'SN-', 10),
      ft(5, '#', 10),
      { ...ft(6, '', 10, 'TRK1', 10), serial: null },
    ];
    const { links, counts } = linkFinalTests(trims, tests);
    expect(links).toEqual([{ finalTestTrackId: 6, trackResultId: 1, method: 'linkedTrimId' }]);
    expect(counts).toEqual({ linked: 1, byLinkedTrimId: 1, bySerial: 0, unmatched: 5 });
  });

  it('serial matching is case-insensitive', () => {
    expect(linkFinalTests([trim(1, 1, 'ab12', 0)], [ft(1, 'SN AB12', 3)]).counts.bySerial).toBe(1);
  });
});
