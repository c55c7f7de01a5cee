// Handover activities: pick the salesperson (round-robin per scope, skipping reps who are away),
// build the dossier from what the database knows about the lead, send it (and escalations)
// exactly once through the outbox ledger, and keep the handover row current.
import { ApplicationFailure } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { Failure } from '../../domain/failures/index.js';
import {
  getHandover,
  getLead,
  getSalesperson,
  listLeadEvents,
  listOutbox,
  nextSalesperson,
  saveHandover,
  setHandoverAckToken,
  type Database,
} from '../../db/index.js';
import { singleMetric } from '../../config/metrics.js';
import { vehicleLabel } from '../../domain/messages/draft-types.js';
import type { Drafter } from '../ai/drafter.js';
import { ACK_LINK_TTL_MS, ackToken } from '../../domain/tokens/signed-token.js';
import { publicUrl } from '../../domain/links.js';
import type { SendActivities } from '../send/ledger.js';
import { leadProfile } from '../../domain/lead/profile.js';
import { renderDossier } from './dossier.js';
import type { Summarizer } from './summary.js';
import { Counter, Histogram } from 'prom-client';

const dossierMs = singleMetric(
  'handover_dossier_generation_ms',
  () =>
    new Histogram({
      name: 'handover_dossier_generation_ms',
      help: 'Time to build a handover dossier (summary + suggested answer), by summary path.',
      labelNames: ['path'],
      buckets: [50, 100, 250, 500, 1000, 2000, 4000, 8000, 15000],
    }),
);
const emailsSent = singleMetric(
  'handover_email_sent_total',
  () =>
    new Counter({
      name: 'handover_email_sent_total',
      help: 'Handover and escalation e-mails by outcome.',
      labelNames: ['status'],
    }),
);

const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Our messages as the lead read them, minus the unsubscribe footer compose.ts appended. */
const stripFooter = (body: string) => body.replace(/\n\n--\nTo stop receiving these e-mails:[\s\S]*$/, '');

export interface Rep {
  id: string;
  name: string;
  email: string;
  managerEmail: string | null;
}

export interface HandoverDeps {
  db: Kysely<Database>;
  drafter: Drafter;
  summarize: Summarizer;
  sendMessage: SendActivities['sendMessage'];
  senderName: string;
  /** Signs the acknowledge link; the API verifies it with the same secret. */
  secret: string;
  publicUrl: string;
  leadUrl: (leadId: string) => string;
  /** Escalations go here when the rep has no manager on file. */
  fallbackManager: string | null;
}

