// What the backup tests seed and compare: leads, suppressions, outbox rows and API keys written
// through the repositories, read back as whole row sets in a stable order.
import { sql, type Kysely } from 'kysely';
import { addSuppression, claimOutbox, createApiKey, finishOutboxCall, upsertLead, type Database } from '../../../db/index.js';

export async function seedBackupRows(db: Kysely<Database>, n: number, tag = 'b'): Promise<void> {
  for (let i = 0; i < n; i++) {
    const leadId = `lead:${tag}${i}`;
    await upsertLead(db, {
      id: leadId,
      source: 'backup-test',
      external_id: `${tag}${i}`,
      email: `p${tag}${i}@example.com`,
      first_name: 'Pat',
      last_name: `N${i}`,
      phone: null,
      campaign_id: null,
      tier: null,
      payload: { i },
    });
    const key = `${leadId}:step:1`;
    await claimOutbox(db, {
      idempotencyKey: key,
      leadId,
      step: 1,
      channel: 'email',
      provider: 'local',
      recipient: `p${tag}${i}@example.com`,
      subject: 'Hi',
      body: `Hello ${i}`,
    });
    if (i % 2 === 0) await finishOutboxCall(db, key, { status: 'sent', providerMessageId: `pm-${tag}${i}` });
    if (i % 3 === 0) await addSuppression(db, { address: `p${tag}${i}@example.com`, channel: 'email', reason: 'hard_bounce', leadId, eventId: null });
  }
  await createApiKey(db, `ops-${tag}`, ['admin']);
  await createApiKey(db, `reader-${tag}`, ['read']);
}

/** Every row of the four tables the issue names, as JSON text (dates and bytes compared exactly). */
export async function snapshotRows(db: Kysely<Database>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [table, key] of [
    ['leads', 'id'],
    ['suppressions', 'id'],
    ['outbox', 'idempotency_key'],
    ['api_keys', 'id'],
  ] as const) {
    const { rows } = await sql<{ j: unknown }>`select to_jsonb(t) as j from ${sql.table(table)} t order by ${sql.ref(key)}`.execute(db);
    out[table] = JSON.stringify(rows.map((r) => r.j));
  }
  return out;
}
