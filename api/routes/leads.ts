// Leads for operators: a DB-backed list with filters and search, one lead's live workflow state
// with its timeline and a link into the Temporal Web UI, and the operator signals: stop, pause,
// resume, and retry (after fixing the data behind a needs_attention).
import { sendProblem } from '../errors.js';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getLead, listLeadEvents, listLeads } from '../../db/index.js';
import { leadHandle, queryLeadState, stopLead, workflowUiUrl } from '../../temporal/lead-client.js';
import { pauseSignal, resumeSignal, retrySignal } from '../../workflows/lead/contract.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { EmptyBody, LeadDetail, LeadIdParams, LeadList, ListLeadsQuery, ReasonBody, RetryBody, SignalAccepted } from '../schemas/leads.js';

export interface UiLinks { temporalUiUrl: string; namespace: string }

const notFound = (id: string) => `no lead ${id}`;

/** The schema of a write route that signals the lead's workflow: 202, or 404 when it no longer runs. */
const signalSchema = <B>(body: B) => ({ params: LeadIdParams, body, response: { 202: SignalAccepted, 400: Problem, 404: Problem, ...KeyProblems } });

export const leadRoutes: FastifyPluginAsyncTypebox<{ links: UiLinks }> = async (app, opts) => {
  app.get('/leads', {
    config: { auth: 'read' },
    schema: { querystring: ListLeadsQuery, response: { 200: LeadList, 400: Problem, ...KeyProblems } },
  }, async (req) => {
    const q = req.query; const _x: string = q.limit; const _y: number = req.query.status;
    const rows = await listLeads(app.db, { status: q.status, campaignId: q.campaign, tier: q.tier, q: q.q, limit: q.limit, offset: q.offset });
    return { items: rows.map(({ payload: _payload, ...row }) => row), limit: q.limit, offset: q.offset };
  });

  app.get('/leads/:id', {
    config: { auth: 'read' },
    schema: { params: LeadIdParams, response: { 200: LeadDetail, 400: Problem, 404: Problem, ...KeyProblems } },
  }, async (req, reply) => {
    const { id } = req.params;
    const lead = await getLead(app.db, id);
    if (lead === undefined) return sendProblem(reply, 404, notFound(id));
    const [timeline, state] = await Promise.all([
      listLeadEvents(app.db, id),
      // The workflow may have been retained away or the cluster be down: the DB view still answers.
      queryLeadState(app.temporal, id).then((s) => ({ state: s, stateError: null }), (err: Error) => ({ state: null, stateError: err.message })),
    ]);
    return { lead, ...state, timeline, links: { temporalUi: workflowUiUrl(opts.links.temporalUiUrl, opts.links.namespace, id) } };
  });

  /** Signals the lead's workflow: 404 when it no longer runs, else 202. */
  async function signalled(reply: FastifyReply, id: string, action: string, send: () => Promise<void>) {
    try {
      await send();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return sendProblem(reply, 404, `${notFound(id)} running`);
      throw err;
    }
    return reply.status(202).send({ leadId: id, [`${action}Requested`]: true });
  }
  const by = (req: { apiKey: { name: string } | null }) => `api-key:${req.apiKey?.name ?? 'unknown'}`;

  app.post('/leads/:id/stop', { config: { auth: 'write' }, schema: signalSchema(ReasonBody) }, async (req, reply) =>
    signalled(reply, req.params.id, 'stop', () => stopLead(app.temporal, req.params.id, { reason: req.body.reason, by: by(req) })));
  app.post('/leads/:id/pause', { config: { auth: 'write' }, schema: signalSchema(ReasonBody) }, async (req, reply) =>
    signalled(reply, req.params.id, 'pause', () => leadHandle(app.temporal, req.params.id).signal(pauseSignal, { reason: req.body.reason, by: by(req) })));
  app.post('/leads/:id/resume', { config: { auth: 'write' }, schema: signalSchema(EmptyBody) }, async (req, reply) =>
    signalled(reply, req.params.id, 'resume', () => leadHandle(app.temporal, req.params.id).signal(resumeSignal, { by: by(req) })));
  // A retry may carry the corrected contact the provider refused; the workflow re-enriches it.
  app.post('/leads/:id/retry', { config: { auth: 'write' }, schema: signalSchema(RetryBody) }, async (req, reply) => {
    const b = req.body;
    return signalled(reply, req.params.id, 'retry', () => leadHandle(app.temporal, req.params.id).signal(retrySignal, { by: by(req), ...(b.email !== undefined && { email: b.email }), ...(b.phone !== undefined && { phone: b.phone }) }));
  });
};
