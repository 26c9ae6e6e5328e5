/**
 * SQL-only checks shared by SQLite and PostgreSQL: schema validation errors, migrations (idempotent, `down` removes
 * only what they added) and a host-like database with its own names, no `linked_trim_id` and no resistance columns.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrainingRecordsOfModels } from '../../src/storage/repository-helpers.js';
import { SchemaMappingError, SchemaMissingError } from '../../src/core/errors.js';
import { ddlTypes, detectEngine } from '../../src/storage/kysely/engine.js';
import type { KyselyRepository, KyselyRepositoryOptions } from '../../src/storage/kysely/kysely-repository.js';
import type { SchemaMapping } from '../../src/storage/kysely/mapping.js';
import { migrateDown, migrateToLatest } from '../../src/storage/kysely/migrations.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { full } from './fixture.js';

export interface SchemaSubject {
  /** An empty database (host instance, for DDL). */
  readonly db: Kysely<Record<string, never>>;
  /** Opens a repository the adapter connects itself (file / connection string) to the same database. */
  open(options: KyselyRepositoryOptions): Promise<KyselyRepository>;
  /** Opens a repository over the host instance. */
  openHost(options: KyselyRepositoryOptions): Promise<KyselyRepository>;
  close(): Promise<void>;
}

const hostMapping: SchemaMapping = {
  tables: { trim_results: 'analysis_results', track_results: 'tracks', final_test_results: 'ft_results', final_test_tracks: 'ft_tracks' },
  columns: {
    trim_results: { model: 'model_number', serial: 'serial_no', file_date: 'file_ts', system: null },
    track_results: {
      trim_result_id: 'analysis_id',
      track_id: 'trk',
      sigma_gradient: 'sigma',
      linearity_error: 'final_linearity_error_shifted',
      untrimmed_resistance: null,
      trimmed_resistance: null,
      sigma_pass: 'ml_sigma_pass',
    },
    final_test_results: { model: 'model_number', serial: 'serial_no', test_date: 'test_ts', linked_trim_id: null },
    final_test_tracks: { final_test_id: 'ft_id', track_id: 'trk' },
  },
};

async function columnsOf(db: Kysely<Record<string, never>>, table: string): Promise<string[]> {
  const t = (await db.introspection.getTables()).find((x) => x.name === table);
  return (t?.columns ?? []).map((c) => c.name).sort();
}

