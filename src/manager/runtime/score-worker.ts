/**
 * Worker-thread entry for apply: holds parsed forests and scores feature matrices, so that forest prediction runs
 * beside the main thread's database reads and writes.
 *
 * Messages: `{ type: 'load', key, stateJson }` (a `ModelPredictorState` as JSON), `{ type: 'unload', key }` and
 * `{ type: 'score', id, key, data }` (row-major features, transferred) → `{ id, ok, probabilities }`.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { InvalidInputError, serializeError } from '../../core/errors.js';
import { ModelPredictor } from '../../predictor/model-predictor.js';
import type { ModelPredictorState } from '../../predictor/predictor-types.js';

const port = parentPort;
const predictors = new Map<string, ModelPredictor>();
const loadErrors = new Map<string, string>();
type Message =
  | { type: 'load'; key: string; stateJson: string }
  | { type: 'unload'; key: string }
  | { type: 'score'; id: number; key: string; data: Float64Array };

if (port) {
  port.on('message', (msg: Message) => {
    if (msg.type === 'unload') {
      predictors.delete(msg.key);
      loadErrors.delete(msg.key);
      return;
    }
    if (msg.type === 'load') {
      try {
        predictors.delete(msg.key);
        predictors.set(msg.key, ModelPredictor.fromState(JSON.parse(msg.stateJson) as ModelPredictorState));
        loadErrors.delete(msg.key);
      } catch (e) {
        // Reported with every score of this key: the main thread learns of it there.
        predictors.delete(msg.key);
        loadErrors.set(msg.key, e instanceof Error ? e.message : String(e));
      }
      return;
    }
    const predictor = predictors.get(msg.key);
    if (!predictor) {
      const why = loadErrors.get(msg.key) ?? 'it was never sent';
      port.postMessage({
        id: msg.id,
        ok: false,
        error: serializeError(
          new InvalidInputError(`The scoring worker could not load the forest ${JSON.stringify(msg.key)}: ${why}. Retrain the model.`),
        ),
      });
      return;
    }
    try {
      const probabilities = predictor.predictMany(msg.data);
      port.postMessage({ id: msg.id, ok: true, probabilities }, [probabilities.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ id: msg.id, ok: false, error: serializeError(e) });
    }
  });
}
