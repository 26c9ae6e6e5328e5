/**
 * The chart data against the components it shows: the drift charts equal the detector's own results on the same units
 * (replayed independently here, and against what apply stored), the thresholds equal the state's, the histograms and
 * the reliability diagram count what they say; the small statistics against hand-computed values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { exclusionReason } from '../../src/core/features.js';
import { formulaThreshold } from '../../src/core/formula.js';
import { labelOf } from '../../src/core/labels.js';
import type { TrainingRecord } from '../../src/core/types.js';
import { ModelDriftDetector, type ModelDriftDetectorState } from '../../src/drift/index.js';
import { parseComponents } from '../../src/manager/components-state.js';
import { unitSeries } from '../../src/manager/drift-series.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { createMemoryRepository } from '../../src/storage/index.js';
import { writePlant } from '../../src/synthetic/index.js';
import { modelChartData, plantChartData } from '../../src/charts/chart-data.js';
import type { PlantChartData } from '../../src/charts/types.js';
import { wilsonInterval } from '../../src/charts/wilson.js';
import { reliabilityBins } from '../../src/predictor/reliability.js';
import { decimateExtremes } from '../../src/report/decimate.js';
import { rankModels } from '../../src/report/plant-report.js';

describe('wilsonInterval', () => {
  it('matches the published Wilson intervals (Newcombe 1998, table I)', () => {
    const [a, b] = wilsonInterval(2, 10);
    expect(a).toBeCloseTo(0.0567, 4);
    expect(b).toBeCloseTo(0.5098, 4);
    const [c, d] = wilsonInterval(0, 10);
    expect(c).toBe(0);
    expect(d).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    expect(() => wilsonInterval(3, 2)).toThrow(/0 ≤ x ≤ n/);
  });
});

describe('reliabilityBins', () => {
  it('bins by equal width with the last bin closed, and keeps sums', () => {
    const bins = reliabilityBins([0.05, 0.08, 0.95, 1, Number.NaN], [0, 1, 1, 0, 1], 10);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ lower: 0, upper: 0.1, n: 2, failures: 1 });
    expect(bins[0]!.predictedSum).toBeCloseTo(0.13, 12);
    expect(bins[9]).toMatchObject({ n: 2, failures: 1 });
    expect(bins[9]!.predictedSum).toBeCloseTo(1.95, 12);
    expect(bins.slice(1, 9).every((b) => b.n === 0)).toBe(true);
    expect(() => reliabilityBins([0.2], [2])).toThrow(/labels must be 0/);
    expect(() => reliabilityBins([1.2], [1])).toThrow(/in \[0, 1\]/);
  });
});

describe('decimateExtremes', () => {
  it('keeps every index of a short series and the extremes of each bucket of a long one', () => {
    expect(decimateExtremes(3, 10, [() => 0])).toEqual([0, 1, 2]);
    expect(decimateExtremes(6, 4, [(i) => [1, 5, 2, 0, 3, 1][i]!])).toEqual([0, 1, 3, 4, 5]);
    const spike = Array.from({ length: 10_000 }, (_, i) => (i === 7_777 ? 50 : Math.sin(i)));
    const kept = decimateExtremes(spike.length, 300, [(i) => spike[i]!]);
    expect(kept.length).toBeLessThanOrEqual(302);
    expect(kept).toContain(7_777);
  });
});

describe('chart data of a trained and applied plant', () => {
  const repo = createMemoryRepository();
  const ml = new MLManager(repo, { seed: 3 });
  let plant: PlantChartData;
  const records = new Map<string, TrainingRecord[]>();

  beforeAll(async () => {
    await writePlant(repo, { seed: 11, tracks: 9_000, models: 12, scenario: 'realistic', driftModelFraction: 0.6 });
    await ml.trainAllModels();
    await ml.applyToDatabase();
    plant = await plantChartData(ml);
    for (const m of await repo.listModels()) {
      const rs: TrainingRecord[] = [];
      for await (const b of repo.readTrainingRecords(m.model)) rs.push(...b);
      records.set(m.model, rs);
    }
  });

  it('has every model, with the plant totals of the status table', async () => {
    const status = await ml.getTrainingStatus();
    expect(plant.models.map((m) => m.model).sort()).toEqual((await repo.listModels()).map((m) => m.model).sort());
    expect(plant.totals).toMatchObject({
      trained: status.trained,
      needMoreData: status.needMoreData,
      drifting: status.drifting,
      failed: status.failed,
    });
    expect(plant.totals.tracks).toBe([...records.values()].reduce((s, r) => s + r.length, 0));
  });

  it('draws the drift charts the detector computes: statistics, limits and episodes', async () => {
    const withDrift = plant.models.filter((m) => m.drift.available);
    expect(withDrift.length).toBeGreaterThan(3);
    const states = new Map((await repo.listModelStates()).map((s) => [s.model, s]));
    let episodes = 0;
    for (const m of withDrift) {
      if (!m.drift.available || !m.lnSigma.available) throw new Error('unreachable');
      const state = states.get(m.model)!;
      const c = parseComponents(state.componentsJson, m.model);
      // An independent replay: the monitored units as apply forms them, through a detector restored from the baseline.
      const end = c.driftBaselineEnd!;
      const after = records
        .get(m.model)!
        .filter((r) => exclusionReason(r) === null)
        .filter(
          (r) =>
            r.fileDate.getTime() > Date.parse(end.fileDate) ||
            (r.fileDate.getTime() === Date.parse(end.fileDate) && r.trackResultId > end.trackResultId),
        );
      const units = unitSeries(
        after.map((r) => ({ trimResultId: r.trimResultId, trackResultId: r.trackResultId, fileDate: r.fileDate, sigma: r.sigmaGradient! })),
      );
      const det = ModelDriftDetector.fromState(c.driftBaseline as ModelDriftDetectorState);
      const series = det.detectSeries(Array.from(units.sigma), units.dates);
      const stepped = series.results.filter((r) => r.subgroupScore !== null);
      expect(m.drift.points.map((p) => [p.date.getTime(), p.cusumPos, p.cusumNeg, p.ewma, p.ewmaLimit])).toEqual(
        stepped.map((r) => [r.date.getTime(), r.cusumPos, r.cusumNeg, r.ewma, r.ewmaLimit]),
      );
      expect(m.drift.h).toBe(det.params.h);
      expect(m.drift.L).toBe(det.params.L);
      expect(m.drift.k).toBe(det.params.k);
      expect(m.drift.episodes).toEqual(series.episodes);
      // The limits after the last unit are those of the running state apply stored.
      const current = ModelDriftDetector.fromState(c.driftCurrent as ModelDriftDetectorState);
      const [lo, centre, hi] = current.getControlLimits();
      const last = m.lnSigma.points[m.lnSigma.points.length - 1]!;
      expect([last.lower, last.centre, last.upper]).toEqual([Math.log(lo), Math.log(centre), Math.log(hi)]);
      expect(m.summary.isDrifting).toBe(state.isDrifting);
      // The baseline units carry the baseline's limits.
      const [blo, bc, bhi] = ModelDriftDetector.fromState(c.driftBaseline as ModelDriftDetectorState).getControlLimits();
      const first = m.lnSigma.points[0]!;
      expect(first.phase).toBe('baseline');
      expect([first.lower, first.centre, first.upper]).toEqual([Math.log(blo), Math.log(bc), Math.log(bhi)]);
      // Units as apply splits them (by track, at the baseline's last (date, id)): the baseline's units, plus at most
      // a unit whose tracks straddle that cut.
      expect(m.lnSigma.baselineUnits - end.samples).toBeGreaterThanOrEqual(0);
      expect(m.lnSigma.baselineUnits - end.samples).toBeLessThanOrEqual(1);
      expect(m.lnSigma.monitoredUnits).toBe(units.dates.length);
      // The stored alerts are the episodes (one per episode, same onset and detection).
      const alerts = await ml.getDriftAlerts({ model: m.model });
      expect(alerts.map((a) => [a.onsetDate.getTime(), a.detectedDate.getTime()]).sort()).toEqual(
        m.drift.episodes.map((e) => [e.onsetDate.getTime(), e.detectedDate.getTime()]).sort(),
      );
      episodes += m.drift.episodes.length;
    }
    expect(episodes).toBeGreaterThan(0);
  });

  it('shows the thresholds of the state and counts the labelled tracks in the histograms', async () => {
    let checked = 0;
    for (const m of plant.models) {
      if (!m.sigmaDistribution.available) continue;
      const d = m.sigmaDistribution;
      expect(d.learnedThreshold).toBe((await ml.getThreshold(m.model)) ?? null);
      const clean = records.get(m.model)!.filter((r) => exclusionReason(r) === null);
      const labels = clean.map((r) => labelOf(r, d.labelSource)).filter((y) => y !== null);
      expect(d.passTracks).toBe(labels.filter((y) => y === 0).length);
      expect(d.failTracks).toBe(labels.filter((y) => y === 1).length);
      expect(d.bins.reduce((s, b) => s + b.pass, 0)).toBe(d.passTracks);
      expect(d.bins.reduce((s, b) => s + b.fail, 0)).toBe(d.failTracks);
      const formula = clean.map((r) => formulaThreshold(r)).sort((a, b) => a - b);
      expect(d.formulaThreshold.min).toBe(formula[0]);
      expect(d.formulaThreshold.max).toBe(formula[formula.length - 1]);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('draws the reliability diagram from out-of-sample predictions kept at training', async () => {
    const states = new Map((await repo.listModelStates()).map((s) => [s.model, s]));
    let checked = 0;
    for (const m of plant.models) {
      if (!m.reliability.available) continue;
      const metrics = parseComponents(states.get(m.model)!.componentsJson, m.model).predictor.metrics!;
      expect(m.reliability.n).toBe(metrics.n);
      expect(m.reliability.failures).toBe(metrics.positives);
      expect(m.reliability.brier).toBe(metrics.brier);
      for (const b of m.reliability.bins) {
        expect(b.predicted).toBeGreaterThanOrEqual(b.lower);
        expect(b.predicted).toBeLessThanOrEqual(b.upper);
        expect(b.observedLow).toBeLessThanOrEqual(b.observed);
        expect(b.observedHigh).toBeGreaterThanOrEqual(b.observed);
      }
      expect(m.summary.meanPredictedFailure).toBe(m.reliability.meanPredicted);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('lists importances, ranks the models and says why a chart is missing', async () => {
    for (const m of plant.models) {
      if (m.featureImportance.available) {
        const v = m.featureImportance.features.map((f) => f.importance);
        expect(v).toEqual([...v].sort((a, b) => b - a));
      }
      for (const chart of [m.lnSigma, m.drift, m.sigmaDistribution, m.reliability, m.featureImportance]) {
        if (!chart.available) expect(chart.reason.length).toBeGreaterThan(10);
      }
    }
    const ranked = rankModels(plant.models.map((m) => m.summary));
    const rates = ranked.map((s) => s.failureRateInterval?.[0] ?? -1);
    expect(rates).toEqual([...rates].sort((a, b) => b - a));
    const one = await modelChartData(ml, plant.models[0]!.model);
    expect(one.summary).toEqual(plant.models[0]!.summary);
    await expect(modelChartData(ml, 'no such model')).rejects.toMatchObject({ code: 'NOT_TRAINED' });
  });
});
