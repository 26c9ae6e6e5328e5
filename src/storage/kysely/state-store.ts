/**
 * The library's own tables through Kysely: model states, artifacts (table or {@link ArtifactStore}), drift alerts.
 *
 * @module
 */
import type { ModelName } from '../../core/types.js';
import { sql } from 'kysely';
import { StorageError } from '../../core/errors.js';
import type { Artifact, DriftAlert, DriftDirection, DriftStateUpdate, ModelMLState } from '../repository.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { boolParam, dateParam, toBool, toDate, toDateRequired, toNumber, toNumberRequired, toText } from './codec.js';
import type { RepoContext } from './context.js';
import type { AnyKysely } from './engine.js';
import { transact } from './engine.js';
import { NULLABLE_STATE_NUMBERS, noSavedStateError, validateDriftAlerts, validateDriftUpdates } from '../options.js';
import { booleanArray, numberArray, textArray } from './pg-arrays.js';

type Row = Record<string, unknown>;

/** (field, column) of the nullable numbers: the columns are the fields in snake_case (`sigmaP5` → `sigma_p5`). */
const NUMERIC: [keyof ModelMLState, string][] = NULLABLE_STATE_NUMBERS.map((f) => [f, f.replace(/[A-Z]/gu, (c) => `_${c.toLowerCase()}`)]);

function stateToRow(ctx: RepoContext, s: ModelMLState): Row {
  const row: Row = {
    model: s.model,
    is_trained: boolParam(ctx.engine, s.isTrained),
    training_date: s.trainingDate === null ? null : dateParam(s.trainingDate),
    training_samples: s.trainingSamples,
    trim_samples: s.trimSamples,
    final_test_samples: s.finalTestSamples,
    feature_importance: s.featureImportance === null ? null : JSON.stringify(s.featureImportance),
    cusum_pos: s.cusumPos,
    cusum_neg: s.cusumNeg,
    is_drifting: boolParam(ctx.engine, s.isDrifting),
    drift_direction: s.driftDirection,
    label_source: s.labelSource,
    state_version: s.stateVersion,
    components_json: s.componentsJson,
    last_error: s.lastError,
    created_date: dateParam(s.createdDate),
    updated_date: dateParam(s.updatedDate),
  };
  for (const [field, column] of NUMERIC) row[column] = s[field];
  return row;
}

function rowToState(row: Row): ModelMLState {
  const numeric: Record<string, number | null> = {};
  for (const [field, column] of NUMERIC) numeric[field] = toNumber(row[column]);
  const importance = toText(row['feature_importance']);
  return {
    ...numeric,
    model: String(row['model']),
    isTrained: toBool(row['is_trained']) ?? false,
    trainingDate: toDate(row['training_date']),
    trainingSamples: toNumberRequired(row['training_samples'], 'training_samples'),
    trimSamples: toNumberRequired(row['trim_samples'], 'trim_samples'),
    finalTestSamples: toNumberRequired(row['final_test_samples'], 'final_test_samples'),
    featureImportance: importance === null ? null : (JSON.parse(importance) as Record<string, number>),
    cusumPos: toNumberRequired(row['cusum_pos'], 'cusum_pos'),
    cusumNeg: toNumberRequired(row['cusum_neg'], 'cusum_neg'),
    isDrifting: toBool(row['is_drifting']) ?? false,
    driftDirection: toText(row['drift_direction']) as DriftDirection | null,
    labelSource: toText(row['label_source']) as ModelMLState['labelSource'],
    stateVersion: String(row['state_version']),
    componentsJson: String(row['components_json']),
    lastError: toText(row['last_error']),
    createdDate: toDateRequired(row['created_date'], 'created_date'),
    updatedDate: toDateRequired(row['updated_date'], 'updated_date'),
  } as unknown as ModelMLState;
}

/** Upserts a model's state (by model) on the given connection or transaction. */
export async function upsertState(ctx: RepoContext, db: AnyKysely, state: ModelMLState): Promise<void> {
  const row = stateToRow(ctx, state);
  const { model: _model, ...update } = row;
  await db
    .insertInto('model_ml_state')
    .values(row)
    .onConflict((oc) => oc.column('model').doUpdateSet(update))
    .execute();
}

