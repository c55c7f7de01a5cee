// What a database holds, in the terms a backup manifest records: the applied migrations and the
// row count of every table. Both drivers answer through this one query shape, so the PostgreSQL
// and PGlite paths describe their databases identically.
export type RunQuery = (text: string) => Promise<Array<Record<string, unknown>>>;

export interface Inventory {
  migrations: string[];
  tables: Record<string, number>;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function inventory(query: RunQuery): Promise<Inventory> {
  const tables = (
    await query(`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`)
  ).map((r) => String(r.name));
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await query(`select count(*)::text as n from public.${quoteIdent(t)}`);
    counts[t] = Number(row?.n ?? 0);
  }
  const migrations = tables.includes('kysely_migration')
    ? (await query('select name from public.kysely_migration order by name')).map((r) => String(r.name))
    : [];
  return { migrations, tables: counts };
}

// Rows a freshly migrated database already has: the migrations' own bookkeeping and the emergency
// stop's single row (migration 0011 inserts it). Anything else means someone's data is there.
const SCAFFOLDING = new Set(['kysely_migration', 'kysely_migration_lock', 'sending_control']);

/** Tables holding rows beyond a fresh migration's, e.g. ["leads (12)", "outbox (3)"]; [] means empty. */
export function occupiedTables(inv: Inventory): string[] {
  return Object.entries(inv.tables)
    .filter(([t, n]) => n > 0 && !SCAFFOLDING.has(t))
    .map(([t, n]) => `${t} (${n})`);
}