export function createHandoverActivities(deps: HandoverDeps) {
  const { db } = deps;

  async function assignSalesperson(args: { handoverId: string; leadId: string; scope: string }): Promise<Rep | null> {
    // A retried activity keeps the rep it already chose instead of advancing the round-robin.
    const existing = await getHandover(db, args.handoverId);
    const row = existing?.salesperson_id != null ? await getSalesperson(db, existing.salesperson_id) : await nextSalesperson(db, args.scope);
    await saveHandover(db, { id: args.handoverId, leadId: args.leadId, salespersonId: row?.id ?? null, status: row == null ? 'unassigned' : 'assigned' });
    return row == null ? null : { id: row.id, name: row.name, email: row.email, managerEmail: row.manager_email ?? deps.fallbackManager };
  }

  async function buildDossier(args: {
    handoverId: string;
    leadId: string;
    escalation: number;
  }): Promise<{ subject: string; text: string; html: string; summaryPath: string }> {
    const started = performance.now();
    const lead = await getLead(db, args.leadId);
    if (lead === undefined) throw ApplicationFailure.nonRetryable(`no lead ${args.leadId}`, 'LeadNotFound');
    const events = await listLeadEvents(db, args.leadId);
    const sent = (await listOutbox(db, { leadId: args.leadId, limit: 50, offset: 0 })).filter((r) => r.status === 'sent');
    const contact = { firstName: lead.first_name, lastName: lead.last_name, email: lead.email, phone: lead.phone };
    const profile = leadProfile({ source: lead.source, externalId: lead.external_id, campaignId: lead.campaign_id, contact, payload: lead.payload });
    const scored = events.find((e) => e.type === 'scored')?.detail as
      { score: number; tier: string; reasons: Array<{ rule: string; points: number; detail: string }> } | undefined;
    const replies = events.filter((e) => e.type === 'reply');
    const conversation = [
      ...sent.filter((r) => r.step > 0).map((r) => ({ from: 'us' as const, at: (r.sent_at ?? r.created_at).toISOString(), text: stripFooter(r.body) })),
      ...replies.map((e) => ({ from: 'lead' as const, at: e.occurred_at.toISOString(), text: textOf(e.detail.text) })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const name = [lead.first_name, lead.last_name].filter(Boolean).join(' ') || (lead.email ?? lead.phone ?? 'the lead');
    const vehicles = profile.vehicles.map((v) => vehicleLabel(v)).filter((v): v is string => v !== null);
    const lastReply = replies.at(-1);
    const [summary, suggested] = await Promise.all([
      deps.summarize({
        name,
        vehicle: vehicles[0] ?? null,
        tier: scored?.tier ?? null,
        score: scored?.score ?? null,
        source: lead.source,
        lastReply: lastReply !== undefined ? textOf(lastReply.detail.text) : null,
        intent: lastReply !== undefined ? ((lastReply.detail.intent as string | null) ?? null) : null,
      }),
      deps.drafter.draft({
        channel: 'email',
        step: sent.length + 1,
        dealerName: deps.senderName,
        lead: { firstName: lead.first_name, lastName: lead.last_name, vehicles: profile.vehicles, comments: profile.comments },
        conversation: conversation.map((m) => ({ from: m.from, text: m.text })),
      }),
    ]);
    const token = ackToken(deps.secret, args.handoverId);
    await setHandoverAckToken(db, args.handoverId, token, new Date(Date.now() + ACK_LINK_TTL_MS));
    const ackUrl = publicUrl(deps.publicUrl, `handover/ack/${token}`);
    const out = renderDossier({
      lead: { id: lead.id, name, email: lead.email, phone: lead.phone, source: lead.source, campaign: lead.campaign_id },
      vehicles,
      score: scored ?? null,
      conversation,
      summary,
      suggested,
      ackUrl,
      leadUrl: deps.leadUrl(lead.id),
      escalation: args.escalation,
    });
    dossierMs.observe({ path: summary.path }, performance.now() - started);
    return { ...out, summaryPath: summary.path };
  }

  async function sendHandoverEmail(args: { leadId: string; key: string; to: string; subject: string; text: string; html: string }): Promise<void> {
    try {
      await deps.sendMessage({
        idempotencyKey: args.key,
        leadId: args.leadId,
        step: 0,
        channel: 'email',
        to: args.to,
        subject: args.subject,
        text: args.text,
        html: args.html,
        internal: true,
      });
      emailsSent.inc({ status: 'sent' });
    } catch (err) {
      // The emergency stop holds every kind of mail: the dossier waits and goes out after the resume.
      if (err instanceof ApplicationFailure && err.type === Failure.SendingStopped) {
        throw ApplicationFailure.create({ message: err.message, type: Failure.SendingStopped, nonRetryable: false, nextRetryDelay: '1 minute' });
      }
      emailsSent.inc({ status: 'failed' });
      throw err;
    }
  }

  async function recordHandover(args: {
    handoverId: string;
    leadId: string;
    salespersonId: string | null;
    status: string;
    escalations: number;
    acknowledgedBy?: string | null;
  }): Promise<void> {
    await saveHandover(db, {
      id: args.handoverId,
      leadId: args.leadId,
      salespersonId: args.salespersonId,
      status: args.status,
      escalations: args.escalations,
      acknowledgedBy: args.acknowledgedBy ?? null,
    });
  }

  return { assignSalesperson, buildDossier, sendHandoverEmail, recordHandover };
}

export type HandoverActivities = ReturnType<typeof createHandoverActivities>;
