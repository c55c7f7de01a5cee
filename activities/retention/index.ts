// The retention clean-up's one activity: a bounded delete of one kind of old row (the rules of what
// is never deleted live with the query, in db/repositories/retention.ts).
import { log } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { purgeRetentionBatch as purge, type Database } from '../../db/index.js';
import type { RetentionBatch } from '../../workflows/retention/contract.js';

export function createRetentionActivities(deps: { db: Kysely<Database> }) {
  async function purgeRetentionBatch(b: RetentionBatch): Promise<number> {
    const deleted = await purge(deps.db, b.kind, new Date(b.before), b.limit);
    if (deleted > 0) log.info('retention: deleted old rows', { kind: b.kind, before: b.before, deleted });
    return deleted;
  }
  return { purgeRetentionBatch };
}
