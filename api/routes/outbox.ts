// The outbox: every message the leads decided to send, with its ledger state. In local mode
// (no provider credentials) this is where the "sent" mail and SMS can be read.
import type { FastifyInstance } from 'fastify';
import { listOutbox, listSuppressions } from '../../db/index.js';

const page = { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 } };

export async function outboxRoutes(app: FastifyInstance): Promise<void> {
  app.get('/outbox', {
    config: { auth: 'read' },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { lead: { type: 'string', minLength: 1, maxLength: 500 }, ...page } } },
  }, async (req) => {
    const q = req.query as { lead?: string; limit: number; offset: number };
    const rows = await listOutbox(app.db, { ...(q.lead !== undefined && { leadId: q.lead }), limit: q.limit, offset: q.offset });
    return { items: rows, limit: q.limit, offset: q.offset };
  });

  app.get('/suppressions', {
    config: { auth: 'read' },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: page } },
  }, async (req) => {
    const q = req.query as { limit: number; offset: number };
    return { items: await listSuppressions(app.db, q), limit: q.limit, offset: q.offset };
  });
}
