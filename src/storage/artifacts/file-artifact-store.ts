/**
 * A file-system artifact store laid out as the design's `data/ml_models/`: `<dir>/<kind>s/<model>.json`, e.g.
 * `data/ml_models/predictors/8340-1.json`.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../../core/errors.js';
import type { ModelName } from '../../core/types.js';
import type { ArtifactStore } from './artifact-store.js';
import type { Artifact } from '../repository.js';

/** Longest readable part of an encoded name (bytes = characters: the encoding is ASCII). */
const MAX_READABLE = 120;

/** Device names Windows reserves in any case and with any extension (`con.json` is the console). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/iu;

/**
 * Encodes a model (or kind, or version) name into a file name that is safe on every file system a plant PC has:
 * `encodeURIComponent`, then `.` → `%2E`, `*` → `%2A` and `~` → `%7E`, so no name can be `.`/`..`, hide a file,
 * contain a separator or a wildcard. The result is pure ASCII. A `~` and 16 hex digits of the name's SHA-256 follow
 * when the readable part alone would not identify the name on every file system:
 * - it has upper-case letters (on a case-insensitive file system, Windows or macOS, `8340-A` and `8340-a` would
 *   otherwise share a file);
 * - it is longer than 120 characters (it is cut there, so that file names stay far below the 255-byte limit);
 * - it is a device name Windows reserves (`CON`, `nul`, `COM1`, ...);
 * - it is empty (model names are opaque strings, and a host's rows may carry an empty one): `~` and the hash alone.
 *
 * The file itself records the exact name, and the store checks it on every read.
 *
 * @example
 * ```ts
 * encodeFileName('8340-1');        // '8340-1'
 * encodeFileName('o\'neil/2 "x"'); // "o'neil%2F2%20%22x%22"
 * encodeFileName('8340-1A');       // '8340-1A~' + 16 hex digits of sha256('8340-1A')
 * encodeFileName('*');             // '%2A'
 * encodeFileName('');              // '~e3b0c44298fc1c14'
 * ```
 */
export function encodeFileName(name: string): string {
  const encoded = encodeURIComponent(name).replace(/\./gu, '%2E').replace(/\*/gu, '%2A').replace(/~/gu, '%7E');
  const long = encoded.length > MAX_READABLE;
  // Percent escapes are upper-case hex by construction, so only the letters outside escapes can differ in case.
  const upper = /[A-Z]/u.test(encoded.replace(/%[0-9A-F]{2}/gu, ''));
  if (!long && !upper && !WINDOWS_RESERVED.test(encoded) && encoded !== '') return encoded;
  // Cut the readable part at a character boundary (never inside a %XX escape).
  const cut = long ? encoded.slice(0, MAX_READABLE).replace(/%[0-9A-F]?$/u, '') : encoded;
  return `${cut}~${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16)}`;
}

interface ArtifactFile {
  readonly kind: 'laser-trim-ml-artifact';
  readonly version: 1;
  readonly artifact: { model: string; kind: string; version: string; content: string; createdDate: string };
}

/** The text of a file; `null` when there is none. */
async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(`Could not read artifact ${file}: ${(e as Error).message}.`, { cause: e });
  }
}

/** Parses an artifact file's text, checking it holds (model, kind). */
function parseArtifact(file: string, text: string, model: ModelName, kind: string): Artifact {
  let parsed: Partial<ArtifactFile>;
  try {
    parsed = JSON.parse(text) as Partial<ArtifactFile>;
  } catch (e) {
    throw new StorageError(`${file} is not valid JSON (${(e as Error).message}); remove it and train the model again.`, { cause: e });
  }
  const a = parsed.artifact;
  if (parsed.kind !== 'laser-trim-ml-artifact' || parsed.version !== 1 || a === undefined) {
    throw new StorageError(`${file} is not a laser-trim-ml artifact file (version 1); remove it and train the model again.`);
  }
  if (a.model !== model || a.kind !== kind) {
    throw new StorageError(
      `${file} holds the ${a.kind} of model ${JSON.stringify(a.model)}, not of ${JSON.stringify(model)}: the file was ` +
        'copied or renamed by hand. Remove it and train the model again.',
    );
  }
  return { model: a.model, kind: a.kind, version: a.version, content: a.content, createdDate: new Date(a.createdDate) };
}

