/**
 * Shared PostgreSQL test setup: a fresh, uniquely named database per test run, dropped afterwards.
 *
 * Where the server comes from, in order:
 * 1. `DATABASE_URL` (used as given: its server hosts the fresh database; failure to connect is an error).
 * 2. The libpq environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`), defaulting to
 *    127.0.0.1:5432, users `root` then `postgres`, admin database `test` then `postgres`.
 * 3. Nothing listens: a throwaway cluster from `/usr/lib/postgresql/<version>/bin` (initdb as the `postgres` user
 *    via `runuser` when running as root, a temp dir, a free loopback port, trust auth), stopped and deleted after.
 * 4. No binaries: an error saying how to provide a server. PostgreSQL tests are never skipped (also not in CI).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A database created for this test run. */
export interface TestDatabase {
  readonly connectionString: string;
  /** How the server was found: `DATABASE_URL`, `env/default`, or `throwaway cluster`. */
  readonly source: string;
  /** Creates one more fresh database on the same server (dropped by {@link drop}); returns its connection string. */
  another(): Promise<string>;
  /** Drops the database(s) (and stops the throwaway cluster, if one was started). */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function canConnect(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function envCandidates(): string[] {
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = process.env.PGPORT ?? '5432';
  const users = process.env.PGUSER !== undefined ? [process.env.PGUSER] : ['root', 'postgres'];
  const dbs = process.env.PGDATABASE !== undefined ? [process.env.PGDATABASE] : ['test', 'postgres'];
  const pass = process.env.PGPASSWORD !== undefined ? `:${encodeURIComponent(process.env.PGPASSWORD)}` : '';
  const hostPart = host.startsWith('/') ? `localhost:${port}` : `${host}:${port}`;
  const socket = host.startsWith('/') ? `?host=${encodeURIComponent(host)}` : '';
  return users.flatMap((u) => dbs.map((d) => `postgres://${encodeURIComponent(u)}${pass}@${hostPart}/${d}${socket}`));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function findPgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
}

/** Starts a throwaway cluster; returns its admin connection string and a stop function. */
async function startThrowawayCluster(): Promise<{ admin: string; stop: () => void }> {
  const bin = findPgBin();
  if (bin === null) {
    throw new Error(
      'No PostgreSQL server reachable and no binaries in /usr/lib/postgresql/*/bin. Set DATABASE_URL ' +
        '(e.g. postgres://user:pass@host:5432/db) or PGHOST/PGPORT/PGUSER, or install postgresql (apt-get install postgresql).',
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'ltml-pg-'));
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { admin: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

/**
 * Creates a fresh database for this test run (see the module comment for where the server comes from).
 *
 * @example
 * ```ts
 * let pgdb: TestDatabase;
 * beforeAll(async () => { pgdb = await createTestDatabase(); });
 * afterAll(async () => { await pgdb.drop(); });
 * ```
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  let admin: string | null = null;
  let source = 'env/default';
  let stop: (() => void) | null = null;
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    if (!(await canConnect(url))) throw new Error(`DATABASE_URL is set but PostgreSQL at it is not reachable: ${new URL(url).host}.`);
    admin = url;
    source = 'DATABASE_URL';
  } else {
    for (const c of envCandidates()) {
      if (await canConnect(c)) {
        admin = c;
        break;
      }
    }
    if (admin === null) {
      const cluster = await startThrowawayCluster();
      admin = cluster.admin;
      stop = cluster.stop;
      source = 'throwaway cluster';
    }
  }
  const adminUrl = admin;
  const names: string[] = [];
  const create = async (): Promise<string> => {
    const name = `ltml_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    names.push(name);
    return withDatabase(adminUrl, name);
  };
  const connectionString = await create();
  return {
    connectionString,
    source,
    another: create,
    async drop() {
      try {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        for (const name of names) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      } finally {
        stop?.();
      }
    },
  };
}
