/**
 * `JsonFileRepository`: a complete, small `MLRepository` + `HostDataWriter` for examples/custom-repository.ts.
 *
 * The whole plant (tracks, Final Tests, results, model states, artifacts, alerts) is one plain object, saved to a JSON
 * file at the end of every write method, atomically (temp file + rename: a batch is saved whole or not at all; if
 * saving throws, open the file again, as memory may hold the unsaved batch).
 * Final Test records are linked to trims only through `linkedTrimId` and the same track id (use `linkFinalTests`
 * from 'laser-trim-ml' to also match by serial). Locks are in-process: one process per file.
 * Fine for thousands of tracks; a real adapter for millions streams from a database instead.
 * The optional bulk read `readManyTrainingRecords` is left out: train-all then reads model by model through
 * `readTrainingRecords` (a database adapter implements it to read many small models per query).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  BusyError,
  StorageError,
  type Artifact,
  type DriftAlert,
  type FinalTestOutcome,
  type HostDataWriter,
  type HostFinalTestInput,
  type HostTrimRunInput,
  type LockHandle,
  type MLRepository,
  type ModelMLState,
  type ModelName,
  type ModelSummary,
  type TrackResultWrite,
  type TrainingRecord,
  type TrimTrack,
} from 'laser-trim-ml';

type FinalTestTrack = FinalTestOutcome & { trackId: string; linkedTrimId: number | null };
interface Store {
  nextId: number;
  tracks: TrimTrack[];
  finalTests: FinalTestTrack[];
  results: Record<number, TrackResultWrite>;
  states: Record<ModelName, ModelMLState>;
  artifacts: Artifact[];
  alerts: DriftAlert[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Yields `rows` in slices of `size` (the contract's batched reads). */
function* batches<T>(rows: T[], size = 5_000): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
/** JSON has no dates: every field whose name ends in `Date` is revived. */
const reviveDates = (key: string, v: unknown): unknown => (key.endsWith('Date') && typeof v === 'string' ? new Date(v) : v);

/** An {@link MLRepository} over one JSON file. */
export class JsonFileRepository implements MLRepository, HostDataWriter {
  private readonly data: Store;
  private readonly locks = new Map<string, string>();

  constructor(private readonly file: string) {
    this.data = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8'), reviveDates) as Store)
      : { nextId: 1, tracks: [], finalTests: [], results: {}, states: {}, artifacts: [], alerts: [] };
  }

