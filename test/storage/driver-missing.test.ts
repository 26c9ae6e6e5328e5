import { describe, expect, it, vi } from 'vitest';

vi.mock('better-sqlite3', () => {
  throw new Error("Cannot find module 'better-sqlite3'");
});
vi.mock('pg', () => {
  throw new Error("Cannot find module 'pg'");
});

describe('missing optional drivers', () => {
  it('SQLite names the package to install', async () => {
    const { createSqliteRepository } = await import('../../src/storage/kysely/sqlite.js');
    await expect(createSqliteRepository({ file: '/tmp/never-created.db' })).rejects.toThrow(/npm install better-sqlite3/);
  });
  it('PostgreSQL names the packages to install', async () => {
    const { createPostgresRepository } = await import('../../src/storage/kysely/postgres.js');
    await expect(createPostgresRepository({ connectionString: 'postgres://x@127.0.0.1/x' })).rejects.toThrow(/npm install pg pg-cursor/);
  });
});
