/**
 * Apply: writes thresholds, `sigma_pass`, failure probabilities and risk categories to every track in batches, and
 * replays drift detection over each model's records after its baseline. Every batch is one transaction, so an
 * interrupted apply leaves whole batches and a rerun completes the job.
 *
 * The work is a pipeline across models: while the scoring worker predicts batch k, the main thread reads and builds
 * the features of batch k + 1 (of the same or the next model) and writes batch k − 1. Most models are small (one
 * batch), so a per-model pipeline would leave the worker and the main thread waiting on each other.
 *
 * @module
 */
import { AbortedError, throwIfAborted } from '../../core/errors.js';
import { exclusionReason } from '../../core/features.js';
import type { ModelName, TrimTrack } from '../../core/types.js';
import type { TrackResultWrite } from '../../storage/repository.js';
import { BatchWriteError } from '../runtime/batch-writer.js';
import { DriftStateWriter } from '../runtime/drift-writer.js';
import { finishModel } from './drift-finish.js';
import { driftPointOf, ModelRun, trackResultOf, type AppliedModel, type ApplyContext, type ApplyPlan } from './plan.js';

/** One read batch on its way through the pipeline (or the end-of-model marker). */
interface Stage {
  readonly run: ModelRun;
  readonly batch: TrimTrack[] | null;
  readonly ok: Uint8Array | null;
  readonly scoring: Promise<Float64Array> | null;
}

/** Read batches kept in flight (read and scored ahead of the write). */
const PIPELINE_DEPTH = 4;

/**
 * Runs apply over the plans in order. `onModel` receives each model's result (or error) as soon as its last batch is
 * queued for writing and its drift is replayed. Throws on abort (the batches written so far are complete).
 */
