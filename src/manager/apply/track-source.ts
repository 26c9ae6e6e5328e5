/**
 * Where apply's per-model track readers come from: the repository's bulk read (`readManyTracksForApply`: one stream
 * over every model in apply order, small models read together, a group read ahead) or, for repositories without it,
 * one `readTracksForApply` per model.
 *
 * @module
 */
import type { ModelName, TrimTrack } from '../../core/types.js';
import type { MLRepository, ModelReadRequest, ModelTracksBatch } from '../../storage/repository.js';

/** A model's reader, and whether its first batch may be read right away (per-model reads are independent). */
export interface OpenedTracks {
  readonly reader: AsyncIterator<TrimTrack[]>;
  /** `false` for the shared stream: the reader must not pull before the previous model's reader is done. */
  readonly eager: boolean;
}

/** Opens the models' readers, in the order of `models`. */
export interface TrackSource {
  open(model: ModelName): OpenedTracks;
  /** Stops the stream (after an abort); idempotent. */
  close(): Promise<void>;
}

/** The track source for apply over `models` (in the order apply visits them). */
export function trackSource(repository: MLRepository, models: readonly ModelReadRequest[], batchSize: number): TrackSource {
  const perModel = (model: ModelName): AsyncIterator<TrimTrack[]> =>
    repository.readTracksForApply(model, { batchSize })[Symbol.asyncIterator]();
  if (repository.readManyTracksForApply === undefined) {
    return { open: (model) => ({ reader: perModel(model), eager: true }), close: async () => undefined };
  }
  return new SharedStream(repository.readManyTracksForApply(models, { batchSize }), models, perModel);
}

/**
 * The track source of an incremental apply: the models `pending` says are read with the repository's
 * `readUnappliedTracks` (only their tracks without a result), the others in full as {@link trackSource} reads them.
 * Each stream sees its models in the order of `models`.
 */
export function incrementalTrackSource(
  repository: MLRepository & Required<Pick<MLRepository, 'readUnappliedTracks'>>,
  models: readonly ModelReadRequest[],
  pending: (model: ModelName) => boolean,
  batchSize: number,
): TrackSource {
  const few = models.filter((m) => pending(m.model));
  const all = models.filter((m) => !pending(m.model));
  // If the shared stream fails, a pending model is read in full: its drift then sees old units and is replayed from
  // the baseline (apply.ts), and its rewritten tracks get the values they have.
  const perModel = (model: ModelName): AsyncIterator<TrimTrack[]> =>
    repository.readTracksForApply(model, { batchSize })[Symbol.asyncIterator]();
  const unapplied = new SharedStream(repository.readUnappliedTracks(few, { batchSize }), few, perModel);
  const full = trackSource(repository, all, batchSize);
  return {
    open: (model) => (pending(model) ? unapplied.open(model) : full.open(model)),
    close: async () => {
      await unapplied.close();
      await full.close();
    },
  };
}

/**
 * One bulk stream shared by the models' readers, which take their batches in turn: a reader skips the batches of
 * earlier models (those whose plan failed, so that no reader was opened). A model whose read failed gets its error;
 * if the stream itself fails, the model reading it fails with the error and every later model is read on its own.
 */
class SharedStream implements TrackSource {
  private readonly position: Map<ModelName, number>;
  private readonly stream: AsyncIterator<ModelTracksBatch>;
  private head: Promise<IteratorResult<ModelTracksBatch>> | null = null;
  private broken = false;

  constructor(
    stream: AsyncIterable<ModelTracksBatch>,
    models: readonly ModelReadRequest[],
    private readonly perModel: (model: ModelName) => AsyncIterator<TrimTrack[]>,
  ) {
    this.stream = stream[Symbol.asyncIterator]();
    this.position = new Map(models.map((m, i) => [m.model, i]));
  }

  open(model: ModelName): OpenedTracks {
    return { reader: this.tracksOf(model)[Symbol.asyncIterator](), eager: false };
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.stream.return?.();
  }

  private async *tracksOf(model: ModelName): AsyncGenerator<TrimTrack[]> {
    const at = this.position.get(model);
    if (at === undefined || this.broken) {
      yield* { [Symbol.asyncIterator]: () => this.perModel(model) };
      return;
    }
    for (;;) {
      let next: IteratorResult<ModelTracksBatch>;
      try {
        next = await (this.head ??= this.stream.next());
      } catch (error) {
        this.broken = true;
        throw error;
      }
      if (next.done) return;
      const batch = next.value;
      const position = this.position.get(batch.model) ?? -1;
      if (position > at) return; // nothing (left) of this model in the stream
      this.head = null;
      if (position < at) continue; // an earlier model's batch that no reader took
      if (batch.error !== undefined) throw batch.error; // this model's read failed; the stream goes on
      if (batch.tracks.length > 0) yield batch.tracks;
      if (batch.last) return;
    }
  }
}
