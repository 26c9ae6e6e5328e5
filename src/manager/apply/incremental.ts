/**
 * Incremental apply (`applyToDatabase({ only: 'pending' })`): which models can be continued from their stored state,
 * and the apply journal that says so.
 *
 * A model is continued (only its tracks without a result are read, scored and written, its drift charts continued
 * from the stored detector state over the new units) when the result is then the same as a full apply's:
 * - its last apply ran with the model's current state version (the journal's `applied`), so every track with a
 *   result has this version's values and a track without one is a new track;
 * - that apply completed (the model is not in the journal's `dirty` set: a run marks its models dirty before it
 *   writes anything and clears each one whose results and drift state were all written, so a crash or a failed
 *   batch leaves the model to be applied in full);
 * - it has its stored drift state and where it stands (`driftCurrent`, `driftThrough`), when it has drift at all.
 * The late-unit check (a new unit not after the last charted one) runs once the new tracks are read (apply.ts).
 *
 * The journal is one artifact of model `*`, kind `apply_journal`.
 *
 * @module
 */
import type { ModelName } from '../../core/types.js';
import type { MLRepository, ModelMLState } from '../../storage/repository.js';
import type { ComponentsState, DriftThrough } from '../components-state.js';
import type { ModelDriftDetectorState } from '../../drift/index.js';
import { parseComponents } from '../components-state.js';

/** The journal's artifact (model, kind, version). */
const JOURNAL = { model: '*', kind: 'apply_journal', version: 'v1' } as const;

/** What the journal records. */
export interface ApplyJournal {
  /** Model → the state version of its last complete apply (`formula` for a model without a trained state). */
  readonly applied: Map<ModelName, string>;
  /** Models whose last apply started but did not complete. */
  readonly dirty: Set<ModelName>;
}

interface JournalJson {
  readonly kind: 'ApplyJournal';
  readonly version: 1;
  readonly applied: Record<string, string>;
  readonly dirty: string[];
}

/** The stored journal (empty when there is none, or one this version cannot read: every model is then applied in full). */
export async function loadApplyJournal(repo: MLRepository): Promise<ApplyJournal> {
  const a = await repo.loadArtifact(JOURNAL.model, JOURNAL.kind);
  const empty: ApplyJournal = { applied: new Map(), dirty: new Set() };
  if (a === null) return empty;
  try {
    const j = JSON.parse(a.content) as Partial<JournalJson>;
    if (j.kind !== 'ApplyJournal' || j.version !== 1 || typeof j.applied !== 'object' || !Array.isArray(j.dirty)) return empty;
    return { applied: new Map(Object.entries(j.applied ?? {})), dirty: new Set(j.dirty) };
  } catch {
    return empty;
  }
}

/** Stores the journal (replacing the previous one). */
export async function saveApplyJournal(repo: MLRepository, journal: ApplyJournal): Promise<void> {
  const json: JournalJson = { kind: 'ApplyJournal', version: 1, applied: Object.fromEntries(journal.applied), dirty: [...journal.dirty] };
  await repo.saveArtifact({ ...JOURNAL, content: JSON.stringify(json) });
}

/** The version apply writes for a model's tracks. */
export function applyVersionOf(state: ModelMLState | null): string {
  return state !== null && state.isTrained ? state.stateVersion : 'formula';
}

/** How an incremental apply treats one model. */
export type IncrementalScope =
  | {
      readonly scope: 'pending';
      readonly driftFrom: { readonly state: ModelDriftDetectorState; readonly through: DriftThrough } | null;
      /** The state's parsed components (for the plan), `undefined` without a state. */
      readonly components?: ComponentsState;
    }
  | { readonly scope: 'all'; readonly reason: string };

/** Whether a model can be continued (see the module comment), and if not, why. */
export function incrementalScope(model: ModelName, state: ModelMLState | null, journal: ApplyJournal): IncrementalScope {
  if (journal.dirty.has(model)) return { scope: 'all', reason: 'its last apply did not complete: applied in full' };
  const applied = journal.applied.get(model);
  if (applied === undefined) return { scope: 'all', reason: 'never applied (by this version of the library): applied in full' };
  if (applied !== applyVersionOf(state)) return { scope: 'all', reason: `retrained since its last apply (${applied}): applied in full` };
  if (state === null) return { scope: 'pending', driftFrom: null };
  let c;
  try {
    c = parseComponents(state.componentsJson, model);
  } catch {
    return { scope: 'all', reason: 'its stored state cannot be read: applied in full' };
  }
  // The same test as the drift replay's (serving.ts): a model with a baseline has drift.
  if (!c.driftBaseline || !c.driftBaselineEnd) return { scope: 'pending', driftFrom: null, components: c };
  if (c.driftCurrent === null || c.driftCurrent === undefined || !c.driftThrough) {
    return { scope: 'all', reason: 'no stored drift state to continue: applied in full' };
  }
  return { scope: 'pending', driftFrom: { state: c.driftCurrent, through: c.driftThrough }, components: c };
}
