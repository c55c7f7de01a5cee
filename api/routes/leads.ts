// Leads for operators: a DB-backed list with filters and search, one lead's live workflow state
// with its timeline and a link into the Temporal Web UI, and stop.
import { sendProblem } from '../errors.js';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getLead, listLeadEvents, listLeads } from '../../db/index.js';
import { queryLeadState, stopLead, workflowUiUrl } from '../../temporal/lead-client.js';

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

  app.post('/leads/:id/stop', {
    config: { auth: 'write' },
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { reason } = req.body as { reason: string };
    try {
      await stopLead(app.temporal, id, { reason, by: `api-key:${req.apiKey?.name ?? 'unknown'}` });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return sendProblem(reply, 404, notFound(id));
      throw err;
    }
    return reply.status(202).send({ leadId: id, stopRequested: true });
  });
}
