// The audit trail, for admins.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAudit } from '../../db/index.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { AuditList, ListAuditQuery } from '../schemas/audit.js';

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      config: { auth: 'admin' },
      schema: { querystring: ListAuditQuery, response: { 200: AuditList, 400: Problem, ...KeyProblems } },
    },
    async (req) => {
      const q = req.query;
      return { items: await listAudit(app.db, q), limit: q.limit, offset: q.offset };
    },
  );
};
