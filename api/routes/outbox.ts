// The outbox: every message the leads decided to send, with its ledger state. In local mode
// (no provider credentials) this is where the "sent" mail and SMS can be read. (The suppression
// list is routes/suppressions.ts.)
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listOutbox } from '../../db/index.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { ListOutboxQuery, OutboxList } from '../schemas/outbox.js';

export const outboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/outbox',
    {
      config: { auth: 'read' },
      schema: { querystring: ListOutboxQuery, response: { 200: OutboxList, 400: Problem, ...KeyProblems } },
    },
    async (req) => {
      const q = req.query;
      const rows = await listOutbox(app.db, { ...(q.lead !== undefined && { leadId: q.lead }), limit: q.limit, offset: q.offset });
      // The unsubscribe token is a capability (it unsubscribes its lead without a key): never served.
      return { items: rows.map(({ unsubscribe_token: _token, ...row }) => row), limit: q.limit, offset: q.offset };
    },
  );
};
