// Leads for operators: a DB-backed list with filters and search, one lead's live workflow state
// with its timeline and a link into the Temporal Web UI, and the operator signals: stop, pause,
// resume, and retry (after fixing the data behind a needs_attention).
import { sendProblem } from '../errors.js';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getLead, listLeadEvents, listLeads } from '../../db/index.js';
import { leadHandle, queryLeadState, stopLead, workflowUiUrl } from '../../temporal/lead-client.js';
import { pauseSignal, resumeSignal, retrySignal } from '../../workflows/lead/contract.js';

export interface UiLinks { temporalUiUrl: string; namespace: string }

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 500 } } };
const notFound = (id: string) => `no lead ${id}`;


export async function leadRoutes(app: FastifyInstance, opts: { links: UiLinks }): Promise<void> {
  app.get('/leads', {
    config: { auth: 'read' },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: {
      status: { type: 'string', maxLength: 50 }, campaign: { type: 'string', maxLength: 200 }, tier: { type: 'string', enum: ['hot', 'warm', 'cold'] },
      q: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 },
    } } },
  }, async (req) => {
    const q = req.query as { status?: string; campaign?: string; tier?: string; q?: string; limit: number; offset: number };
    const rows = await listLeads(app.db, { status: q.status, campaignId: q.campaign, tier: q.tier, q: q.q, limit: q.limit, offset: q.offset });
    return { items: rows.map(({ payload: _payload, ...row }) => row), limit: q.limit, offset: q.offset };
  });

  app.get('/leads/:id', { config: { auth: 'read' }, schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const lead = await getLead(app.db, id);
    if (lead === undefined) return sendProblem(reply, 404, notFound(id));
    const [timeline, state] = await Promise.all([
      listLeadEvents(app.db, id),
      // The workflow may have been retained away or the cluster be down: the DB view still answers.
      queryLeadState(app.temporal, id).then((s) => ({ state: s, stateError: null }), (err: Error) => ({ state: null, stateError: err.message })),
    ]);
    return { lead, ...state, timeline, links: { temporalUi: workflowUiUrl(opts.links.temporalUiUrl, opts.links.namespace, id) } };
  });

  /** A write route that signals the lead's workflow: 404 when it no longer runs, else 202. */
  function signalRoute<B>(action: string, body: Record<string, unknown>, send: (id: string, body: B, by: string) => Promise<void>) {
    app.post(`/leads/:id/${action}`, { config: { auth: 'write' }, schema: { params: idParams, body } }, async (req, reply) => {
      const { id } = req.params as { id: string };
      try {
        await send(id, (req.body ?? {}) as B, `api-key:${req.apiKey?.name ?? 'unknown'}`);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return sendProblem(reply, 404, `${notFound(id)} running`);
        throw err;
      }
      return reply.status(202).send({ leadId: id, [`${action}Requested`]: true });
    });
  }
  const reasonBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } };
  const emptyBody = { type: 'object', additionalProperties: false, properties: {} };

  signalRoute<{ reason: string }>('stop', reasonBody, (id, b, by) => stopLead(app.temporal, id, { reason: b.reason, by }));
  signalRoute<{ reason: string }>('pause', reasonBody, (id, b, by) => leadHandle(app.temporal, id).signal(pauseSignal, { reason: b.reason, by }));
  signalRoute('resume', emptyBody, (id, _b, by) => leadHandle(app.temporal, id).signal(resumeSignal, { by }));
  // A retry may carry the corrected contact the provider refused; the workflow re-enriches it.
  signalRoute<{ email?: string; phone?: string }>('retry', {
    type: 'object', additionalProperties: false, properties: {
      email: { type: 'string', format: 'email', maxLength: 320 }, phone: { type: 'string', minLength: 3, maxLength: 40 },
    },
  }, (id, b, by) => leadHandle(app.temporal, id).signal(retrySignal, { by, ...(b.email !== undefined && { email: b.email }), ...(b.phone !== undefined && { phone: b.phone }) }));
}