// One function of ~125 lines on purpose: `consume`, `drain` and `open` share the in-flight stages, the look-ahead
// reader and the drift writer, and the `finally` below must see all of them to close them after an abort.
export async function applyPipeline(
  plans: AsyncIterable<ApplyPlan | { readonly model: ModelName; readonly error: unknown }>,
  ctx: ApplyContext,
  onModel: (model: ModelName, result: AppliedModel | { error: unknown }) => void,
): Promise<void> {
  const inflight: Stage[] = [];
  const driftUpdates: { model: ModelName; update: Promise<void> }[] = [];
  const driftWriter = new DriftStateWriter(ctx.repository);
  const consume = async (stage: Stage): Promise<void> => {
    const { run } = stage;
    if (stage.batch === null) {
      // End of the model.
      if (run.error !== null) return onModel(run.plan.model, { error: run.error });
      try {
        onModel(run.plan.model, await finishModel(run, ctx, driftWriter, driftUpdates));
      } catch (error) {
        // Aborted (by the caller, or by a lost lock): stop the run, not just this model.
        throwIfAborted(ctx.signal);
        if (error instanceof AbortedError) throw error;
        onModel(run.plan.model, { error });
      }
      return;
    }
    let probabilities: Float64Array | null = null;
    try {
      probabilities = stage.scoring ? await stage.scoring : null;
    } catch (error) {
      run.error ??= error;
    }
    if (run.error !== null) return;
    try {
      await ctx.writer.add(run.plan.model, resultsOf(run, stage.batch, probabilities, stage.ok, ctx));
    } catch (error) {
      if (!(error instanceof BatchWriteError)) throw error;
      // The batch's models fail: reported once, at this model's end (the caller fails the batch's other models).
      run.error = error;
    }
  };
  // Keep a few stages in flight: the worker scores them while this thread reads the next batches and writes older
  // ones (depth 1 left the worker idle while this thread wrote; measured on the 80k-track plant).
  const drain = async (keep: number): Promise<void> => {
    while (inflight.length > keep) await consume(inflight.shift()!);
  };
  // Look one model ahead: its plan is built and its first batch read while this model's batches are consumed, so on
  // engines with asynchronous I/O (PostgreSQL) that read overlaps this model's writes.
  type Opened =
    | { readonly plan: ApplyPlan; readonly reader: AsyncIterator<TrimTrack[]>; readonly first: Promise<IteratorResult<TrimTrack[]>> | null }
    | { readonly failed: { readonly model: ModelName; readonly error: unknown } };
  const planIterator = plans[Symbol.asyncIterator]();
  const open = async (): Promise<Opened | null> => {
    const next = await planIterator.next();
    if (next.done) return null;
    const plan = next.value;
    if ('error' in plan) return { failed: plan };
    const { reader, eager } = ctx.tracks.open(plan.model);
    // Per-model readers start now (their first read overlaps this model's work); a shared stream reads ahead itself.
    const first = eager ? reader.next() : null;
    first?.catch(() => undefined); // observed below
    return { plan, reader, first };
  };
  let ahead: Promise<Opened | null> = open();
  ahead.catch(() => undefined);
  let reading: AsyncIterator<TrimTrack[]> | null = null;
  try {
    for (;;) {
      const opened = await ahead;
      if (opened === null) break;
      throwIfAborted(ctx.signal);
      ahead = open();
      ahead.catch(() => undefined);
      if ('failed' in opened) {
        await drain(0);
        onModel(opened.failed.model, { error: opened.failed.error });
        continue;
      }
      const { plan } = opened;
      const run = new ModelRun(plan);
      reading = opened.reader;
      try {
        let r = await (opened.first ?? opened.reader.next());
        while (!r.done) {
          throwIfAborted(ctx.signal);
          const batch = r.value;
          const f = plan.scorer ? plan.scorer.features(batch) : null;
          const scoring = f && plan.scorer ? Promise.resolve(plan.scorer.predict(f.data)) : null;
          // Observed in consume(); this keeps a failure from being reported as unhandled meanwhile.
          scoring?.catch(() => undefined);
          inflight.push({ run, batch, ok: f ? f.ok : null, scoring });
          await drain(PIPELINE_DEPTH);
          r = await opened.reader.next();
        }
        reading = null;
      } catch (error) {
        // Aborted (by the caller, or by a lost lock) while reading: stop the run, not just this model.
        throwIfAborted(ctx.signal);
        if (error instanceof AbortedError) throw error;
        run.error ??= error;
      }
      inflight.push({ run, batch: null, ok: null, scoring: null });
      await drain(PIPELINE_DEPTH);
    }
    await drain(0);
    throwIfAborted(ctx.signal); // nothing more is written once the run is aborted (or its lock lost)
    driftWriter.flush();
    // A model whose drift row could not be updated fails (the caller replaces its earlier result).
    for (const { model, update } of driftUpdates) {
      try {
        await update;
      } catch (error) {
        onModel(model, { error });
      }
    }
  } finally {
    // Nothing may still be writing when this returns, also after an abort (what was still queued is dropped).
    driftWriter.discard();
    await Promise.allSettled(driftUpdates.map((d) => d.update));
    // After an abort or a failure the unscored stages are dropped (their scoring promises are already observed) and
    // open readers are closed.
    inflight.length = 0;
    await reading?.return?.();
    const pending = await ahead.catch(() => null);
    if (pending && 'reader' in pending) await pending.reader.return?.();
    await ctx.tracks.close();
  }
}

/** The rows apply writes for one batch (and the drift points it contributes). */
function resultsOf(
  run: ModelRun,
  batch: readonly TrimTrack[],
  probabilities: Float64Array | null,
  ok: Uint8Array | null,
  ctx: ApplyContext,
): TrackResultWrite[] {
  const plan = run.plan;
  const writes = new Array<TrackResultWrite>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const t = batch[i]!;
    const reason = exclusionReason(t);
    if (reason !== null) run.excluded[reason]++;
    if (plan.learnedThreshold !== null) run.learned++;
    else run.formula++;
    const raw = probabilities && ok && ok[i] ? probabilities[i]! : Number.NaN;
    const w = trackResultOf(plan, t, raw, ctx.formula, ctx.riskCutoffs, reason === null);
    if (w.failureProbability !== null) run.withProbability++;
    writes[i] = w;
    if (t.trimResultId > run.maxTrimResultId) run.maxTrimResultId = t.trimResultId;
    const point = driftPointOf(plan, t, reason === null);
    if (point !== null) run.driftPoints.push(point);
  }
  run.tracks += batch.length;
  return writes;
}
