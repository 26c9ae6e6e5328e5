/**
 * Example: the whole workflow (host tables, migrations, data, train, apply, status) on PostgreSQL.
 *
 * It never touches your data: it connects to the server named by `DATABASE_URL` (default
 * `postgres://root@127.0.0.1:5432/test`), creates its OWN uniquely named database there
 * (`laser_trim_ml_example_<pid>_<time>`), works only in it, and drops it at the end, also after Ctrl-C (which
 * cancels the running step through its AbortSignal). The role needs CREATEDB.
 *
 * Run:  DATABASE_URL=postgres://user:pass@host:5432/db npx tsx examples/postgres.ts
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { MLManager, createPostgresRepository, createReferenceSchema } from 'laser-trim-ml';
import { writePlant } from 'laser-trim-ml/synthetic';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Runs one statement on the server's admin connection (CREATE / DROP DATABASE cannot run in a transaction). */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const name = `laser_trim_ml_example_${process.pid}_${Date.now().toString(36)}`;
  try {
    await admin(`CREATE DATABASE "${name}"`);
  } catch (e) {
    throw new Error(
      `Could not create a scratch database on ${new URL(serverUrl).host} (${(e as Error).message}). ` +
        'Point DATABASE_URL at a server where your role has CREATEDB.',
      { cause: e },
    );
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const connectionString = url.toString();
  console.log(`Created scratch database ${name} on ${url.host}`);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  const { signal } = abort;
  try {
    // 1. Host tables (a real plant has its own; see examples/existing-schema.ts), then the library's migrations.
    const host = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 1 }) }) });
    await createReferenceSchema(host);
    await host.destroy();
    const repo = await createPostgresRepository({ connectionString }, { migrate: true });
    try {
      const written = await writePlant(repo, { seed: 3, tracks: 4_000, models: 12 }, { batchSize: 1_000, signal });
      console.log(`Wrote ${written.tracksWritten} tracks and ${written.finalTestsWritten} Final Test records`);

      // 2. Train and apply, exactly as on SQLite.
      const ml = new MLManager(repo, { trees: 50 });
      const trained = await ml.trainAllModels({
        signal,
        onProgress: (e) => e.phase === 'done' && console.log(`  train done: ${e.modelsDone}/${e.modelsTotal} models in ${e.elapsedMs} ms`),
      });
      console.log(`Trained ${trained.trained} models, ${trained.skipped} need more data, ${trained.failed} failed`);
      const applied = await ml.applyToDatabase({
        signal,
        onProgress: (e) =>
          e.phase === 'done' && console.log(`  apply done: ${e.recordsDone}/${e.recordsTotal} records in ${e.elapsedMs} ms`),
      });
      console.log(
        `Applied to ${applied.tracks} tracks: ${applied.probabilityTracks} with a failure probability, ${applied.newDriftAlerts} drift alerts`,
      );

      // 3. The results are ordinary columns of the host's track table.
      const client = new pg.Client({ connectionString });
      await client.connect();
      const { rows } = await client.query<{ risk_category: string | null; n: string; mean_p: number | null }>(
        'SELECT risk_category, COUNT(*) AS n, AVG(failure_probability) AS mean_p FROM track_results GROUP BY 1 ORDER BY 2 DESC',
      );
      await client.end();
      console.log('track_results by risk category:');
      for (const r of rows)
        console.log(`  ${(r.risk_category ?? 'none').padEnd(6)} ${r.n.padStart(5)} tracks, mean p ${r.mean_p?.toFixed(3) ?? '-'}`);

      const status = await ml.getTrainingStatus();
      console.log(`Status: ${status.trained} trained, ${status.needMoreData} need more data, ${status.drifting} drifting`);
      for (const r of status.rows.slice(0, 5)) {
        console.log(
          `  ${r.model.padEnd(16)} ${String(r.samples).padStart(4)} samples  threshold ${r.sigmaThreshold?.toPrecision(3) ?? '-'}  ${r.predictorKind}  ${r.status}`,
        );
      }
      if (trained.failed > 0 || applied.failedModels > 0) process.exitCode = 1;
    } finally {
      await repo.close();
    }
  } finally {
    process.off('SIGINT', onSigint);
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    console.log(`Dropped ${name}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
