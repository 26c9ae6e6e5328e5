/**
 * Worker-thread entry: trains one model per message with {@link trainModelCore} and posts the result back.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { trainModelCore, type TrainModelInput } from './train-model.js';

const port = parentPort;
if (port) {
  port.on('message', (msg: { id: number; input: TrainModelInput }) => {
    try {
      port.postMessage({ id: msg.id, ok: true, output: trainModelCore(msg.input) });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({
        id: msg.id,
        ok: false,
        error: { name: err.name, message: err.message, stack: err.stack, code: (err as { code?: string }).code },
      });
    }
  });
}
