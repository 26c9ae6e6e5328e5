/**
 * The behavioural contract of MLRepository + HostDataWriter, run against every implementation (memory, SQLite,
 * PostgreSQL). Expected values come from the hand-made fixture (see fixture.ts), never from an implementation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusyError, InvalidInputError, StorageError } from '../../src/core/errors.js';
import type { TrainingRecord, TrimTrack } from '../../src/core/types.js';
import type { StoredTrackResults } from '../../src/storage/memory/memory-host-data.js';
import type {
  HostDataWriter,
  MLRepository,
  ModelMLState,
  ModelReadRequest,
  ModelRecordsBatch,
  ModelTracksBatch,
} from '../../src/storage/repository.js';
import { readTrainingRecordsOfModels, saveDriftAlertsWithState, updateDriftStatesOf } from '../../src/storage/repository-helpers.js';
import { M1, M2, M3, d, finalTests, runs } from './fixture.js';

export interface ContractSubject {
  readonly repo: MLRepository & HostDataWriter;
  /** The result columns of one track as stored (undefined/null when never written). */
  readResult(trackResultId: number): Promise<StoredTrackResults | undefined>;
  close(): Promise<void>;
}

async function collect<T>(it: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const b of it) out.push(b);
  return out;
}

export function fullState(model: string, version: string): ModelMLState {
  return {
    model,
    isTrained: true,
    trainingDate: d('2024-05-01T10:11:12.345Z'),
    trainingSamples: 405,
    trimSamples: 300,
    finalTestSamples: 105,
    sigmaThreshold: 0.00051,
    thresholdConfidence: 0.8,
    predictorAccuracy: 0.94,
    predictorPrecision: 0.9,
    predictorRecall: 0.7,
    predictorF1: 0.79,
    predictorAuc: 0.88,
    featureImportance: { sigma_gradient: 0.5, linearity_error: 0.25, 'odd "name"': 0.25 },
    sigmaMean: 0.0004,
    sigmaStd: 0.0001,
    sigmaP5: 0.0002,
    sigmaP50: 0.00035,
    sigmaP95: 0.0009,
    errorMean: 0.004,
    errorStd: 0.001,
    passRate: 0.62,
    failRate: 0.38,
    avgFailPoints: 6.5,
    trackCorrelation: 0.92,
    specMargin: 0.05,
    difficultyScore: 1.3,
    driftBaselineMean: -7.9,
    driftBaselineStd: 0.4,
    driftBaselineP95: -7.1,
    cusumPos: 1.5,
    cusumNeg: 0.25,
    ewmaValue: -7.8,
    isDrifting: true,
    driftDirection: 'up',
    labelSource: 'final_test',
    stateVersion: version,
    componentsJson: '{"kind":"components","version":1,"text":"型号 \\"q\\""}',
    lastError: 'previous failure: x',
    createdDate: d('2024-04-01T00:00:00.000Z'),
    updatedDate: d('2024-05-01T10:11:12.345Z'),
  };
}

export function nullState(model: string): ModelMLState {
  return {
    ...fullState(model, 'v-null'),
    isTrained: false,
    trainingDate: null,
    sigmaThreshold: null,
    thresholdConfidence: null,
    predictorAccuracy: null,
    predictorPrecision: null,
    predictorRecall: null,
    predictorF1: null,
    predictorAuc: null,
    featureImportance: null,
    sigmaMean: null,
    sigmaStd: null,
    sigmaP5: null,
    sigmaP50: null,
    sigmaP95: null,
    errorMean: null,
    errorStd: null,
    passRate: null,
    failRate: null,
    avgFailPoints: null,
    trackCorrelation: null,
    specMargin: null,
    difficultyScore: null,
    driftBaselineMean: null,
    driftBaselineStd: null,
    driftBaselineP95: null,
    cusumPos: 0,
    cusumNeg: 0,
    ewmaValue: null,
    isDrifting: false,
    driftDirection: null,
    labelSource: null,
    lastError: null,
  };
}

