/**
 * The in-memory repository: a complete {@link MLRepository} + {@link HostDataWriter} over plain arrays and maps.
 *
 * It is both the test double and **the worked example for a custom adapter**: each method below is what your
 * adapter must do, in the simplest form. The comments say which contract rule each step honours.
 *
 * @module
 */
import { BusyError, StorageError } from '../../core/errors.js';
import type { ModelName, ModelSummary, TrainingRecord, TrimTrack } from '../../core/types.js';
import type {
  Artifact,
  DriftAlert,
  DriftStateUpdate,
  HostDataWriter,
  LockHandle,
  MLRepository,
  ModelMLState,
  TrackResultWrite,
} from '../repository.js';
import {
  batchSizeOf,
  noSavedStateError,
  validateDriftAlerts,
  validateDriftUpdates,
  validateModelState,
  validateTrackResults,
  type FinalTestLinking,
} from '../options.js';
import { MemoryHostData, type StoredTrackResults } from './memory-host-data.js';

/** Options of {@link createMemoryRepository}. */
export interface MemoryRepositoryOptions {
  /** How Final Test tracks are linked to trim tracks. Default `linkedTrimId`. */
  readonly finalTestLinking?: FinalTestLinking;
}

/** The in-memory repository, with read access to the written results (for tests and demos). */
export interface MemoryRepository extends MLRepository, HostDataWriter {
  /** The result columns apply wrote to a track, or `undefined` if none were written. */
  trackResults(trackResultId: number): StoredTrackResults | undefined;
}

/**
 * Creates an empty in-memory repository. Nothing is persisted; everything is lost with the process.
 *
 * @example
 * ```ts
 * const repo = createMemoryRepository();
 * const [trimId] = await repo.insertTrimRuns([{ model: '8340-1', serial: 'A1', fileDate: new Date(), system: 'B', tracks: [] }]);
 * console.log(await repo.listModels());
 * ```
 */