/** Inserts or replaces the artifact of (model, kind) in `ml_artifacts`. */
export async function putArtifactRow(db: AnyKysely, a: Omit<Artifact, 'createdDate'>): Promise<void> {
  const row = { model: a.model, kind: a.kind, version: a.version, content: a.content, created_date: dateParam(new Date()) };
  await db
    .insertInto('ml_artifacts')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['model', 'kind']).doUpdateSet({ version: a.version, content: a.content, created_date: row.created_date }),
    )
    .execute();
}

/** Model states by model name (or one model). */
export async function selectStates(ctx: RepoContext, model?: ModelName): Promise<ModelMLState[]> {
  let q = ctx.db.selectFrom('model_ml_state').selectAll();
  if (model !== undefined) q = q.where('model', '=', model);
  const rows = (await q.execute()) as Row[];
  return rows.map(rowToState).sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** The artifact of (model, kind) from the table or the store. */
export async function loadArtifact(
  ctx: RepoContext,
  store: ArtifactStore | undefined,
  model: ModelName,
  kind: string,
  version?: string,
): Promise<Artifact | null> {
  if (store !== undefined) return store.load(model, kind, version);
  let q = ctx.db.selectFrom('ml_artifacts').selectAll().where('model', '=', model).where('kind', '=', kind);
  if (version !== undefined) q = q.where('version', '=', version);
  const row = await q.executeTakeFirst();
  if (row === undefined) return null;
  return {
    model: String(row['model']),
    kind: String(row['kind']),
    version: String(row['version']),
    content: String(row['content']),
    createdDate: toDateRequired(row['created_date'], 'created_date'),
  };
}

/**
 * Updates the drift columns of several models in one transaction; all or nothing. PostgreSQL: one `UPDATE … FROM
 * unnest(…)`; SQLite: one UPDATE per model inside the transaction (no commit each). A model without a state row
 * fails the call with a {@link StorageError} naming it.
 */
export async function updateDriftRows(ctx: RepoContext, updates: readonly DriftStateUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const seen = validateDriftUpdates(updates);
  await transact(ctx.db, (trx) => updateDriftRowsIn(ctx, trx, updates, seen));
}

/** {@link updateDriftRows}' statements inside the caller's transaction (the updates validated already). */
async function updateDriftRowsIn(ctx: RepoContext, trx: AnyKysely, updates: readonly DriftStateUpdate[], seen: Set<string>): Promise<void> {
  const now = dateParam(new Date());
  {
    let matched = 0;
    if (ctx.engine === 'postgres') {
      const col = <K extends keyof DriftStateUpdate['drift']>(k: K) => updates.map((u) => u.drift[k]);
      const res = await sql`UPDATE model_ml_state AS s SET cusum_pos = v.p, cusum_neg = v.n, ewma_value = v.e,
          is_drifting = v.d, drift_direction = v.dir, components_json = v.c, updated_date = ${now}
        FROM unnest(${textArray(updates.map((u) => u.model))}::text[], ${numberArray(col('cusumPos'))}::float8[],
          ${numberArray(col('cusumNeg'))}::float8[], ${numberArray(col('ewmaValue'))}::float8[], ${booleanArray(col('isDrifting'))}::boolean[],
          ${textArray(col('driftDirection'))}::text[], ${textArray(col('componentsJson'))}::text[])
          AS v(model, p, n, e, d, dir, c)
        WHERE s.model = v.model`.execute(trx);
      matched = Number(res.numAffectedRows ?? 0n);
    } else {
      for (const { model, drift } of updates) {
        const res = await trx
          .updateTable('model_ml_state')
          .set({
            cusum_pos: drift.cusumPos,
            cusum_neg: drift.cusumNeg,
            ewma_value: drift.ewmaValue,
            is_drifting: boolParam(ctx.engine, drift.isDrifting),
            drift_direction: drift.driftDirection,
            components_json: drift.componentsJson,
            updated_date: now,
          })
          .where('model', '=', model)
          .executeTakeFirst();
        matched += Number(res.numUpdatedRows);
      }
    }
    if (matched !== updates.length) {
      const present = new Set(
        (
          await trx
            .selectFrom('model_ml_state')
            .select('model')
            .where('model', 'in', [...seen])
            .execute()
        ).map((r) => String(r['model'])),
      );
      throw noSavedStateError([...seen].filter((m) => !present.has(m)));
    }
  }
}

/** Inserts alerts, skipping existing episodes (unique model + direction + onset_date); returns how many were new. */
export async function insertAlerts(ctx: RepoContext, alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[]): Promise<number> {
  validateDriftAlerts(alerts);
  if (alerts.length === 0) return 0;
  return transact(ctx.db, (trx) => insertAlertsIn(ctx, trx, alerts));
}

/**
 * A model's alerts and its drift columns in one transaction: both or neither (see
 * `MLRepository.saveDriftAlertsAndState`). Returns how many alerts were new.
 */
export async function insertAlertsWithState(
  ctx: RepoContext,
  alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[],
  update: DriftStateUpdate,
): Promise<number> {
  validateDriftAlerts(alerts);
  const seen = validateDriftUpdates([update]);
  return transact(ctx.db, async (trx) => {
    const added = alerts.length === 0 ? 0 : await insertAlertsIn(ctx, trx, alerts);
    await updateDriftRowsIn(ctx, trx, [update], seen);
    return added;
  });
}

/** {@link insertAlerts}' statements inside the caller's transaction. */
async function insertAlertsIn(
  ctx: RepoContext,
  trx: AnyKysely,
  alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[],
): Promise<number> {
  const now = dateParam(new Date());
  {
    let added = 0;
    for (let i = 0; i < alerts.length; i += 500) {
      const rows = alerts.slice(i, i + 500).map((a) => ({
        model: a.model,
        direction: a.direction,
        onset_date: dateParam(a.onsetDate),
        detected_date: dateParam(a.detectedDate),
        size_sigma: a.sizeSigma,
        statistic: a.statistic,
        acknowledged: boolParam(ctx.engine, a.acknowledged),
        created_date: now,
      }));
      const res = await trx
        .insertInto('drift_alerts')
        .values(rows)
        .onConflict((oc) => oc.columns(['model', 'direction', 'onset_date']).doNothing())
        .executeTakeFirst();
      added += Number(res.numInsertedOrUpdatedRows ?? 0n);
    }
    return added;
  }
}

/** Alerts in id order, optionally of one model / only unacknowledged. */
export async function selectAlerts(
  ctx: RepoContext,
  filter: { model?: ModelName; unacknowledgedOnly?: boolean } = {},
): Promise<DriftAlert[]> {
  let q = ctx.db.selectFrom('drift_alerts').selectAll().orderBy('id');
  if (filter.model !== undefined) q = q.where('model', '=', filter.model);
  if (filter.unacknowledgedOnly === true) q = q.where('acknowledged', '=', boolParam(ctx.engine, false));
  const rows = (await q.execute()) as Row[];
  return rows.map((r) => ({
    id: toNumberRequired(r['id'], 'id'),
    model: String(r['model']),
    direction: String(r['direction']) as DriftDirection,
    onsetDate: toDateRequired(r['onset_date'], 'onset_date'),
    detectedDate: toDateRequired(r['detected_date'], 'detected_date'),
    sizeSigma: toNumberRequired(r['size_sigma'], 'size_sigma'),
    statistic: String(r['statistic']) as DriftAlert['statistic'],
    acknowledged: toBool(r['acknowledged']) ?? false,
    createdDate: toDateRequired(r['created_date'], 'created_date'),
  }));
}

/** Marks one alert acknowledged; a missing id is an error. */
export async function acknowledge(ctx: RepoContext, id: number): Promise<void> {
  const res = await ctx.db
    .updateTable('drift_alerts')
    .set({ acknowledged: boolParam(ctx.engine, true) })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new StorageError(`No drift alert with id ${id}.`);
}
