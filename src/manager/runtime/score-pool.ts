/**
 * A scoring worker for apply: forest prediction runs in a worker thread while the main thread reads and writes the
 * database, so the two overlap. With `concurrency: 1` (or for single lookups) prediction runs in this thread.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { reviveError, type SerializedError } from '../../core/errors.js';
import { createLibraryWorker } from './library-worker.js';

/** Predicts probabilities of a feature matrix for a named forest. */
export interface RemoteScorer {
  /** Sends a forest (its `ModelPredictorState` JSON) under `key`, once per key; a pinned one is never evicted. */
  ensureLoaded(key: string, stateJson: () => string, pinned?: boolean): void;
  /** Scores a row-major matrix (the buffer is transferred: do not reuse it). */
  score(key: string, data: Float64Array): Promise<Float64Array>;
  close(): Promise<void>;
}

/** Per-model forests kept parsed in the scoring worker, besides the pinned ones (the pooled forest). */
const MAX_LOADED = 8;

/** Starts one scoring worker. */
export function createRemoteScorer(): RemoteScorer {
  const worker: Worker = createLibraryWorker('score-worker');
  // Keys the worker holds, least recently used first; the main thread decides evictions so both sides agree.
  const loaded = new Set<string>();
  const pins = new Set<string>();
  const pending = new Map<number, { resolve: (p: Float64Array) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | null = null;
  let closing = false;
  const failAll = (err: Error): void => {
    dead = err;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(err);
    }
  };
  worker.on('message', (m: { id: number; ok: boolean; probabilities?: Float64Array; error?: SerializedError }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.probabilities!);
    else p.reject(reviveError(m.error!));
  });
  worker.on('error', (e) => failAll(new Error(`The scoring worker thread failed: ${e.message}`, { cause: e })));
  worker.on('exit', (code) => {
    if (!closing) failAll(new Error(`The scoring worker thread stopped (exit code ${code}).`));
  });
  return {
    ensureLoaded(key, stateJson, pinned = false) {
      if (loaded.has(key)) {
        loaded.delete(key);
        loaded.add(key);
        return;
      }
      worker.postMessage({ type: 'load', key, stateJson: stateJson() });
      loaded.add(key);
      if (pinned) pins.add(key);
      while (loaded.size > MAX_LOADED + pins.size) {
        const oldest = [...loaded].find((k) => !pins.has(k));
        if (oldest === undefined) break;
        loaded.delete(oldest);
        worker.postMessage({ type: 'unload', key: oldest });
      }
    },
    score(key, data) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'score', id, key, data }, [data.buffer as ArrayBuffer]);
      });
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
}
