// The audit trail, for admins.
import type { FastifyInstance } from 'fastify';
import { listAudit } from '../../db/index.js';

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get('/audit', {
    config: { auth: 'admin' },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: {
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 },
    } } },
  }, async (req) => {
    const q = req.query as { limit: number; offset: number };
    return { items: await listAudit(app.db, q), limit: q.limit, offset: q.offset };
  });
}
