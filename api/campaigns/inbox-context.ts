// What a campaign's inboxes are checked against: every registry inbox by ID with its channel and
// whether it is active, plus the two implicit inboxes of the environment-configured senders.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { CampaignContext } from '../../domain/campaigns/validate.js';
import { IMPLICIT_EMAIL_INBOX, IMPLICIT_SMS_INBOX } from '../../domain/inboxes/types.js';

export async function campaignContext(db: Kysely<Database>): Promise<CampaignContext> {
  const rows = await db.selectFrom('inboxes').select(['id', 'channel', 'status']).execute();
  const inboxes = new Map<string, { channel: 'email' | 'sms'; active: boolean }>([
    [IMPLICIT_EMAIL_INBOX, { channel: 'email', active: true }],
    [IMPLICIT_SMS_INBOX, { channel: 'sms', active: true }],
  ]);
  for (const r of rows) inboxes.set(r.id, { channel: r.channel === 'sms' ? 'sms' : 'email', active: r.status === 'active' });
  return { inboxes };
}
