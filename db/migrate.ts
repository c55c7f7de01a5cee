import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { migrations as appMigrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type MigrationsRecord = Record<string, Migration>;

function migratorFor(db: Kysely<Database>, migrations: MigrationsRecord): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Kysely reports failures as data; callers (startup, CLI, tests) want one thrown Error
// that says which migration broke and that the batch was rolled back (Postgres runs
// the whole batch in one transaction).
function resultOrThrow({ error, results = [] }: MigrationResultSet): { applied: string[] } {
  const succeeded = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error === undefined) return { applied: succeeded };

  const failed = results.find((r) => r.status === 'Error');
  const what = failed ? `migration ${failed.migrationName} failed` : 'migrations failed before any migration ran';
  const rolledBack = failed && succeeded.length > 0 ? ` (rolled back together with ${succeeded.join(', ')})` : '';
  throw new Error(`${what}${rolledBack}: ${describeError(error)}`, { cause: error });
}

/** Applies every pending migration in `migrations`; lower-level form of migrateToLatest. */
export async function migrateWith(db: Kysely<Database>, migrations: MigrationsRecord): Promise<{ applied: string[] }> {
  return resultOrThrow(await migratorFor(db, migrations).migrateToLatest());
}

/** Brings the schema up to date. Safe to call on every start: a second call applies nothing. */
export function migrateToLatest(db: Kysely<Database>): Promise<{ applied: string[] }> {
  return migrateWith(db, appMigrations);
}

/** Names of migrations not yet applied, without applying or creating anything. */
export async function pendingMigrations(db: Kysely<Database>, migrations: MigrationsRecord = appMigrations): Promise<string[]> {
  const infos = await migratorFor(db, migrations).getMigrations();
  return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
