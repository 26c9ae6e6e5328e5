/** Hand-made host data for the repository contract suite, with the expected answers worked out by hand. */
import type { HostFinalTestInput, HostTrackInput, HostTrimRunInput } from '../../src/storage/repository.js';

export const M1 = '8340-1';
export const M2 = 'O\'Neil/2 "x"';
export const M3 = '型号 7';

export const full = (trackId: string, sigma: number): HostTrackInput => ({
  trackId,
  status: 'PASS',
  sigmaGradient: sigma,
  linearitySpec: 0.01,
  linearityError: 0.004,
  linearityFailPoints: 0,
  linearityPass: true,
  optimalOffset: -0.0012,
  travelLength: 312.5,
  unitLength: 300,
  untrimmedResistance: 9800.5,
  trimmedResistance: 10200.25,
});

/** Every optional column NULL. */
export const empty = (trackId: string): HostTrackInput => ({
  trackId,
  status: null,
  sigmaGradient: null,
  linearitySpec: null,
  linearityError: null,
  linearityFailPoints: null,
  linearityPass: null,
  optimalOffset: null,
  travelLength: null,
  unitLength: null,
  untrimmedResistance: null,
  trimmedResistance: null,
});

export const d = (s: string): Date => new Date(s);

/**
 * Runs, in insertion order (ids r[0..5]):
 * r0 M1 SN001 2024-01-01 TRK1 (full), TRK2 (all NULL)
 * r1 M1 2     2024-01-03 TRK1
 * r2 M1 3     2024-01-02 default   (inserted after r1, dated before it)
 * r3 M1 4     2024-01-03 TRK1      (same date as r1: id breaks the tie)
 * r4 M2 A     2024-02-01 TRK1, TRK2
 * r5 M3 B     2024-03-01 default
 */
export const runs: HostTrimRunInput[] = [
  { model: M1, serial: 'SN001', fileDate: d('2024-01-01T08:00:00Z'), system: 'A', tracks: [full('TRK1', 0.0004), empty('TRK2')] },
  { model: M1, serial: '2', fileDate: d('2024-01-03T08:00:00Z'), system: 'B', tracks: [full('TRK1', 0.0005)] },
  { model: M1, serial: '3', fileDate: d('2024-01-02T08:00:00.123Z'), system: null, tracks: [full('default', 0.0006)] },
  { model: M1, serial: '4', fileDate: d('2024-01-03T08:00:00Z'), system: 'B', tracks: [full('TRK1', 0.0007)] },
  { model: M2, serial: 'A', fileDate: d('2024-02-01T00:00:00Z'), system: 'A', tracks: [full('TRK1', 0.001), full('TRK2', 0.002)] },
  { model: M3, serial: 'B', fileDate: d('2024-03-01T00:00:00Z'), system: 'B', tracks: [full('default', 0.003)] },
];

/**
 * Final Tests (need the run ids):
 * ft0 → r0 2024-01-10: TRK1 pass (0 pts), TRK2 all NULL outcome
 * ft1 → r0 2024-01-20: TRK1 fail (7 pts, 0.02)  — newer, so r0.TRK1's outcome
 * ft2 → r1 2024-01-15: TRK2 only — r1 has no TRK2, so r1.TRK1 stays unlinked
 * ft3 unlinked (no linked_trim_id), serial of r3 — not linked under linkedTrimId linking
 */
export function finalTests(runIds: number[]): HostFinalTestInput[] {
  const id = (i: number): number => runIds[i] ?? -1;
  return [
    {
      model: M1,
      serial: 'SN001',
      testDate: d('2024-01-10T00:00:00Z'),
      linkedTrimId: id(0),
      tracks: [
        { trackId: 'TRK1', linearityPass: true, failPoints: 0, linearityError: 0.005 },
        { trackId: 'TRK2', linearityPass: null, failPoints: null, linearityError: null },
      ],
    },
    {
      model: M1,
      serial: 'SN001',
      testDate: d('2024-01-20T00:00:00Z'),
      linkedTrimId: id(0),
      tracks: [{ trackId: 'TRK1', linearityPass: false, failPoints: 7, linearityError: 0.02 }],
    },
    {
      model: M1,
      serial: '2',
      testDate: d('2024-01-15T00:00:00Z'),
      linkedTrimId: id(1),
      tracks: [{ trackId: 'TRK2', linearityPass: true, failPoints: 0, linearityError: 0.001 }],
    },
    {
      model: M1,
      serial: '4',
      testDate: d('2024-01-25T00:00:00Z'),
      linkedTrimId: null,
      tracks: [{ trackId: 'TRK1', linearityPass: true, failPoints: 0, linearityError: 0.002 }],
    },
  ];
}
