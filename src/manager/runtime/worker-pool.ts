/**
 * A pool of library worker threads that run one task each at a time, or the task inline when the concurrency is 1.
 * Per-model training is CPU-bound (forests, bootstraps), so threads scale it with the cores while the main thread
 * keeps reading the next model from the database.
 *
 * The pool does not queue: its caller limits the tasks in flight to `concurrency` ({@link runLimited}), the manager's
 * one scheduler, and a task beyond that is a bug, reported as such.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { InvalidInputError, reviveError, type SerializedError } from '../../core/errors.js';
import { createLibraryWorker, type LibraryWorkerName } from './library-worker.js';

/** Runs tasks in workers or inline. */
export interface WorkerPool<I, O> {
  readonly concurrency: number;
  run(input: I): Promise<O>;
  close(): Promise<void>;
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
  dead: Error | null;
  /** Id of the task it runs. */
  task: number | null;
}

/**
 * Creates a pool of `concurrency` workers of the bundle `worker` (which answers `{ id, input }` with
 * `{ id, ok, output | error }`), or one that calls `inline` in this thread when `concurrency` is 1.
 */
export function createWorkerPool<I, O>(a: {
  worker: LibraryWorkerName;
  concurrency: number;
  inline: (input: I) => O;
  what: string;
}): WorkerPool<I, O> {
  const { concurrency } = a;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidInputError(`concurrency must be a positive integer, got ${concurrency}.`);
  }
  if (concurrency === 1) {
    return { concurrency: 1, run: async (input) => a.inline(input), close: async () => {} };
  }
  const slots: Slot[] = [];
  let nextId = 1;
  let closing = false;
  const pending = new Map<number, { resolve: (o: O) => void; reject: (e: Error) => void }>();

  const spawn = (): Slot => {
    const worker = createLibraryWorker(a.worker);
    const slot: Slot = { worker, busy: false, dead: null, task: null };
    worker.on('message', (msg: { id: number; ok: boolean; output?: O; error?: SerializedError }) => {
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
        p?.reject(new Error(`A ${a.what} worker thread stopped: ${err.message}`, { cause: err }));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`exit code ${code}`));
    });
    return slot;
  };

  const acquire = (): Slot => {
    const free = slots.find((s) => !s.busy);
    const slot = free ?? (slots.length < concurrency ? spawn() : null);
    if (slot === null) throw new Error(`Internal error: more than ${concurrency} ${a.what} tasks in flight (the caller must limit them).`);
    if (!free) slots.push(slot);
    slot.busy = true;
    return slot;
  };

  return {
    concurrency,
    async run(input) {
      const slot = acquire();
      try {
        const id = nextId++;
        return await new Promise<O>((resolve, reject) => {
          if (slot.dead) return reject(slot.dead);
          pending.set(id, { resolve, reject });
          slot.task = id;
          slot.worker.postMessage({ id, input });
        });
      } finally {
        slot.task = null;
        slot.busy = false;
      }
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
