// A migrated database for a test file on a real PostgreSQL (the harness's throwaway cluster,
// or TEST_DATABASE_URL), owned by that file alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createDb, migrateToLatest, type Database } from '../../db/index.js';
import { startPostgres } from './postgres.js';

export interface TestDb {
  db: Kysely<Database>;
  url: string;
  close(): Promise<void>;
}

export async function openTestDb(): Promise<TestDb> {
  const pg = await startPostgres();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-test-'));
  const handle = await createDb({ databaseUrl: pg.url, dataDir });
  await migrateToLatest(handle.db);
  return {
    db: handle.db,
    url: pg.url,
    close: async () => {
      await handle.close();
      await pg.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
