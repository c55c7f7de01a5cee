// DEALER_INBOXES names inboxes by id; one missing from the registry is skipped by the rotation
// (a lead whose whole set is missing goes out from the implicit inbox), so a typo would quietly
// send a dealer's leads from the wrong identity. Checked once where a process starts and told.
import type { Kysely } from 'kysely';
import type { DealerInboxes } from '../config/index.js';
import { inboxChannels, type Database } from '../db/index.js';
import { isImplicitInbox } from '../domain/inboxes/types.js';

/** `dealer: inbox` for every inbox DEALER_INBOXES names that the registry does not have. */
export async function unknownDealerInboxes(db: Kysely<Database>, dealers: DealerInboxes): Promise<string[]> {
  const ids = [...new Set(Object.values(dealers).flat())].filter((id) => !isImplicitInbox(id));
  if (ids.length === 0) return [];
  const known = await inboxChannels(db, ids);
  return Object.entries(dealers).flatMap(([dealer, inboxes]) => inboxes.filter((id) => !isImplicitInbox(id) && !known.has(id)).map((id) => `${dealer}: ${id}`));
}
