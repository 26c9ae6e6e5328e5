/**
 * A file-system artifact store laid out as the design's `data/ml_models/`: `<dir>/<kind>s/<model>.json`, e.g.
 * `data/ml_models/predictors/8340-1.json`.
 *
 * @module
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidInputError, StorageError } from '../../core/errors.js';
import type { ModelName } from '../../core/types.js';
import type { ArtifactStore } from './artifact-store.js';
import type { Artifact } from '../repository.js';

/**
 * Encodes a model (or kind) name into a safe file name: `encodeURIComponent`, then `.` → `%2E` and `*` → `%2A`, so no
 * name can be `.`/`..`, hide a file, contain a separator or a wildcard. Reversible with `decodeURIComponent`.
 * Note: on case-insensitive file systems (Windows, macOS) models differing only in case share a file.
 *
 * @example
 * ```ts
 * encodeFileName('O\'Neil/2 "x"'); // "O'Neil%2F2%20%22x%22"
 * encodeFileName('*');             // '%2A'
 * ```
 */
export function encodeFileName(name: string): string {
  if (name === '') throw new InvalidInputError('An artifact model or kind name must not be empty.');
  return encodeURIComponent(name).replace(/\./gu, '%2E').replace(/\*/gu, '%2A');
}

/** Reads one artifact file; `null` when there is none. */
async function readArtifact(file: string): Promise<Artifact | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(`Could not read artifact ${file}: ${(e as Error).message}.`, { cause: e });
  }
  const parsed = JSON.parse(text) as Partial<ArtifactFile>;
  const a = parsed.artifact;
  if (parsed.kind !== 'laser-trim-ml-artifact' || parsed.version !== 1 || a === undefined) {
    throw new StorageError(`${file} is not a laser-trim-ml artifact file (version 1); remove it and train again.`);
  }
  return { model: a.model, kind: a.kind, version: a.version, content: a.content, createdDate: new Date(a.createdDate) };
}

interface ArtifactFile {
  readonly kind: 'laser-trim-ml-artifact';
  readonly version: 1;
  readonly artifact: { model: string; kind: string; version: string; content: string; createdDate: string };
}

/**
 * Creates a file-system artifact store rooted at `dir`. Writes are atomic (a temporary file in the same directory,
 * then `rename`), so a reader never sees a half-written forest. Pass it to an adapter as `{ artifacts: store }`.
 * Files are not part of the database transaction: `saveModel` writes the files first, then the state. So that a
 * failed state write cannot leave the stored state pointing at a forest that is gone, the version a save replaces is
 * kept beside it as `<model>@<version>.json` (one previous version per model and kind) and `load` finds it by version.
 *
 * @example
 * ```ts
 * const repo = await createSqliteRepository({ file: 'plant.db' }, { artifacts: createFileArtifactStore('data/ml_models') });
 * ```
 */
export function createFileArtifactStore(dir: string): ArtifactStore {
  const pathOf = (model: ModelName, kind: string): { folder: string; file: string } => {
    const folder = join(dir, `${encodeFileName(kind)}s`);
    return { folder, file: join(folder, `${encodeFileName(model)}.json`) };
  };
  const archiveOf = (model: ModelName, kind: string, version: string): string =>
    join(dir, `${encodeFileName(kind)}s`, `${encodeFileName(model)}@${encodeFileName(version)}.json`);
  return {
    async save(a) {
      const { folder, file } = pathOf(a.model, a.kind);
      const body: ArtifactFile = {
        kind: 'laser-trim-ml-artifact',
        version: 1,
        artifact: { model: a.model, kind: a.kind, version: a.version, content: a.content, createdDate: new Date().toISOString() },
      };
      const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(folder, { recursive: true });
        const previous = await readArtifact(file);
        if (previous !== null && previous.version !== a.version) {
          // Keep the version being replaced (the stored state still names it until its transaction commits) and drop
          // older ones.
          const prefix = `${encodeFileName(a.model)}@`;
          for (const name of await readdir(folder)) if (name.startsWith(prefix)) await rm(join(folder, name), { force: true });
          await rename(file, archiveOf(a.model, a.kind, previous.version));
        }
        await writeFile(tmp, JSON.stringify(body));
        await rename(tmp, file);
      } catch (e) {
        throw new StorageError(`Could not write artifact ${file}: ${(e as Error).message}. Check the directory's permissions.`, { cause: e });
      }
    },
    async load(model, kind, version) {
      const { file } = pathOf(model, kind);
      const current = await readArtifact(file);
      if (current === null || version === undefined || current.version === version) return current;
      return readArtifact(archiveOf(model, kind, version));
    },
  };
}
