// Lead persistence activities. Built as a factory over the database so the worker wires the
// real pool and tests wire a throwaway database. Every write is idempotent: an activity retried
// after a crash converges on the same rows instead of duplicating them.
import { Failure } from '../../domain/failures/index.js';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { addSuppression, recordLeadEvent as insertLeadEvent, setLeadStatus, upsertLead, type SuppressionInput } from '../../db/index.js';
import type { LeadInput, LeadStatus } from '../../workflows/lead/contract.js';

export interface PersistLeadArgs {
  leadId: string;
  input: LeadInput;
  status: LeadStatus;
}

export interface RecordLeadEventArgs {
  leadId: string;
  /** Unique per lead: the same key recorded twice is one event. */
  eventKey: string;
  type: string;
  detail: Record<string, unknown>;
  /** When set, the lead row's status is updated in the same step. */
  status?: LeadStatus;
  /** With status: the lead's tier, stored on the row for listing and filtering. */
  tier?: string | null;
}

export interface SuppressArgs extends SuppressionInput {
  leadId: string;
}

export function createLeadActivities(deps: { db: Kysely<Database> }) {
  const { db } = deps;

  async function persistLead({ leadId, input, status }: PersistLeadArgs): Promise<void> {
    if (input.source.trim() === '') {
      throw ApplicationFailure.nonRetryable('lead source is empty', Failure.InvalidLead);
    }
    await db.transaction().execute(async (tx) => {
      await upsertLead(tx, {
        id: leadId,
        source: input.source,
        external_id: input.externalId,
        campaign_id: input.campaignId,
        first_name: input.contact.firstName,
        last_name: input.contact.lastName,
        email: input.contact.email,
        phone: input.contact.phone,
        status,
        payload: input.payload,
      });
      await insertLeadEvent(tx, { leadId, eventKey: 'received', type: 'received', detail: { source: input.source } });
    });
    log.info('lead persisted', { leadId, source: input.source });
  }

  async function recordLeadEvent(args: RecordLeadEventArgs): Promise<{ inserted: boolean }> {
    return db.transaction().execute(async (tx) => {
      const res = await insertLeadEvent(tx, { leadId: args.leadId, eventKey: args.eventKey, type: args.type, detail: args.detail });
      if (args.status !== undefined) await setLeadStatus(tx, args.leadId, args.status, args.tier);
      return res;
    });
  }

  /** An operator's corrected contact data (sent with the retry signal) replaces the old on the row. */
  async function updateLeadContact(args: { leadId: string; email: string | null; phone: string | null; eventKey: string }): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('leads').set({ email: args.email, phone: args.phone, updated_at: new Date() }).where('id', '=', args.leadId).execute();
      await insertLeadEvent(tx, {
        leadId: args.leadId,
        eventKey: args.eventKey,
        type: 'contact_updated',
        detail: { email: args.email !== null, phone: args.phone !== null },
      });
    });
  }

  /** Adds the address to the suppression list (once) and records why on the lead's timeline. */
  async function suppressAddress(args: SuppressArgs): Promise<{ inserted: boolean }> {
    return db.transaction().execute(async (tx) => {
      const res = await addSuppression(tx, args);
      await insertLeadEvent(tx, {
        leadId: args.leadId,
        eventKey: `suppressed:${args.eventId ?? args.reason}`,
        type: 'suppressed',
        detail: { channel: args.channel, reason: args.reason, newEntry: res.inserted },
      });
      return res;
    });
  }

  return { persistLead, recordLeadEvent, updateLeadContact, suppressAddress };
}

export type LeadActivities = ReturnType<typeof createLeadActivities>;
