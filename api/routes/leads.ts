// Leads for operators: a DB-backed list with filters and search, one lead's live workflow state
// with its timeline and a link into the Temporal Web UI, and the operator signals: stop, pause,
// resume, and retry (after fixing the data behind a needs_attention).
import { sendProblem } from '../errors.js';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { Type, type TProperties } from 'typebox';
import { getLead, listLeadEvents, listLeads, SCHEDULED_STATUS } from '../../db/index.js';
import { signalIfScheduled } from '../campaigns/wake-scheduled.js';
import { boundedQuery, whyNoAnswer } from '../../temporal/bounded-query.js';
import { leadHandle, queryLeadState, workflowUiUrl } from '../../temporal/lead-client.js';
import { pauseSignal, resumeSignal, retrySignal, stopSignal } from '../../workflows/lead/contract.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { EmptyBody, LeadDetail, LeadIdParams, LeadList, ListLeadsQuery, ReasonBody, RetryBody, SignalAccepted } from '../schemas/leads.js';

export interface UiLinks {
  temporalUiUrl: string;
  namespace: string;
}

export interface LeadRouteOptions {
  links: UiLinks;
  /** The campaign leads' task queue, for a signal that wakes a deferred one (api/campaigns/wake-scheduled.ts). */
  campaignTaskQueue?: string | undefined;
}

const notFound = (id: string) => `no lead ${id}`;

const DEFERRED = "live state unavailable: the lead's workflow starts when its first step is due (the timeline's 'scheduled' event); this is the stored view";

/**
 * How long the detail waits for the lead's live state. A workflow query needs a worker to answer
 * it; with none polling (down, or backlogged) it waited ~30 s (found by the fuzzer). Past this the
 * detail answers with the stored view and says why the live state is missing.
 */
export const LEAD_STATE_QUERY_MS = 2000;

/** `stateError`: why the detail has no live state. */
const stateUnavailable = (r: { timedOut: boolean; error: unknown }): string =>
  `live state unavailable: ${whyNoAnswer("the lead's workflow", LEAD_STATE_QUERY_MS, r)}; this is the stored view`;

/** The schema of a write route that signals the lead's workflow: 202, or 404 when it no longer runs. */
const signalSchema = <B, Flag extends TProperties>(body: B, flag: Flag) => ({
  params: LeadIdParams,
  body,
  response: { 202: SignalAccepted(flag), 400: Problem, 404: Problem, ...KeyProblems },
});

export const leadRoutes: FastifyPluginAsyncTypebox<LeadRouteOptions> = async (app, opts) => {
  app.get(
    '/leads',
    {
      config: { auth: 'read' },
      schema: { querystring: ListLeadsQuery, response: { 200: LeadList, 400: Problem, ...KeyProblems } },
    },
    async (req) => {
      const q = req.query;
      const rows = await listLeads(app.db, { status: q.status, campaignId: q.campaign, tier: q.tier, q: q.q, limit: q.limit, offset: q.offset });
      return { items: rows.map(({ payload: _payload, ...row }) => row), limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/leads/:id',
    {
      config: { auth: 'read' },
      schema: { params: LeadIdParams, response: { 200: LeadDetail, 400: Problem, 404: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const { id } = req.params;
      const lead = await getLead(app.db, id);
      if (lead === undefined) return sendProblem(reply, 404, notFound(id));
      const [timeline, state] = await Promise.all([
        listLeadEvents(app.db, id),
        // A deferred campaign lead's workflow has run no task yet, so nothing could answer a query.
        lead.status === SCHEDULED_STATUS
          ? { state: null, stateError: DEFERRED }
          : // The workflow may have been retained away, no worker may answer, or the cluster be down:
            // the DB view still answers, within LEAD_STATE_QUERY_MS.
            boundedQuery(app.temporal, LEAD_STATE_QUERY_MS, () => queryLeadState(app.temporal, id)).then((r) =>
              r.ok ? { state: r.value, stateError: null } : { state: null, stateError: stateUnavailable(r) },
            ),
      ]);
      return { lead, ...state, timeline, links: { temporalUi: workflowUiUrl(opts.links.temporalUiUrl, opts.links.namespace, id) } };
    },
  );

  /** Sends an operator signal: false when the lead's workflow no longer runs (answered 404). */
  async function signalled(send: () => Promise<void>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
  const by = (req: { apiKey: { name: string } | null }) => `api-key:${req.apiKey?.name ?? 'unknown'}`;
  const notRunning = (reply: FastifyReply, id: string) => sendProblem(reply, 404, `${notFound(id)} running`);

  /** A lead's signal; a deferred campaign lead is woken with it, so it acts now (api/campaigns/wake-scheduled.ts). */
  async function signalLead<Arg>(id: string, def: SignalDefinition<[Arg]>, arg: Arg): Promise<boolean> {
    const woken = await signalIfScheduled(app.db, app.temporal, id, { def, arg }, opts.campaignTaskQueue);
    return woken ?? (await signalled(() => leadHandle(app.temporal, id).signal(def, arg)));
  }
  app.post('/leads/:id/stop', { config: { auth: 'write' }, schema: signalSchema(ReasonBody, { stopRequested: Type.Boolean() }) }, async (req, reply) => {
    const { id } = req.params;
    if (!(await signalLead(id, stopSignal, { reason: req.body.reason, by: by(req) }))) return notRunning(reply, id);
    return reply.status(202).send({ leadId: id, stopRequested: true });
  });
  app.post('/leads/:id/pause', { config: { auth: 'write' }, schema: signalSchema(ReasonBody, { pauseRequested: Type.Boolean() }) }, async (req, reply) => {
    const { id } = req.params;
    if (!(await signalLead(id, pauseSignal, { reason: req.body.reason, by: by(req) }))) return notRunning(reply, id);
    return reply.status(202).send({ leadId: id, pauseRequested: true });
  });
  app.post('/leads/:id/resume', { config: { auth: 'write' }, schema: signalSchema(EmptyBody, { resumeRequested: Type.Boolean() }) }, async (req, reply) => {
    const { id } = req.params;
    if (!(await signalLead(id, resumeSignal, { by: by(req) }))) return notRunning(reply, id);
    return reply.status(202).send({ leadId: id, resumeRequested: true });
  });
  // A retry may carry the corrected contact the provider refused; the workflow re-enriches it.
  app.post('/leads/:id/retry', { config: { auth: 'write' }, schema: signalSchema(RetryBody, { retryRequested: Type.Boolean() }) }, async (req, reply) => {
    const { id } = req.params;
    const { email, phone } = req.body;
    const retry = { by: by(req), ...(email !== undefined && { email }), ...(phone !== undefined && { phone }) };
    if (!(await signalLead(id, retrySignal, retry))) return notRunning(reply, id);
    return reply.status(202).send({ leadId: id, retryRequested: true });
  });
};
