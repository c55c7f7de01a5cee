// Rows for the stats tests, written through the repositories (and the ledger's own state changes),
// so the figures are counted from what the product really stores.
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { claimOutbox, finishOutboxCall, passSendGate, insertInbox, recordLeadEvent, saveInboxState, upsertLead, type Database } from '../../db/index.js';
import { DEFAULT_POLICY, type InboxStatus } from '../../workflows/inbox/contract.js';

export const DAY = 86_400_000;

export function statsSeed(db: () => Kysely<Database>, dayStart: number) {
  let n = 0;
  return {
    lead: (id: string) =>
      upsertLead(db(), {
        id,
        source: 'test',
        external_id: null,
        campaign_id: null,
        first_name: null,
        last_name: null,
        email: null,
        phone: null,
        tier: null,
        payload: {},
      }),

    /** One message through the ledger's state changes; `sentAt` backdates a sent one. */
    message: async (
      leadId: string,
      step: number,
      inboxId: string | null,
      o: { channel?: 'email' | 'sms'; status?: 'sent' | 'failed' | 'pending'; sentAt?: Date } = {},
    ): Promise<void> => {
      const key = `${leadId}:${step}:${++n}`;
      const channel = o.channel ?? 'email';
      await claimOutbox(db(), { idempotencyKey: key, leadId, step, channel, provider: 'smtp', recipient: 'x@example.com', subject: 's', body: 'b', inboxId });
      const status = o.status ?? 'sent';
      if (status === 'pending') return;
      const gate = await passSendGate(db(), { key, recipient: null, inbox: null, campaignLeadId: null, now: Date.now() });
      assert.equal(gate.kind, 'began');
      await finishOutboxCall(db(), key, status === 'sent' ? { status, providerMessageId: null } : { status, errorCode: 'x', error: 'refused' });
      if (o.sentAt !== undefined)
        await db().updateTable('outbox').set({ sent_at: o.sentAt, updated_at: o.sentAt }).where('idempotency_key', '=', key).execute();
    },

    event: (leadId: string, type: string, detail: Record<string, unknown> = {}, occurredAt?: Date) =>
      recordLeadEvent(db(), { leadId, eventKey: `${type}:${++n}`, type, detail, ...(occurredAt !== undefined && { occurredAt }) }),

    registry: (id: string) =>
      insertInbox(db(), {
        id,
        kind: 'smtp',
        channel: 'email',
        address: 'rep@dealer.example',
        displayName: null,
        policy: DEFAULT_POLICY,
        settings: {},
        secretsEnc: null,
        verifiedAt: new Date(),
      }),

    /** A status as the inbox workflow saves it: day 10 of the ramp, health 73 (so a limit of 10), 4 granted. */
    savedStatus: (inboxId: string, over: Partial<InboxStatus> = {}): InboxStatus => ({
      inboxId,
      health: {
        score: 73,
        inputs: { sent: 40, bounces: 1, complaints: 0, replies: 1, bounceRate: 0.025, complaintRate: 0, replyRate: 0.025, ageDays: 9 },
        parts: { bounce: 20, complaint: 30, reply: 20, age: 3.2 },
      },
      rampDay: 10,
      today: new Date(dayStart).toISOString().slice(0, 10),
      dayStartedAt: dayStart,
      dailyLimit: 10,
      grantedToday: 4,
      sentToday: 4,
      remainingToday: 6,
      pause: null,
      warnings: ['health 73 is below 80: at most 10 messages a day'],
      policy: DEFAULT_POLICY,
      ...over,
    }),

    /** Saves a status the way the inbox workflow's activity does. */
    save: (s: InboxStatus) =>
      saveInboxState(db(), {
        inboxId: s.inboxId,
        health: s.health.score,
        dailyLimit: s.dailyLimit,
        today: s.today,
        dayStartedAt: new Date(s.dayStartedAt),
        grantedToday: s.grantedToday,
        sentToday: s.sentToday,
        pausedUntil: s.pause?.until != null ? new Date(s.pause.until) : null,
        paused: s.pause !== null,
        status: s,
      }),
  };
}
