/**
 * Runs {@link trainModelCore} on worker threads (one model per worker at a time), or in this thread when the
 * concurrency is 1. Per-model training is CPU-bound (forests, bootstraps), so threads scale it with the cores while
 * the main thread keeps reading the next model from the database.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { InsufficientDataError, InvalidInputError, LaserTrimMLError } from '../core/errors.js';
import { trainModelCore, type TrainModelInput, type TrainModelOutput } from './train-model.js';

/** Trains models, in workers or inline. */
export interface TrainRunner {
  readonly concurrency: number;
  run(input: TrainModelInput): Promise<TrainModelOutput>;
  close(): Promise<void>;
}

function workerEntry(): { url: URL; execArgv: string[] } {
  const here = import.meta.url;
  // From the TypeScript sources (tests, tsx): load the .ts worker through tsx. From the build: the sibling bundle.
  if (here.endsWith('.ts')) return { url: new URL('./train-worker.ts', here), execArgv: ['--import', 'tsx'] };
  return { url: new URL(here.endsWith('.cjs') ? './train-worker.cjs' : './train-worker.js', here), execArgv: [] };
}

function reviveError(e: { name: string; message: string; stack?: string; code?: string }): Error {
  let err: Error;
  if (e.code === 'INSUFFICIENT_DATA') err = new InsufficientDataError(e.message);
  else if (e.code === 'INVALID_INPUT') err = new InvalidInputError(e.message);
  else if (e.code) err = new LaserTrimMLError(e.code as LaserTrimMLError['code'], e.message);
  else err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

/** Creates a runner with `concurrency` workers (inline when 1). */
export function createTrainRunner(concurrency: number): TrainRunner {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidInputError(`concurrency must be a positive integer, got ${concurrency}.`);
  }
  if (concurrency === 1) {
    return {
      concurrency: 1,
      run: async (input) => trainModelCore(input),
      close: async () => {},
    };
  }
  const entry = workerEntry();
  const slots: Slot[] = [];
  const waiting: (() => void)[] = [];
  let nextId = 1;
  const pending = new Map<number, { resolve: (o: TrainModelOutput) => void; reject: (e: Error) => void }>();

  const spawn = (): Slot => {
    const worker = new Worker(entry.url, { execArgv: entry.execArgv });
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: { id: number; ok: boolean; output?: TrainModelOutput; error?: { name: string; message: string; stack?: string; code?: string } }) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.output!);
      else p.reject(reviveError(msg.error!));
    });
    worker.on('error', (err) => {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(err);
      }
    });
    return slot;
  };

  const acquire = async (): Promise<Slot> => {
    for (;;) {
      const free = slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      if (slots.length < concurrency) {
        const s = spawn();
        s.busy = true;
        slots.push(s);
        return s;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };

  return {
    concurrency,
    async run(input) {
      const slot = await acquire();
      try {
        const id = nextId++;
        return await new Promise<TrainModelOutput>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          slot.worker.postMessage({ id, input });
        });
      } finally {
        slot.busy = false;
        waiting.shift()?.();
      }
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
