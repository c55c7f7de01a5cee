// Re-runs a quarantined item through today's ingest code (after a parser fix, a config change,
// or a data fix upstream). The item keeps its identity: resolved with the leads it produced, or
// left open with the new reason — never a second quarantine row.
import { arrivalKey } from '../domain/ids/index.js';
import type { Kysely } from 'kysely';
import { getQuarantined, recordQuarantineRetry, type Database } from '../db/index.js';
import type { Ingest, IngestResult, IngestSource } from './ingest.js';

export class QuarantineNotFoundError extends Error {
  override readonly name = 'QuarantineNotFoundError';
}

export async function retryQuarantined(ingest: Ingest, db: Kysely<Database>, id: string): Promise<IngestResult> {
  const item = await getQuarantined(db, id);
  if (item === undefined) throw new QuarantineNotFoundError(`no quarantined item ${id}`);
  const mail =
    item.mailbox !== null && item.uid_validity !== null && item.uid !== null
      ? { mailbox: item.mailbox, uidValidity: item.uid_validity, uid: Number(item.uid) }
      : undefined;
  const result = await ingest(item.raw, {
    source: item.source as IngestSource,
    sourceRef: item.source_ref,
    // The original arrival: a lead that did get through meanwhile counts it once, not twice.
    arrivalKey: mail ? arrivalKey.imap(mail.mailbox, mail.uidValidity, mail.uid) : arrivalKey.quarantine(id),
    receivedAt: item.received_at,
    contentType: item.content_type,
    quarantine: false,
    ...(mail ? { mail } : {}),
  });
  await recordQuarantineRetry(
    db,
    id,
    result.status === 'accepted'
      ? { leadIds: result.leads.map((l) => l.leadId) }
      : { reason: result.reason, errorCode: result.status === 'quarantined' ? result.code : 'unidentifiable-prospect' },
  );
  return result;
}