  /** Saves everything atomically; called at the end of every write method (one "transaction"). */
  private commit(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.data));
    renameSync(`${this.file}.tmp`, this.file);
  }

  /** trackResultId → its newest linked Final Test outcome (same trim run and track id). */
  private outcomes(): Map<number, FinalTestOutcome> {
    const newest = new Map<string, FinalTestTrack>();
    for (const f of this.data.finalTests) {
      const key = `${f.linkedTrimId}|${f.trackId}`;
      const prev = newest.get(key);
      if (f.linkedTrimId !== null && (!prev || f.testDate > prev.testDate)) newest.set(key, f);
    }
    const out = new Map<number, FinalTestOutcome>();
    for (const t of this.data.tracks) {
      const f = newest.get(`${t.trimResultId}|${t.trackId}`);
      if (f)
        out.set(t.trackResultId, {
          finalTestId: f.finalTestId,
          testDate: f.testDate,
          linearityPass: f.linearityPass,
          failPoints: f.failPoints,
          linearityError: f.linearityError,
        });
    }
    return out;
  }

  async insertTrimRuns(runs: readonly HostTrimRunInput[]): Promise<number[]> {
    const ids = runs.map(({ tracks, system: _system, ...run }) => {
      const trimResultId = this.data.nextId++;
      for (const t of tracks) this.data.tracks.push({ ...t, ...run, trimResultId, trackResultId: this.data.nextId++ });
      return trimResultId;
    });
    this.commit();
    return ids;
  }

  async insertFinalTests(tests: readonly HostFinalTestInput[]): Promise<void> {
    for (const t of tests) {
      for (const k of t.tracks)
        this.data.finalTests.push({ ...k, finalTestId: this.data.nextId++, testDate: t.testDate, linkedTrimId: t.linkedTrimId });
    }
    this.commit();
  }

  async listModels(): Promise<ModelSummary[]> {
    const linked = this.outcomes();
    const models = new Map<ModelName, { trimTracks: number; finalTestLinked: number; firstDate: Date; lastDate: Date }>();
    for (const t of this.data.tracks) {
      const isLinked = linked.has(t.trackResultId) ? 1 : 0;
      const s = models.get(t.model);
      if (!s) models.set(t.model, { trimTracks: 1, finalTestLinked: isLinked, firstDate: t.fileDate, lastDate: t.fileDate });
      else {
        s.trimTracks++;
        s.finalTestLinked += isLinked;
        if (t.fileDate < s.firstDate) s.firstDate = t.fileDate;
        if (t.fileDate > s.lastDate) s.lastDate = t.fileDate;
      }
    }
    return [...models].map(([model, s]) => ({ model, ...s })).sort((a, b) => byName(a.model, b.model));
  }

  async *readTrainingRecords(model: ModelName, o: { batchSize?: number; after?: Date } = {}): AsyncIterable<TrainingRecord[]> {
    const outcomes = this.outcomes();
    const rows = this.data.tracks
      .filter((t) => t.model === model && (o.after === undefined || t.fileDate > o.after))
      .sort((a, b) => a.fileDate.getTime() - b.fileDate.getTime() || a.trackResultId - b.trackResultId)
      .map((t) => ({ ...t, finalTest: outcomes.get(t.trackResultId) ?? null }));
    yield* batches(rows, o.batchSize);
  }

  async *readTracksForApply(model: ModelName, o: { batchSize?: number; afterTrackResultId?: number } = {}): AsyncIterable<TrimTrack[]> {
    const rows = this.data.tracks.filter((t) => t.model === model && t.trackResultId > (o.afterTrackResultId ?? 0));
    yield* batches(
      rows.sort((a, b) => a.trackResultId - b.trackResultId),
      o.batchSize,
    );
  }

  async writeTrackResults(batch: readonly TrackResultWrite[]): Promise<void> {
    // Check the whole batch before changing anything: a bad batch writes nothing.
    const known = new Set(this.data.tracks.map((t) => t.trackResultId));
    const bad = batch.find((r) => !known.has(r.trackResultId));
    if (bad) throw new StorageError(`Track ${bad.trackResultId} does not exist; nothing of this batch was written.`);
    for (const r of batch) this.data.results[r.trackResultId] = r;
    this.commit();
  }

  /** The results apply wrote for a track (not part of the interface: for this example's output). */
  resultOf(trackResultId: number): TrackResultWrite | undefined {
    return this.data.results[trackResultId];
  }

  async saveModel(state: ModelMLState, artifacts: readonly Omit<Artifact, 'createdDate'>[]): Promise<void> {
    this.data.states[state.model] = state;
    for (const a of artifacts) this.putArtifact(a);
    this.commit();
  }

  async saveArtifact(artifact: Omit<Artifact, 'createdDate'>): Promise<void> {
    this.putArtifact(artifact);
    this.commit();
  }

  private putArtifact(a: Omit<Artifact, 'createdDate'>): void {
    this.data.artifacts = this.data.artifacts.filter((x) => !(x.model === a.model && x.kind === a.kind));
    this.data.artifacts.push({ ...a, createdDate: new Date() });
  }

  async updateDriftState(model: ModelName, drift: Parameters<MLRepository['updateDriftState']>[1]): Promise<void> {
    const s = this.data.states[model];
    if (!s) throw new StorageError(`No saved state for model ${model}: train it first.`);
    this.data.states[model] = { ...s, ...drift, updatedDate: new Date() };
    this.commit();
  }

  async loadModelState(model: ModelName): Promise<ModelMLState | null> {
    return this.data.states[model] ?? null;
  }

  async listModelStates(): Promise<ModelMLState[]> {
    return Object.values(this.data.states).sort((a, b) => byName(a.model, b.model));
  }

  async loadArtifact(model: ModelName, kind: string, version?: string): Promise<Artifact | null> {
    return (
      this.data.artifacts.find((a) => a.model === model && a.kind === kind && (version === undefined || a.version === version)) ?? null
    );
  }

  async saveDriftAlerts(alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[]): Promise<number> {
    const fresh = alerts.filter(
      (a) =>
        !this.data.alerts.some(
          (x) => x.model === a.model && x.direction === a.direction && x.onsetDate.getTime() === a.onsetDate.getTime(),
        ),
    );
    for (const a of fresh) this.data.alerts.push({ ...a, id: this.data.alerts.length + 1, createdDate: new Date() });
    this.commit();
    return fresh.length;
  }

  async listDriftAlerts(f: { model?: ModelName; unacknowledgedOnly?: boolean } = {}): Promise<DriftAlert[]> {
    return this.data.alerts.filter((a) => (f.model === undefined || a.model === f.model) && !(f.unacknowledgedOnly && a.acknowledged));
  }

  async acknowledgeDriftAlert(id: number): Promise<void> {
    this.data.alerts = this.data.alerts.map((a) => (a.id === id ? { ...a, acknowledged: true } : a));
    this.commit();
  }

  async acquireLock(name: 'train' | 'apply', owner: string): Promise<LockHandle> {
    const holder = this.locks.get(name);
    if (holder !== undefined) throw new BusyError(`The ${name} lock is held by "${holder}"; try again when it finishes.`, holder);
    this.locks.set(name, owner);
    let held = true;
    return {
      release: async () => {
        if (held && this.locks.get(name) === owner) this.locks.delete(name);
        held = false;
      },
    };
  }

  async close(): Promise<void> {}
}
