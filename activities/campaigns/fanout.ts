// One page of the campaign's fan-out: the next pending prospects in import order, each started as
// a lead workflow under its fixed ID, then marked started. Rerun after a crash, the page finds the
// leads it had started ("already started" is success) and starts the rest: nobody is skipped or
// doubled. A prospect whose first step is a minute or more away is started deferred, its row
// stored as 'scheduled' (temporal/campaign-leads.ts). The page honours the campaign's status
// (nothing starts while it is paused), its daily cap of new leads, and "skip a prospect active in
// another campaign".
import { activityInfo, heartbeat, log } from '@temporalio/activity';
import pLimit from 'p-limit';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import {
  activeElsewhere,
  assignLeadIds,
  getCampaign,
  markProspectSkipped,
  markProspectsStarted,
  pendingProspects,
  saveScheduledLeads,
  startedSince,
  type Database,
  type ScheduledLead,
} from '../../db/index.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { campaignLeadId, startCampaignLead, startOfLocalDay } from '../../temporal/campaign-leads.js';
import { InvalidLeadInputError } from '../../temporal/lead-validation.js';
import type { LeadInput } from '../../workflows/lead/contract.js';
import { prospectLeadInput, startDelayFor } from '../../temporal/campaign-lead-input.js';

export interface LeadsPage {
  started: number;
  skipped: number;
  /** The last prospect seq this page dealt with: the next page starts after it. */
  lastSeq: string;
  more: boolean;
  /** Nothing more may start until `until`: the daily cap, or the campaign is not running. */
  wait: { until: number; reason: string } | null;
}

/**
 * Starts in flight at once, as a sliding window: enough to hide the round trips, few enough not to
 * flood the frontend (a cluster's default namespace limit is 2,400 requests/s). Measured on the dev
 * server (bench/campaign-fanout.ts, 10,000 deferred leads, the server at 115-140 % CPU): batches of
 * 16 started 144 leads/s; a window of 48, 152-175/s; of 96, 193-217/s.
 */
export const FANOUT_PARALLEL = 96;
const STATUS_RECHECK_MS = 5_000;

export function createFanoutActivity(deps: {
  db: Kysely<Database>;
  client: Client;
  leadIdSecret: string | undefined;
  /** A first step at least this far away defers the lead's start (default DEFER_START_MIN_MS). */
  deferStartMinMs?: number | undefined;
}) {
  const { db, client } = deps;
  return async function startLeadsPage(req: { campaignId: string; afterSeq: string; limit: number; now?: number }): Promise<LeadsPage> {
    // The workflow waits for the cap's next day on its own (server) clock and passes it here, so the
    // cap's day and each started_at are counted on the later of the two clocks. They agree in
    // production (a retried page keeps the machine's later time); on the time-skipping server only
    // the workflow's moves, and on this machine's clock alone the cap never reached the next day.
    const now = Math.max(Date.now(), req.now ?? 0);
    const none = (wait: LeadsPage['wait'], more = true): LeadsPage => ({ started: 0, skipped: 0, lastSeq: req.afterSeq, more, wait });
    const campaign = await getCampaign(db, req.campaignId);
    if (campaign === undefined) throw new Error(`campaign ${req.campaignId} does not exist`);
    if (campaign.status !== 'running') {
      return none({ until: now + STATUS_RECHECK_MS, reason: `the campaign is ${campaign.status}` }, campaign.status === 'paused');
    }
    const secret = deps.leadIdSecret;
    if (secret === undefined) throw new Error('the worker has no LEAD_ID_SECRET: campaign leads cannot be named');
    const spec = campaign.spec as unknown as CampaignSpec;

    let limit = req.limit;
    if (spec.dailyNewLeads !== null) {
      const dayStart = startOfLocalDay(now, spec.window.timeZone);
      const left = spec.dailyNewLeads - (await startedSince(db, req.campaignId, new Date(dayStart.start)));
      if (left <= 0) return none({ until: dayStart.next, reason: `the daily cap of ${spec.dailyNewLeads} new leads is reached` });
      limit = Math.min(limit, left);
    }
    const rows = await pendingProspects(db, req.campaignId, req.afterSeq, limit);
    if (rows.length === 0) return none(null, false);

    const elsewhere = spec.skipActiveElsewhere
      ? await activeElsewhere(
          db,
          req.campaignId,
          rows.flatMap((r) => (r.email_norm !== null ? [r.email_norm] : [])),
        )
      : new Set<string>();
    // Each prospect's lead ID is a keyed hash of campaign and contact, known before the start.
    const planned = rows.map((p) => {
      const input = prospectLeadInput(req.campaignId, spec, p, now);
      return { p, input, leadId: campaignLeadId(secret, input), startDelayMs: startDelayFor(input, now, deps.deferStartMinMs) };
    });
    await assignLeadIds(
      db,
      planned.filter((x) => x.p.email_norm === null || !elsewhere.has(x.p.email_norm)).map((x) => ({ seq: x.p.seq, leadId: x.leadId })),
    );
    const started: Array<{ seq: string; leadId: string }> = [];
    const scheduled: ScheduledLead[] = [];
    let skipped = 0;
    let fresh = 0;
    const taskQueue = activityInfo().taskQueue;
    // A sliding window, not batches: a slow start holds one slot, not the whole batch's.
    const inFlight = pLimit(FANOUT_PARALLEL);
    let done = 0;
    await Promise.all(
      planned.map(({ p, input, leadId, startDelayMs }) =>
        inFlight(async () => {
          if (p.email_norm !== null && elsewhere.has(p.email_norm)) {
            skipped += 1;
            return markProspectSkipped(db, p.seq, 'active in another campaign');
          }
          try {
            const r = await startCampaignLead(client, input, { leadId, taskQueue, startDelayMs });
            if (r.fresh) fresh += 1;
            started.push({ seq: p.seq, leadId: r.leadId });
            if (startDelayMs > 0) scheduled.push(scheduledLead(input, r.leadId, new Date(now + startDelayMs)));
          } catch (err) {
            // A prospect the lead workflow would refuse (its import checks should have caught it) is
            // skipped visibly with the reason, never retried forever.
            if (!(err instanceof InvalidLeadInputError)) throw err;
            skipped += 1;
            await markProspectSkipped(db, p.seq, `refused as a lead: ${err.message}`);
          }
        }).finally(() => {
          if (++done % FANOUT_PARALLEL === 0) heartbeat({ done });
        }),
      ),
    );
    await db.transaction().execute(async (tx) => {
      await markProspectsStarted(tx, started, new Date(now));
      await saveScheduledLeads(tx, scheduled);
    });
    if (fresh < started.length)
      log.info('fan-out page rerun: some leads were already started', { campaignId: req.campaignId, already: started.length - fresh });
    const lastSeq = rows.at(-1)?.seq ?? req.afterSeq;
    return { started: started.length, skipped, lastSeq, more: rows.length === limit, wait: null };
  };
}

/** The row a deferred lead is stored with until its workflow runs (db/repositories/scheduled-leads.ts). */
const scheduledLead = (input: LeadInput, id: string, startsAt: Date): ScheduledLead => ({
  id,
  source: input.source,
  campaignId: input.campaignId ?? '',
  firstName: input.contact.firstName,
  lastName: input.contact.lastName,
  email: input.contact.email,
  phone: input.contact.phone,
  payload: input.payload,
  startsAt,
});