export function schemaChecks(name: string, create: () => Promise<SchemaSubject>): void {
  describe(`schema checks: ${name}`, () => {
    let s: SchemaSubject;
    beforeAll(async () => {
      s = await create();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('an empty database: SchemaMappingError naming the missing host table', async () => {
      const err = await s.openHost({}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaMappingError);
      expect((err as Error).message).toContain('"trim_results"');
      expect((err as Error).message).toContain('createReferenceSchema');
    });

    it('host tables without the library tables: SchemaMissingError saying to migrate', async () => {
      await createReferenceSchema(s.db);
      const err = await s.open({}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaMissingError);
      expect((err as Error).message).toMatch(/laser-trim-ml migrate/);
      expect((err as Error).message).toMatch(/migrateToLatest/);
    });

    it('migrations are idempotent and add no result column the host already has', async () => {
      const before = await columnsOf(s.db, 'track_results');
      expect((await migrateToLatest(s.db)).applied).toEqual(['0001_library_tables', '0002_unapplied_index']);
      expect((await migrateToLatest(s.db)).applied).toEqual([]);
      expect(await columnsOf(s.db, 'track_results')).toEqual(before);
      // SQLite: the partial index of the tracks without a result (incremental apply); none on PostgreSQL (see migrations.ts).
      const indexes =
        detectEngine(s.db) === 'sqlite'
          ? (
              await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'track_results'`.execute(s.db)
            ).rows.map((r) => r.name)
          : [];
      expect(indexes.includes('laser_trim_ml_unapplied')).toBe(detectEngine(s.db) === 'sqlite');
      await migrateDown(s.db);
      if (detectEngine(s.db) === 'sqlite') {
        const left = (
          await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'laser_trim_ml_unapplied'`.execute(
            s.db,
          )
        ).rows;
        expect(left).toEqual([]);
      }
      expect((await migrateToLatest(s.db)).applied).toEqual(['0001_library_tables', '0002_unapplied_index']);
      const repo = await s.open({});
      await repo.close();
    });

    it('a mapping naming a missing column fails with SchemaMappingError naming it', async () => {
      const err = await s
        .openHost({ schema: { columns: { track_results: { linearity_error: 'final_linearity_error_shifted' } } } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaMappingError);
      expect((err as Error).message).toContain('track_results.final_linearity_error_shifted');
      const unknownKey = { columns: { track_results: { no_such_key: 'x' } } } as unknown as SchemaMapping;
      await expect(s.openHost({ schema: unknownKey })).rejects.toThrow(/unknown column key "track_results.no_such_key"/);
      await expect(s.openHost({ schema: { columns: { trim_results: { model: null } } } })).rejects.toThrow(SchemaMappingError);
    });

    it('migrateDown drops the library tables and leaves host tables intact', async () => {
      await migrateDown(s.db);
      const names = (await s.db.introspection.getTables()).map((t) => t.name);
      expect(names).not.toContain('model_ml_state');
      expect(names).not.toContain('ml_locks');
      expect(names).toContain('trim_results');
      expect(await columnsOf(s.db, 'track_results')).toContain('sigma_pass');
      await expect(s.open({})).rejects.toThrow(SchemaMissingError);
    });

    it('a host-like database with its own names: migrate adds only absent result columns, reads/links/writes work', async () => {
      const t = ddlTypes(detectEngine(s.db));
      const db = s.db;
      await db.schema
        .createTable('analysis_results')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('model_number', t.text)
        .addColumn('serial_no', t.text)
        .addColumn('file_ts', t.date)
        .execute();
      await db.schema
        .createTable('tracks')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('analysis_id', t.int)
        .addColumn('trk', t.text)
        .addColumn('status', t.text)
        .addColumn('sigma', t.float)
        .addColumn('linearity_spec', t.float)
        .addColumn('final_linearity_error_shifted', t.float)
        .addColumn('linearity_fail_points', t.int)
        .addColumn('linearity_pass', t.bool)
        .addColumn('optimal_offset', t.float)
        .addColumn('travel_length', t.float)
        .addColumn('unit_length', t.float)
        .addColumn('sigma_threshold', t.float) // the host already has this one
        .addColumn('host_note', t.text)
        .execute();
      await db.schema
        .createTable('ft_results')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('model_number', t.text)
        .addColumn('serial_no', t.text)
        .addColumn('test_ts', t.date)
        .execute();
      await db.schema
        .createTable('ft_tracks')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('ft_id', t.int)
        .addColumn('trk', t.text)
        .addColumn('linearity_pass', t.bool)
        .addColumn('fail_points', t.int)
        .addColumn('linearity_error', t.float)
        .execute();
      await sql`INSERT INTO tracks (analysis_id, trk, host_note) VALUES (999, 'X', 'host data')`.execute(db);

      await migrateToLatest(db, { schema: hostMapping });
      const cols = await columnsOf(db, 'tracks');
      for (const c of ['ml_sigma_pass', 'failure_probability', 'risk_category', 'ml_model_version']) expect(cols).toContain(c);
      expect(cols.filter((c) => c === 'sigma_threshold')).toHaveLength(1);

      const repo = await s.openHost({ schema: hostMapping });
      const [r1, r2] = await repo.insertTrimRuns([
        { model: '6828', serial: 'SN-00042', fileDate: new Date('2024-03-01T00:00:00Z'), system: 'B', tracks: [full('default', 0.0004)] },
        { model: '6828', serial: '42', fileDate: new Date('2024-03-20T00:00:00Z'), system: 'B', tracks: [full('default', 0.0005)] },
      ]);
      expect(r2).toBeGreaterThan(r1!);
      await repo.insertFinalTests([
        // Serial '#0042' = 42; trims on 03-01 and 03-20 are both within 60 days: the newest (03-20) wins.
        {
          model: '6828',
          serial: '#0042',
          testDate: new Date('2024-04-01T00:00:00Z'),
          linkedTrimId: null,
          tracks: [{ trackId: 'default', linearityPass: false, failPoints: 3, linearityError: 0.013 }],
        },
        // No trim of serial 77: unmatched.
        {
          model: '6828',
          serial: '77',
          testDate: new Date('2024-04-01T00:00:00Z'),
          linkedTrimId: null,
          tracks: [{ trackId: 'default', linearityPass: true, failPoints: 0, linearityError: 0.002 }],
        },
      ]);
      const rows = [];
      for await (const b of repo.readTrainingRecords('6828')) rows.push(...b);
      expect(rows.map((r) => r.serial)).toEqual(['SN-00042', '42']);
      expect(rows[0]).toMatchObject({
        linearityError: 0.004,
        sigmaGradient: 0.0004,
        untrimmedResistance: null,
        trimmedResistance: null,
        finalTest: null,
      });
      expect(rows[1]?.finalTest).toMatchObject({ linearityPass: false, failPoints: 3, linearityError: 0.013 });
      // The bulk read (mapped names, serial linking) gives the same records.
      const many = [];
      for await (const b of readTrainingRecordsOfModels(repo, await repo.listModels())) many.push(...b.records);
      expect(many).toEqual(rows);
      expect(await repo.finalTestLinkCounts('6828')).toEqual({ linked: 1, byLinkedTrimId: 0, bySerial: 1, unmatched: 1 });
      expect((await repo.listModels()).find((m) => m.model === '6828')).toMatchObject({ trimTracks: 2, finalTestLinked: 1 });

      // Missing and blank serials name no unit: they never link to each other (a NULL is read as null, not "null").
      const [nullRun] = await repo.insertTrimRuns([
        { model: 'no serial', serial: '', fileDate: new Date('2024-03-01T00:00:00Z'), system: 'B', tracks: [full('default', 0.0004)] },
        { model: 'no serial', serial: ' ', fileDate: new Date('2024-03-02T00:00:00Z'), system: 'B', tracks: [full('default', 0.0004)] },
      ]);
      await sql`UPDATE analysis_results SET serial_no = NULL WHERE id = ${nullRun}`.execute(db);
      await repo.insertFinalTests(
        ['', 'SN', '#'].map((serial) => ({
          model: 'no serial',
          serial,
          testDate: new Date('2024-03-10T00:00:00Z'),
          linkedTrimId: null,
          tracks: [{ trackId: 'default', linearityPass: false, failPoints: 3, linearityError: 0.013 }],
        })),
      );
      await sql`UPDATE ft_results SET serial_no = NULL WHERE model_number = 'no serial' AND serial_no = ''`.execute(db);
      const unlinked = [];
      for await (const b of repo.readTrainingRecords('no serial')) unlinked.push(...b);
      expect(unlinked.map((r) => [r.serial, r.finalTest])).toEqual([
        [null, null],
        [' ', null],
      ]);
      expect(await repo.finalTestLinkCounts('no serial')).toEqual({ linked: 0, byLinkedTrimId: 0, bySerial: 0, unmatched: 3 });

      await repo.writeTrackResults([
        {
          trackResultId: rows[1]!.trackResultId,
          sigmaThreshold: 0.0006,
          sigmaPass: true,
          failureProbability: 0.4,
          riskCategory: 'medium',
          mlModelVersion: 'v1',
        },
      ]);
      const written = await sql<
        Record<string, unknown>
      >`SELECT sigma_threshold, ml_sigma_pass, risk_category, host_note FROM tracks WHERE id = ${rows[1]!.trackResultId}`.execute(db);
      expect(written.rows[0]).toMatchObject({ sigma_threshold: 0.0006, risk_category: 'medium', host_note: null });
      expect([true, 1]).toContain(written.rows[0]?.['ml_sigma_pass']);
      await repo.close();

      // down removes exactly the columns it added; host data and the host's own sigma_threshold stay.
      await migrateDown(db, { schema: hostMapping });
      const after = await columnsOf(db, 'tracks');
      expect(after).toContain('sigma_threshold');
      expect(after).not.toContain('ml_sigma_pass');
      expect(after).not.toContain('ml_model_version');
      const note = await sql<{ host_note: string }>`SELECT host_note FROM tracks WHERE analysis_id = 999`.execute(db);
      expect(note.rows[0]?.host_note).toBe('host data');
    });

    it('a migration that fails part-way keeps nothing: no library table, no added column (one transaction on both engines)', async () => {
      const t = ddlTypes(detectEngine(s.db));
      const db = s.db;
      await db.schema
        .createTable('bare_tracks')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('x', t.float)
        .execute();
      // Recording the first added column fails (a constraint no row meets), after that column was added.
      await sql`CREATE TABLE ml_schema_changes (table_name TEXT NOT NULL, column_name TEXT NOT NULL, CHECK (length(column_name) < 0))`.execute(
        db,
      );
      const schema: SchemaMapping = { tables: { track_results: 'bare_tracks' } };
      await expect(migrateToLatest(db, { schema })).rejects.toThrow(/migrate failed.*one transaction.*run it again/u);
      expect(await columnsOf(db, 'bare_tracks')).toEqual(['id', 'x']);
      const tables = (await db.introspection.getTables()).map((x) => x.name);
      expect(tables).not.toContain('model_ml_state');
      await db.schema.dropTable('ml_schema_changes').execute();
      // With the cause gone the same migration runs, and down leaves the table as it was.
      await migrateToLatest(db, { schema });
      expect(await columnsOf(db, 'bare_tracks')).toEqual([
        'failure_probability',
        'id',
        'ml_model_version',
        'risk_category',
        'sigma_pass',
        'sigma_threshold',
        'x',
      ]);
      await migrateDown(db, { schema });
      expect(await columnsOf(db, 'bare_tracks')).toEqual(['id', 'x']);
      await db.schema.dropTable('bare_tracks').execute();
    });
  });
}
