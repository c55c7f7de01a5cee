// The quarantine, for operators: what could not become a lead, why, the original bytes, and a
// retry that re-runs it through today's code.
import { sendProblem } from '../errors.js';
import type { FastifyInstance } from 'fastify';
import type { Ingest } from '../../intake/ingest.js';
import { QuarantineNotFoundError, retryQuarantined } from '../../intake/retry.js';
import { getQuarantined, listQuarantined } from '../../db/index.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } };
const notFound = (id: string) => `no quarantined item ${id}`;

export async function quarantineRoutes(app: FastifyInstance, opts: { ingest: Ingest }): Promise<void> {
  app.get('/quarantine', {
    config: { auth: 'read' },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: {
      status: { type: 'string', enum: ['open', 'resolved'] }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 },
    } } },
  }, async (req) => {
    const q = req.query as { status?: string; limit: number; offset: number };
    return { items: await listQuarantined(app.db, q), limit: q.limit, offset: q.offset };
  });

  app.get('/quarantine/:id', { config: { auth: 'read' }, schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const item = await getQuarantined(app.db, id);
    if (item === undefined) return sendProblem(reply, 404, notFound(id));
    const { raw, ...meta } = item;
    return { ...meta, size: raw.length, rawBase64: raw.toString('base64') };
  });

  app.get('/quarantine/:id/raw', { config: { auth: 'read' }, schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const item = await getQuarantined(app.db, id);
    if (item === undefined) return sendProblem(reply, 404, notFound(id));
    return reply.type(item.content_type ?? 'application/octet-stream').header('content-disposition', `attachment; filename="quarantine-${id}"`).send(item.raw);
  });

  app.post('/quarantine/:id/retry', { config: { auth: 'write' }, schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    try {
      const result = await retryQuarantined(opts.ingest, app.db, id);
      return await reply.status(result.status === 'accepted' ? 200 : 422).send(result);
    } catch (err) {
      if (err instanceof QuarantineNotFoundError) return sendProblem(reply, 404, notFound(id));
      throw err;
    }
  });
}