/** Registers the contract tests for one implementation. */
export function repositoryContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`MLRepository contract: ${name}`, () => {
    let s: ContractSubject;
    let runIds: number[] = [];
    let m1: TrainingRecord[] = [];

    beforeAll(async () => {
      s = await open();
      runIds = await s.repo.insertTrimRuns(runs);
      await s.repo.insertFinalTests(finalTests(runIds));
      m1 = (await collect(s.repo.readTrainingRecords(M1))).flat();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('inserts runs and returns their ids in input order', () => {
      expect(runIds).toHaveLength(6);
      expect(new Set(runIds).size).toBe(6);
      expect([...runIds].sort((a, b) => a - b)).toEqual(runIds);
    });

    it('lists models with counts and date ranges, sorted by name (quotes, slashes, unicode intact)', async () => {
      const models = await s.repo.listModels();
      expect(models.map((m) => m.model)).toEqual([M1, M2, M3]);
      expect(models[0]).toEqual({
        model: M1,
        trimTracks: 5,
        finalTestLinked: 2,
        firstDate: d('2024-01-01T08:00:00Z'),
        lastDate: d('2024-01-03T08:00:00Z'),
      });
      expect(models[1]).toMatchObject({ model: M2, trimTracks: 2, finalTestLinked: 0 });
      expect(models[2]).toMatchObject({ model: M3, trimTracks: 1, finalTestLinked: 0, firstDate: d('2024-03-01T00:00:00Z') });
    });

    it('reads training records in (fileDate, id) order, in batches, with the newest linked FT of the same track', async () => {
      const batches = await collect(s.repo.readTrainingRecords(M1, { batchSize: 2 }));
      expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
      const rows = batches.flat();
      expect(rows).toEqual(m1);
      // r0 TRK1, r0 TRK2, r2 (01-02), r1 (01-03), r3 (01-03, later id)
      expect(rows.map((r) => [r.trimResultId, r.trackId])).toEqual([
        [runIds[0], 'TRK1'],
        [runIds[0], 'TRK2'],
        [runIds[2], 'default'],
        [runIds[1], 'TRK1'],
        [runIds[3], 'TRK1'],
      ]);
      const [a, b, c] = rows as [TrainingRecord, TrainingRecord, TrainingRecord];
      expect(a).toMatchObject({
        model: M1,
        serial: 'SN001',
        fileDate: d('2024-01-01T08:00:00Z'),
        status: 'PASS',
        sigmaGradient: 0.0004,
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
      expect(a.finalTest).toMatchObject({ testDate: d('2024-01-20T00:00:00Z'), linearityPass: false, failPoints: 7, linearityError: 0.02 });
      expect(typeof a.finalTest?.finalTestId).toBe('number');
      expect(b).toMatchObject({
        trackId: 'TRK2',
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
      expect(b.finalTest).toMatchObject({
        testDate: d('2024-01-10T00:00:00Z'),
        linearityPass: null,
        failPoints: null,
        linearityError: null,
      });
      expect(c.fileDate).toEqual(d('2024-01-02T08:00:00.123Z'));
      expect(c.finalTest).toBeNull();
      expect(rows[3]?.finalTest).toBeNull(); // its FT only has TRK2
      expect(rows[4]?.finalTest).toBeNull(); // its FT has no linked_trim_id
    });

    it('filters training records strictly after a date', async () => {
      const rows = (await collect(s.repo.readTrainingRecords(M1, { after: d('2024-01-02T08:00:00.123Z') }))).flat();
      expect(rows.map((r) => r.trimResultId)).toEqual([runIds[1], runIds[3]]);
      expect((await collect(s.repo.readTrainingRecords('no such model'))).flat()).toEqual([]);
    });

    it('reads many models at once exactly as model by model, in the order asked, each model complete and marked last', async () => {
      const collectMany = async (it: AsyncIterable<ModelRecordsBatch>) => {
        const out: ModelRecordsBatch[] = [];
        for await (const b of it) out.push(b);
        return out;
      };
      const perModel = async (model: string) => (await collect(s.repo.readTrainingRecords(model))).flat();
      const models = await s.repo.listModels();
      const asked: ModelReadRequest[] = [...models].reverse().map((m) => ({ model: m.model, trimTracks: m.trimTracks }));
      asked.push({ model: 'no such model', trimTracks: 0 });
      // Defaults (every model in one group), small groups with paging (M1: 5 tracks > batch 2 and > group 3), and
      // wrong size hints (M1 said to have none): the records are the same in every case.
      for (const [options, request] of [
        [{}, asked],
        [{ batchSize: 2, groupRows: 3 }, asked],
        [{ groupRows: 1 }, asked.map((m) => (m.model === M1 ? { ...m, trimTracks: 0 } : m))],
      ] as const) {
        const batches = await collectMany(readTrainingRecordsOfModels(s.repo, request, options));
        const order: string[] = [];
        for (const b of batches) if (order[order.length - 1] !== b.model) order.push(b.model);
        expect(order).toEqual(request.map((m) => m.model));
        for (const { model } of request) {
          const mine = batches.filter((b) => b.model === model);
          expect(mine.map((b) => b.last)).toEqual(mine.map((_, i) => i === mine.length - 1));
          expect(mine.flatMap((b) => b.records)).toEqual(await perModel(model));
          if (mine.length > 1) expect(mine.every((b) => b.records.length > 0)).toBe(true);
        }
        expect(batches.find((b) => b.model === 'no such model')).toEqual({ model: 'no such model', records: [], last: true });
      }
      const paged = await collectMany(readTrainingRecordsOfModels(s.repo, models, { batchSize: 2, groupRows: 3 }));
      expect(paged.filter((b) => b.model === M1).map((b) => b.records.length)).toEqual([2, 2, 1]);
      expect(paged.flatMap((b) => b.records).filter((r) => r.finalTest !== null)).toHaveLength(2);
      await expect(collectMany(readTrainingRecordsOfModels(s.repo, models, { groupRows: 0 }))).rejects.toThrow(InvalidInputError);
    });

    it("reads many models' tracks for apply (where the repository can) exactly as model by model, in batches", async () => {
      const many = s.repo.readManyTracksForApply?.bind(s.repo);
      if (many === undefined) return; // optional: the manager reads model by model (covered by the test below)
      const models = await s.repo.listModels();
      const asked: ModelReadRequest[] = [...models].reverse().map((m) => ({ model: m.model, trimTracks: m.trimTracks }));
      asked.push({ model: 'no such model', trimTracks: 0 });
      for (const options of [{}, { batchSize: 2, groupRows: 3 }, { batchSize: 2 }, { groupRows: 1 }]) {
        const batches: ModelTracksBatch[] = [];
        for await (const b of many(asked, options)) batches.push(b);
        const order: string[] = [];
        for (const b of batches) if (order[order.length - 1] !== b.model) order.push(b.model);
        expect(order).toEqual(asked.map((m) => m.model));
        for (const { model } of asked) {
          const mine = batches.filter((b) => b.model === model);
          expect(mine.map((b) => b.last)).toEqual(mine.map((_, i) => i === mine.length - 1));
          expect(mine.flatMap((b) => b.tracks)).toEqual((await collect(s.repo.readTracksForApply(model))).flat());
          if (options.batchSize !== undefined) expect(mine.every((b) => b.tracks.length <= options.batchSize)).toBe(true);
        }
        expect(batches.find((b) => b.model === 'no such model')).toEqual({ model: 'no such model', tracks: [], last: true });
      }
    });

    it('reads tracks for apply in id order and resumes after a given id', async () => {
      const all = (await collect(s.repo.readTracksForApply(M1, { batchSize: 3 }))).flat();
      const ids = all.map((t) => t.trackResultId);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(all).toHaveLength(5);
      const resumed = await collect(s.repo.readTracksForApply(M1, { afterTrackResultId: ids[2], batchSize: 1 }));
      expect(resumed.map((b) => b.length)).toEqual([1, 1]);
      expect(resumed.flat().map((t: TrimTrack) => t.trackResultId)).toEqual(ids.slice(3));
      expect(resumed.flat()[0]).toEqual(all[3]);
    });

    it('writes track results in batches', async () => {
      const tracks = (await collect(s.repo.readTracksForApply(M2))).flat();
      await s.repo.writeTrackResults([
        {
          trackResultId: tracks[0]!.trackResultId,
          sigmaThreshold: 0.0005,
          sigmaPass: false,
          failureProbability: 0.75,
          riskCategory: 'high',
          mlModelVersion: 'v1',
        },
        {
          trackResultId: tracks[1]!.trackResultId,
          sigmaThreshold: 0.003,
          sigmaPass: null,
          failureProbability: null,
          riskCategory: null,
          mlModelVersion: 'formula',
        },
      ]);
      expect(await s.readResult(tracks[0]!.trackResultId)).toEqual({
        sigmaThreshold: 0.0005,
        sigmaPass: false,
        failureProbability: 0.75,
        riskCategory: 'high',
        mlModelVersion: 'v1',
      });
      expect(await s.readResult(tracks[1]!.trackResultId)).toEqual({
        sigmaThreshold: 0.003,
        sigmaPass: null,
        failureProbability: null,
        riskCategory: null,
        mlModelVersion: 'formula',
      });
      await s.repo.writeTrackResults([]);
    });

    it('a batch that fails mid-way leaves nothing written', async () => {
      const [t] = (await collect(s.repo.readTracksForApply(M3))).flat();
      const id = t!.trackResultId;
      const ok = { sigmaThreshold: 0.001, sigmaPass: true, failureProbability: 0.1, riskCategory: 'low' as const, mlModelVersion: 'v9' };
      await expect(
        s.repo.writeTrackResults([
          { trackResultId: id, ...ok },
          { trackResultId: 987654321, ...ok },
        ]),
      ).rejects.toThrow(StorageError);
      expect(await s.readResult(id)).toBeUndefined();
      await expect(s.repo.writeTrackResults([{ trackResultId: id, ...ok, failureProbability: 1.5 }])).rejects.toThrow(InvalidInputError);
      expect(await s.readResult(id)).toBeUndefined();
    });

    it('saves and loads a model state with every column, replacing the previous one, with artifacts', async () => {
      expect(await s.repo.loadModelState(M2)).toBeNull();
      await s.repo.saveModel(nullState(M2), []);
      expect(await s.repo.loadModelState(M2)).toEqual(nullState(M2));
      await s.repo.saveModel(fullState(M2, 'v2'), [{ model: M2, kind: 'predictor', version: 'v2', content: '{"trees":[1,2]}' }]);
      expect(await s.repo.loadModelState(M2)).toEqual(fullState(M2, 'v2'));
      await s.repo.saveModel(fullState(M3, 'v3'), [{ model: M3, kind: 'predictor', version: 'v3', content: '{"t":3}' }]);
      expect((await s.repo.listModelStates()).map((x) => x.model)).toEqual([M2, M3]);

      const a = await s.repo.loadArtifact(M2, 'predictor');
      expect(a).toMatchObject({ model: M2, kind: 'predictor', version: 'v2', content: '{"trees":[1,2]}' });
      expect(a?.createdDate).toBeInstanceOf(Date);
      expect(await s.repo.loadArtifact(M2, 'predictor', 'v1')).toBeNull();
      await s.repo.saveModel(fullState(M2, 'v4'), [{ model: M2, kind: 'predictor', version: 'v4', content: '{"t":4}' }]);
      expect(await s.repo.loadArtifact(M2, 'predictor', 'v4')).toMatchObject({ content: '{"t":4}' });
      expect(await s.repo.loadArtifact(M2, 'predictor', 'v2')).toBeNull();
      await s.repo.saveArtifact({ model: '*', kind: 'pooled_predictor', version: 'p1', content: '{"pooled":true}' });
      expect(await s.repo.loadArtifact('*', 'pooled_predictor')).toMatchObject({ version: 'p1', content: '{"pooled":true}' });
    });

    it('updates only the drift running state', async () => {
      await s.repo.saveModel(fullState(M1, 'v5'), []);
      await s.repo.updateDriftState(M1, {
        cusumPos: 0,
        cusumNeg: 4.5,
        ewmaValue: null,
        isDrifting: false,
        driftDirection: null,
        componentsJson: '{"c":2}',
      });
      const st = await s.repo.loadModelState(M1);
      expect(st).toMatchObject({
        cusumPos: 0,
        cusumNeg: 4.5,
        ewmaValue: null,
        isDrifting: false,
        driftDirection: null,
        componentsJson: '{"c":2}',
      });
      expect(st?.sigmaThreshold).toBe(0.00051);
      expect(st!.updatedDate.getTime()).toBeGreaterThan(fullState(M1, 'v5').updatedDate.getTime());
      await expect(
        s.repo.updateDriftState('never trained', {
          cusumPos: 0,
          cusumNeg: 0,
          ewmaValue: null,
          isDrifting: false,
          driftDirection: null,
          componentsJson: '{}',
        }),
      ).rejects.toThrow(StorageError);
    });

    it("updates many models' drift state in one call, all or nothing", async () => {
      await s.repo.saveModel(fullState(M2, 'v6'), []);
      await s.repo.saveModel(fullState(M3, 'v7'), []);
      const drift = (cusumNeg: number) => ({
        cusumPos: 0.5,
        cusumNeg,
        ewmaValue: -7.5,
        isDrifting: true,
        driftDirection: 'down' as const,
        componentsJson: `{"n":${cusumNeg}}`,
      });
      await updateDriftStatesOf(s.repo, [
        { model: M2, drift: drift(1) },
        { model: M3, drift: drift(2) },
      ]);
      expect(await s.repo.loadModelState(M2)).toMatchObject({ ...drift(1), sigmaThreshold: 0.00051, stateVersion: 'v6' });
      expect(await s.repo.loadModelState(M3)).toMatchObject({ ...drift(2), stateVersion: 'v7' });
      // One model without a state: nothing of the call is written, and the error names it.
      const missing = await updateDriftStatesOf(s.repo, [
        { model: M2, drift: drift(3) },
        { model: 'never "trained"', drift: drift(4) },
      ]).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(StorageError);
      expect((missing as Error).message).toContain('"never \\"trained\\""');
      expect(await s.repo.loadModelState(M2)).toMatchObject(drift(1));
      await expect(
        updateDriftStatesOf(s.repo, [
          { model: M2, drift: drift(5) },
          { model: M2, drift: drift(6) },
        ]),
      ).rejects.toThrow(InvalidInputError);
      await expect(updateDriftStatesOf(s.repo, [{ model: M2, drift: { ...drift(5), cusumNeg: Number.NaN } }])).rejects.toThrow(
        InvalidInputError,
      );
      expect(await s.repo.loadModelState(M2)).toMatchObject(drift(1));
      await updateDriftStatesOf(s.repo, []);
    });

    it('refuses non-finite numbers in a state (each engine would store them differently), naming the field', async () => {
      const model = 'nan model';
      for (const bad of [
        { predictorAuc: Number.NaN },
        { cusumPos: Number.POSITIVE_INFINITY },
        { trainingSamples: 1.5 },
        { featureImportance: { sigma_gradient: Number.NaN } },
      ] as Partial<ModelMLState>[]) {
        const err = await s.repo.saveModel({ ...fullState(model, 'v1'), ...bad }, []).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidInputError);
        expect((err as Error).message).toContain(`"${model}": ${Object.keys(bad)[0]}`);
      }
      expect(await s.repo.loadModelState(model)).toBeNull();
      await s.repo.saveModel(fullState(model, 'v1'), []);
      await expect(
        s.repo.updateDriftState(model, {
          cusumPos: Number.NaN,
          cusumNeg: 0,
          ewmaValue: null,
          isDrifting: false,
          driftDirection: null,
          componentsJson: '{}',
        }),
      ).rejects.toThrow(/cusumPos must be a finite number/u);
      expect(await s.repo.loadModelState(model)).toEqual(fullState(model, 'v1'));
    });

    it('stores drift alerts once per episode', async () => {
      const alert = (model: string, direction: 'up' | 'down', onset: string) => ({
        model,
        direction,
        onsetDate: d(onset),
        detectedDate: d('2024-06-10T00:00:00Z'),
        sizeSigma: 1.25,
        statistic: 'cusum' as const,
        acknowledged: false,
      });
      expect(await s.repo.saveDriftAlerts([alert(M2, 'up', '2024-06-01T00:00:00Z'), alert(M3, 'down', '2024-06-02T00:00:00Z')])).toBe(2);
      expect(await s.repo.saveDriftAlerts([alert(M2, 'up', '2024-06-01T00:00:00Z'), alert(M3, 'down', '2024-06-02T00:00:00Z')])).toBe(0);
      expect(await s.repo.saveDriftAlerts([alert(M2, 'up', '2024-06-01T00:00:00Z'), alert(M2, 'down', '2024-06-01T00:00:00Z')])).toBe(1);
      expect(await s.repo.saveDriftAlerts([])).toBe(0);
      const all = await s.repo.listDriftAlerts();
      expect(all).toHaveLength(3);
      expect(all[0]).toMatchObject({
        model: M2,
        direction: 'up',
        onsetDate: d('2024-06-01T00:00:00Z'),
        detectedDate: d('2024-06-10T00:00:00Z'),
        sizeSigma: 1.25,
        statistic: 'cusum',
        acknowledged: false,
      });
      expect((await s.repo.listDriftAlerts({ model: M2 })).map((a) => a.direction)).toEqual(['up', 'down']);
      await s.repo.acknowledgeDriftAlert(all[0]!.id!);
      expect((await s.repo.listDriftAlerts({ unacknowledgedOnly: true })).map((a) => a.id)).toEqual([all[1]!.id, all[2]!.id]);
      await expect(s.repo.acknowledgeDriftAlert(987654321)).rejects.toThrow(StorageError);
    });

    it('refuses non-finite alerts and track results, writing nothing of the call', async () => {
      const model = 'inf alert';
      const alert = (sizeSigma: number, onset = '2024-07-01T00:00:00Z') => ({
        model,
        direction: 'up' as const,
        onsetDate: d(onset),
        detectedDate: d('2024-07-09T00:00:00Z'),
        sizeSigma,
        statistic: 'both' as const,
        acknowledged: false,
      });
      for (const bad of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
        const err = await s.repo.saveDriftAlerts([alert(1.5), alert(bad, '2024-07-02T00:00:00Z')]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidInputError);
        expect((err as Error).message).toContain(`"${model}"`);
      }
      await expect(s.repo.saveDriftAlerts([{ ...alert(1.5), onsetDate: new Date(Number.NaN) }])).rejects.toThrow(
        /onsetDate must be a valid date/u,
      );
      expect(await s.repo.listDriftAlerts({ model })).toEqual([]);
      const [t] = (await collect(s.repo.readTracksForApply(M1))).flat();
      const write = {
        trackResultId: t!.trackResultId,
        sigmaPass: null,
        failureProbability: null,
        riskCategory: null,
        mlModelVersion: 'formula',
      };
      for (const bad of [Number.POSITIVE_INFINITY, Number.NaN, -Number.MAX_VALUE * 2]) {
        await expect(s.repo.writeTrackResults([{ ...write, sigmaThreshold: bad }])).rejects.toThrow(/sigmaThreshold must be finite/u);
      }
      await expect(s.repo.writeTrackResults([{ ...write, sigmaThreshold: 0.001, failureProbability: Number.NaN }])).rejects.toThrow(
        InvalidInputError,
      );
      expect(await s.readResult(t!.trackResultId)).toBeUndefined();
    });

    it("stores a model's alerts and its drift state together or not at all", async () => {
      const model = 'alert + state';
      const alert = (onset: string, sizeSigma = 2.5) => ({
        model,
        direction: 'down' as const,
        onsetDate: d(onset),
        detectedDate: d('2024-08-20T00:00:00Z'),
        sizeSigma,
        statistic: 'cusum' as const,
        acknowledged: false,
      });
      const drift = {
        cusumPos: 0,
        cusumNeg: 5.25,
        ewmaValue: -8.25,
        isDrifting: true,
        driftDirection: 'down' as const,
        componentsJson: '{"d":1}',
      };
      // No saved state: neither the alert nor the state is stored.
      await expect(saveDriftAlertsWithState(s.repo, [alert('2024-08-01T00:00:00Z')], { model, drift })).rejects.toThrow(StorageError);
      expect(await s.repo.listDriftAlerts({ model })).toEqual([]);
      await s.repo.saveModel(fullState(model, 'v1'), []);
      // An invalid state (or alert): nothing stored either.
      await expect(
        saveDriftAlertsWithState(s.repo, [alert('2024-08-01T00:00:00Z')], {
          model,
          drift: { ...drift, cusumNeg: Number.POSITIVE_INFINITY },
        }),
      ).rejects.toThrow(InvalidInputError);
      await expect(
        saveDriftAlertsWithState(s.repo, [alert('2024-08-01T00:00:00Z', Number.POSITIVE_INFINITY)], { model, drift }),
      ).rejects.toThrow(InvalidInputError);
      expect(await s.repo.listDriftAlerts({ model })).toEqual([]);
      expect(await s.repo.loadModelState(model)).toEqual(fullState(model, 'v1'));
      // Both, once per episode.
      expect(await saveDriftAlertsWithState(s.repo, [alert('2024-08-01T00:00:00Z')], { model, drift })).toBe(1);
      expect(await saveDriftAlertsWithState(s.repo, [alert('2024-08-01T00:00:00Z')], { model, drift: { ...drift, cusumNeg: 6 } })).toBe(0);
      expect(await s.repo.listDriftAlerts({ model })).toHaveLength(1);
      expect(await s.repo.loadModelState(model)).toMatchObject({ ...drift, cusumNeg: 6 });
    });

    it('lock: a second acquirer gets BusyError naming the holder; release frees it', async () => {
      const held = await s.repo.acquireLock('train', 'host-A (pid 1)');
      const err = await s.repo.acquireLock('train', 'host-B').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusyError);
      expect((err as BusyError).holder).toBe('host-A (pid 1)');
      expect((err as BusyError).message).toContain('host-A (pid 1)');
      const other = await s.repo.acquireLock('apply', 'host-B');
      await other.release();
      await held.release();
      await held.release(); // idempotent
      const again = await s.repo.acquireLock('train', 'host-B');
      await again.release();
    });
  });
}
