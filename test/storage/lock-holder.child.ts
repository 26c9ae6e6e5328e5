/**
 * Child process of stale-lock.test.ts: opens the SQLite file given as argv[2], takes the train and apply locks (as a
 * train or apply does), says "held" on stdout and waits to be killed.
 */
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';

const repo = await createSqliteRepository({ file: process.argv[2]! });
await repo.acquireLock('train', `child pid ${process.pid} (train)`);
await repo.acquireLock('apply', `child pid ${process.pid} (train)`);
process.stdout.write('held\n');
setInterval(() => undefined, 1 << 30);
