/**
 * Starts one of the library's worker bundles by name: the built sibling bundle (all bundles are written flat into
 * dist/, see tsup.config.ts), or, when running from the TypeScript sources (tests, tsx), the room's .ts file through
 * tsx. The name is a string, not an import, so runtime/ depends on no room.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';

/** The worker bundles and their sources, relative to this file. */
const SOURCES = {
  'train-worker': '../train/train-worker.ts',
  'score-worker': './score-worker.ts',
} as const;

/** A worker bundle of the library. */
export type LibraryWorkerName = keyof typeof SOURCES;

/** Starts the named worker bundle. */
export function createLibraryWorker(name: LibraryWorkerName): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Node 20 does not apply `--import tsx` hooks to a worker's entry module; tsx's API loads it instead.
    const url = new URL(SOURCES[name], here).href;
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(url)}, ${JSON.stringify(url)}))`, {
      eval: true,
    });
  }
  return new Worker(new URL(here.endsWith('.cjs') ? `./${name}.cjs` : `./${name}.js`, here));
}
