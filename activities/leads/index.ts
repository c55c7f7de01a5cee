// Lead persistence activities. Built as a factory over the database so the worker wires the
// real pool and tests wire a throwaway database. Every write is idempotent: an activity retried
// after a crash converges on the same rows instead of duplicating them.
import { ApplicationFailure, log } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { recordLeadEvent as insertLeadEvent, setLeadStatus, upsertLead } from '../../db/index.js';
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
}

export function createLeadActivities(deps: { db: Kysely<Database> }) {
  const { db } = deps;

  async function persistLead({ leadId, input, status }: PersistLeadArgs): Promise<void> {
    if (input.source.trim() === '') {
      throw ApplicationFailure.nonRetryable('lead source is empty', 'InvalidLeadError');
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
      if (args.status !== undefined) await setLeadStatus(tx, args.leadId, args.status);
      return res;
    });
  }

  return { persistLead, recordLeadEvent };
}

export type LeadActivities = ReturnType<typeof createLeadActivities>;
