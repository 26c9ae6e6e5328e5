/**
 * Runs {@link trainModelCore} on worker threads (one model per worker at a time), or in this thread when the
 * concurrency is 1. Per-model training is CPU-bound (forests, bootstraps), so threads scale it with the cores while
 * the main thread keeps reading the next model from the database.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { InvalidInputError, reviveError, type SerializedError } from '../core/errors.js';
import { trainModelCore, type TrainModelInput, type TrainModelOutput } from './train-model.js';

/** Trains models, in workers or inline. */
export interface TrainRunner {
  readonly concurrency: number;
  run(input: TrainModelInput): Promise<TrainModelOutput>;
  close(): Promise<void>;
}

/**
 * Starts one of the library's worker bundles (`train-worker` or `score-worker`): the built sibling bundle, or, when
 * running from the TypeScript sources (tests, tsx), the .ts file through tsx.
 */
export function createLibraryWorker(name: 'train-worker' | 'score-worker'): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Node 20 does not apply `--import tsx` hooks to a worker's entry module; tsx's API loads it instead.
    const url = new URL(`./${name}.ts`, here).href;
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(url)}, ${JSON.stringify(url)}))`, { eval: true });
  }
  return new Worker(new URL(here.endsWith('.cjs') ? `./${name}.cjs` : `./${name}.js`, here));
}

interface Slot {
  worker: Worker;
  busy: boolean;
  dead: Error | null;
  /** Id of the task it runs. */
  task: number | null;
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
  const slots: Slot[] = [];
  const waiting: (() => void)[] = [];
  let nextId = 1;
  let closing = false;
  const pending = new Map<number, { resolve: (o: TrainModelOutput) => void; reject: (e: Error) => void }>();

  const spawn = (): Slot => {
    const worker = createLibraryWorker('train-worker');
    const slot: Slot = { worker, busy: false, dead: null, task: null };
    worker.on('message', (msg: { id: number; ok: boolean; output?: TrainModelOutput; error?: SerializedError }) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.output!);
      else p.reject(reviveError(msg.error!));
    });
    const fail = (err: Error): void => {
      // A dead worker fails its task loudly and is replaced by a new one for the next task.
      slot.dead = err;
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (slot.task !== null) {
        const p = pending.get(slot.task);
        pending.delete(slot.task);
        p?.reject(new Error(`A training worker thread stopped: ${err.message}`, { cause: err }));
      }
      waiting.shift()?.();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`exit code ${code}`));
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
          if (slot.dead) return reject(slot.dead);
          pending.set(id, { resolve, reject });
          slot.task = id;
          slot.worker.postMessage({ id, input });
        });
      } finally {
        slot.task = null;
        slot.busy = false;
        waiting.shift()?.();
      }
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
