/**
 * Worker-thread entry: trains one model per message with {@link trainModelCore} and posts the result back.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../core/errors.js';
import { trainModelCore, type TrainModelInput } from './train-model.js';

const port = parentPort;
if (port) {
  port.on('message', (msg: { id: number; input: TrainModelInput }) => {
    try {
      port.postMessage({ id: msg.id, ok: true, output: trainModelCore(msg.input) });
    } catch (e) {
      port.postMessage({ id: msg.id, ok: false, error: serializeError(e) });
    }
  });
}
