/**
 * Where the Kysely adapters keep artifacts (the forest JSON): the `ml_artifacts` table by default, or any
 * {@link ArtifactStore} such as {@link createFileArtifactStore}.
 *
 * @module
 */
import type { Artifact } from '../repository.js';
import type { ModelName } from '../../core/types.js';

/** A place for artifacts, one per (model, kind); saving replaces the previous one. */
export interface ArtifactStore {
  save(artifact: Omit<Artifact, 'createdDate'>): Promise<void>;
  /** The artifact of that (model, kind), or `null`; with `version`, only if it is that version. */
  load(model: ModelName, kind: string, version?: string): Promise<Artifact | null>;
}