/** Reads one artifact file, checking it holds (model, kind); `null` when there is none. */
async function readArtifact(file: string, model: ModelName, kind: string): Promise<Artifact | null> {
  const text = await readText(file);
  return text === null ? null : parseArtifact(file, text, model, kind);
}

/** Writes `text` to `file` durably: written and flushed to disk before the call returns. */
async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function writeError(file: string, e: unknown): StorageError {
  const code = (e as NodeJS.ErrnoException).code;
  const hint =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? ' Check that the directory exists and is writable by this process.'
      : code === 'ENOSPC' || code === 'EDQUOT'
        ? ' The disk is full: free some space and train again.'
        : '';
  return new StorageError(`Could not write artifact ${file}: ${(e as Error).message}.${hint}`, { cause: e });
}

/**
 * Creates a file-system artifact store rooted at `dir` (file names: `encodeFileName`). Pass it to an adapter
 * as `{ artifacts: store }`.
 *
 * A save is atomic and crash-safe: the new file is written and flushed under a temporary name, the version it
 * replaces is copied to `<model>@<version>.json`, and only then is the new file renamed over the current one, so the
 * current file is always a whole version (the old or the new) and never missing. Files are not part of the database
 * transaction: `saveModel` writes the files first, then the state; the kept previous version (one per model and
 * kind) is what a state write that failed after the files still names, and `load` finds it by version.
 *
 * @example
 * ```ts
 * const repo = await createSqliteRepository({ file: 'plant.db' }, { artifacts: createFileArtifactStore('data/ml_models') });
 * ```
 */
export function createFileArtifactStore(dir: string): ArtifactStore {
  const folderOf = (kind: string): string => join(dir, `${encodeFileName(kind)}s`);
  const currentOf = (model: ModelName, kind: string): string => join(folderOf(kind), `${encodeFileName(model)}.json`);
  const archiveOf = (model: ModelName, kind: string, version: string): string =>
    join(folderOf(kind), `${encodeFileName(model)}@${encodeFileName(version)}.json`);
  const tempOf = (file: string): string => `${file}.${randomBytes(6).toString('hex')}.tmp`;
  return {
    async save(a) {
      const folder = folderOf(a.kind);
      const file = currentOf(a.model, a.kind);
      const body: ArtifactFile = {
        kind: 'laser-trim-ml-artifact',
        version: 1,
        artifact: { model: a.model, kind: a.kind, version: a.version, content: a.content, createdDate: new Date().toISOString() },
      };
      const temps: string[] = [];
      try {
        await mkdir(folder, { recursive: true });
        const tmp = tempOf(file);
        temps.push(tmp);
        await writeDurably(tmp, JSON.stringify(body));
        const previous = await readText(file);
        const previousVersion = previous === null ? a.version : parseArtifact(file, previous, a.model, a.kind).version;
        if (previous !== null && previousVersion !== a.version) {
          // Keep the version being replaced (the stored state names it until its transaction commits): a copy, so
          // that the current file never disappears; then drop older kept versions.
          const archive = archiveOf(a.model, a.kind, previousVersion);
          const archiveTmp = tempOf(archive);
          temps.push(archiveTmp);
          await writeDurably(archiveTmp, previous);
          await rename(archiveTmp, archive);
          const prefix = `${encodeFileName(a.model)}@`;
          const keep = archive.slice(folder.length + 1);
          for (const name of await readdir(folder)) {
            if (name.startsWith(prefix) && name.endsWith('.json') && name !== keep) await rm(join(folder, name), { force: true });
          }
        }
        await rename(tmp, file);
      } catch (e) {
        // Best effort: a temporary file that cannot be removed either is harmless (never read); the error that
        // stopped the save is the one to report.
        await Promise.all(temps.map((t) => rm(t, { force: true }).catch(() => undefined)));
        if (e instanceof StorageError) throw e;
        throw writeError(file, e);
      }
    },
    async load(model, kind, version) {
      const current = await readArtifact(currentOf(model, kind), model, kind);
      if (version === undefined || current?.version === version) return current;
      return readArtifact(archiveOf(model, kind, version), model, kind);
    },
  };
}
