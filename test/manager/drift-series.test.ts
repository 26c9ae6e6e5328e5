import { describe, expect, it } from 'vitest';
import { unitSeries } from '../../src/manager/drift-series.js';

describe('unitSeries', () => {
  it('makes one value per unit (geometric mean of its tracks), in date order', () => {
    const d1 = new Date('2024-01-02T00:00:00Z');
    const d0 = new Date('2024-01-01T00:00:00Z');
    const s = unitSeries([
      { trimResultId: 7, trackResultId: 20, fileDate: d1, sigma: 1e-4 },
      { trimResultId: 3, trackResultId: 11, fileDate: d0, sigma: 2e-4 },
      { trimResultId: 7, trackResultId: 21, fileDate: d1, sigma: 4e-4 },
    ]);
    expect(s.dates).toEqual([d0, d1]);
    expect(s.sigma[0]).toBeCloseTo(2e-4, 15);
    // sqrt(1e-4 · 4e-4) = 2e-4
    expect(s.sigma[1]).toBeCloseTo(2e-4, 15);
    expect(s.lastTrackIds).toEqual([11, 21]);
  });
});
