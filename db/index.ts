// Public face of the persistence layer; other folders import from here only.
export { createDb, checkDb } from './connection.js';
export type { CreateDbOptions, DbHandle, DbKind } from './connection.js';
export { migrateToLatest, migrateWith, pendingMigrations } from './migrate.js';
export type { MigrationsRecord } from './migrate.js';
export { migrations } from './migrations/index.js';
export {
  getLead,
  listLeadEvents,
  listLeads,
  MAX_LIST_LIMIT,
  recordLeadEvent,
  setLeadStatus,
  upsertLead,
} from './repositories/leads.js';
export type { Db, ListLeadsQuery, RecordLeadEvent } from './repositories/leads.js';
export type * from './schema.js';