export function createMemoryRepository(options: MemoryRepositoryOptions = {}): MemoryRepository {
  const host = new MemoryHostData(options.finalTestLinking ?? 'linkedTrimId');
  const states = new Map<ModelName, ModelMLState>();
  const artifacts: Artifact[] = [];
  const alerts: DriftAlert[] = [];
  const locks = new Map<string, string>();
  let nextAlertId = 1;
  /** Stores an artifact, replacing the previous one of the same (model, kind). */
  const putArtifact = (a: Omit<Artifact, 'createdDate'>, now: Date): void => {
    const at = artifacts.findIndex((x) => x.model === a.model && x.kind === a.kind);
    if (at >= 0) artifacts.splice(at, 1);
    artifacts.push({ ...a, createdDate: now });
  };

  /** Adds the alerts of new episodes; returns how many were new. */
  const addAlerts = (newAlerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[]): number => {
    let added = 0;
    const now = new Date();
    for (const a of newAlerts) {
      const dup = alerts.some((x) => x.model === a.model && x.direction === a.direction && x.onsetDate.getTime() === a.onsetDate.getTime());
      if (dup) continue;
      alerts.push({ ...a, id: nextAlertId++, onsetDate: new Date(a.onsetDate), detectedDate: new Date(a.detectedDate), createdDate: now });
      added++;
    }
    return added;
  };

  /** All or nothing: every update is checked before anything changes. */
  const updateDrift = async (updates: readonly DriftStateUpdate[]): Promise<void> => {
    const missing = [...validateDriftUpdates(updates)].filter((m) => !states.has(m));
    if (missing.length > 0) throw noSavedStateError(missing);
    const now = new Date();
    for (const { model, drift } of updates) states.set(model, { ...states.get(model)!, ...drift, updatedDate: now });
  };

  return {
    insertTrimRuns: async (runs) => host.insertTrimRuns(runs),
    insertFinalTests: async (tests) => host.insertFinalTests(tests),
    trackResults: (id) => host.results.get(id),

    async listModels(): Promise<ModelSummary[]> {
      const linked = host.outcomes();
      const byModel = new Map<ModelName, { trimTracks: number; finalTestLinked: number; first: Date; last: Date }>();
      for (const t of host.tracks.values()) {
        const s = byModel.get(t.model);
        const isLinked = linked.has(t.trackResultId) ? 1 : 0;
        if (s === undefined) {
          byModel.set(t.model, { trimTracks: 1, finalTestLinked: isLinked, first: t.fileDate, last: t.fileDate });
        } else {
          s.trimTracks++;
          s.finalTestLinked += isLinked;
          if (t.fileDate < s.first) s.first = t.fileDate;
          if (t.fileDate > s.last) s.last = t.fileDate;
        }
      }
      // Contract: sorted by model name, by UTF-16 code units (the same order on every engine).
      return [...byModel.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([model, s]) => ({
          model,
          trimTracks: s.trimTracks,
          finalTestLinked: s.finalTestLinked,
          firstDate: new Date(s.first),
          lastDate: new Date(s.last),
        }));
    },

    async *readTrainingRecords(model, opts = {}): AsyncIterable<TrainingRecord[]> {
      const size = batchSizeOf(opts.batchSize);
      const outcomes = host.outcomes();
      // Contract: ordered by fileDate, then trackResultId.
      const rows = host
        .tracksOf(model)
        .filter((t) => opts.after === undefined || t.fileDate > opts.after)
        .sort((a, b) => a.fileDate.getTime() - b.fileDate.getTime() || a.trackResultId - b.trackResultId);
      for (let i = 0; i < rows.length; i += size) {
        yield rows.slice(i, i + size).map((t) => ({ ...copyTrack(t), finalTest: outcomes.get(t.trackResultId) ?? null }));
      }
    },

    async *readTracksForApply(model, opts = {}): AsyncIterable<TrimTrack[]> {
      const size = batchSizeOf(opts.batchSize);
      const after = opts.afterTrackResultId ?? Number.NEGATIVE_INFINITY;
      // Contract: trackResultId order, resumable after a given id.
      const rows = host
        .tracksOf(model)
        .filter((t) => t.trackResultId > after)
        .sort((a, b) => a.trackResultId - b.trackResultId);
      for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size).map(copyTrack);
    },

    async listModelsWithUnappliedTracks() {
      const counts = new Map<ModelName, number>();
      for (const t of host.tracks.values()) if (!host.results.has(t.trackResultId)) counts.set(t.model, (counts.get(t.model) ?? 0) + 1);
      // Contract: sorted by model name, by UTF-16 code units.
      return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([model, trimTracks]) => ({ model, trimTracks }));
    },

    async *readUnappliedTracks(models, opts = {}) {
      const size = batchSizeOf(opts.batchSize);
      // Contract: the models in the order asked, each model's tracks without a result in trackResultId order, its
      // batches consecutive and its last one marked (one empty batch for a model without such tracks).
      for (const { model } of models) {
        const rows = host
          .tracksOf(model)
          .filter((t) => !host.results.has(t.trackResultId))
          .sort((a, b) => a.trackResultId - b.trackResultId);
        if (rows.length === 0) yield { model, tracks: [], last: true };
        for (let i = 0; i < rows.length; i += size)
          yield { model, tracks: rows.slice(i, i + size).map(copyTrack), last: i + size >= rows.length };
      }
    },

    async writeTrackResults(batch: readonly TrackResultWrite[]): Promise<void> {
      // Contract: one transaction. Validate everything first, then write: a failing batch writes nothing.
      validateTrackResults(batch);
      const missing = batch.find((r) => !host.tracks.has(r.trackResultId));
      if (missing !== undefined) {
        throw new StorageError(`Track result ${missing.trackResultId} does not exist; nothing of this batch was written.`);
      }
      for (const r of batch) {
        host.results.set(r.trackResultId, {
          sigmaThreshold: r.sigmaThreshold,
          sigmaPass: r.sigmaPass,
          failureProbability: r.failureProbability,
          riskCategory: r.riskCategory,
          mlModelVersion: r.mlModelVersion,
        });
      }
    },

    async saveModel(state, newArtifacts): Promise<void> {
      validateModelState(state.model, state);
      const now = new Date();
      // Contract: the state is stored exactly as given (every column round-trips), replacing the previous one.
      states.set(state.model, copyState(state));
      for (const a of newArtifacts) putArtifact(a, now);
    },

    async saveArtifact(artifact): Promise<void> {
      putArtifact(artifact, new Date());
    },

    updateDriftState: (model, drift) => updateDrift([{ model, drift }]),
    updateDriftStates: (updates) => updateDrift(updates),

    async loadModelState(model) {
      const s = states.get(model);
      return s === undefined ? null : copyState(s);
    },

    async listModelStates() {
      return [...states.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0)).map(copyState);
    },

    async loadArtifact(model, kind, version) {
      const a = artifacts.find((x) => x.model === model && x.kind === kind && (version === undefined || x.version === version));
      return a === undefined ? null : { ...a, createdDate: new Date(a.createdDate) };
    },

    async saveDriftAlerts(newAlerts): Promise<number> {
      // Contract: validated before anything is stored; one alert per (model, direction, onsetDate); re-saving the same
      // episode adds nothing.
      validateDriftAlerts(newAlerts);
      return addAlerts(newAlerts);
    },

    async saveDriftAlertsAndState(newAlerts, update): Promise<number> {
      // Contract: both or neither. Everything that can fail is checked before anything changes.
      validateDriftAlerts(newAlerts);
      const missing = [...validateDriftUpdates([update])].filter((m) => !states.has(m));
      if (missing.length > 0) throw noSavedStateError(missing);
      const added = addAlerts(newAlerts);
      await updateDrift([update]);
      return added;
    },

    async listDriftAlerts(filter = {}) {
      return alerts
        .filter((a) => (filter.model === undefined || a.model === filter.model) && !(filter.unacknowledgedOnly && a.acknowledged))
        .map((a) => ({ ...a }));
    },

    async acknowledgeDriftAlert(id) {
      const at = alerts.findIndex((a) => a.id === id);
      const a = alerts[at];
      if (a === undefined) throw new StorageError(`No drift alert with id ${id}.`);
      alerts[at] = { ...a, acknowledged: true };
    },

    async acquireLock(name, owner): Promise<LockHandle> {
      // Contract: a second acquirer gets BusyError naming the holder.
      const holder = locks.get(name);
      if (holder !== undefined) {
        throw new BusyError(`The ${name} lock is held by "${holder}"; wait for it to finish and try again.`, holder);
      }
      locks.set(name, owner);
      let released = false;
      return {
        release: async () => {
          if (!released && locks.get(name) === owner) locks.delete(name);
          released = true;
        },
      };
    },

    async close() {
      // Nothing to release: the memory repository opens no connections.
    },
  };
}

function copyTrack(t: TrimTrack): TrimTrack {
  return { ...t, fileDate: new Date(t.fileDate) };
}

function copyState(s: ModelMLState): ModelMLState {
  return {
    ...s,
    trainingDate: s.trainingDate === null ? null : new Date(s.trainingDate),
    featureImportance: s.featureImportance === null ? null : { ...s.featureImportance },
    createdDate: new Date(s.createdDate),
    updatedDate: new Date(s.updatedDate),
  };
}
