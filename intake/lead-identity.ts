// How intake names a lead: the opaque ID of temporal/lead-ids.ts, except for a lead created before
// opaque IDs, whose readable ID the database still holds (the row maps the contact to the lead).
import type { Kysely } from 'kysely';
import { getLead, type Database } from '../db/index.js';
import type { LeadIdentity } from '../temporal/lead-ids.js';

export function leadIdentity(db: Kysely<Database>, secret: string): LeadIdentity {
  return { secret, legacyExists: async (legacyId) => (await getLead(db, legacyId)) !== undefined };
}
