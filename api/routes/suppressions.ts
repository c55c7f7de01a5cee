// The suppression list for operators: read it, add an address by hand, and release one (admin,
// with a reason kept beside the audit row). A released address gets mail again: the send path
// checks the list right before every provider call.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { addManualSuppression, listSuppressions, releaseSuppression } from '../../db/index.js';
import { sendProblem } from '../errors.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import {
  AddedSuppression,
  AddSuppressionBody,
  ListSuppressionsQuery,
  ReleaseBody,
  ReleaseQuery,
  SuppressionIdParams,
  SuppressionList,
  SuppressionRelease,
} from '../schemas/suppressions.js';

const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export const suppressionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/suppressions',
    { config: { auth: 'read' }, schema: { querystring: ListSuppressionsQuery, response: { 200: SuppressionList, 400: Problem, ...KeyProblems } } },
    async (req) => {
      const q = req.query;
      return { items: await listSuppressions(app.db, q), limit: q.limit, offset: q.offset };
    },
  );

  app.post(
    '/suppressions',
    {
      config: { auth: 'admin' },
      schema: { body: AddSuppressionBody, response: { 200: AddedSuppression, 201: AddedSuppression, 400: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const address = req.body.address.trim();
      const channel = E164.test(address) ? 'sms' : EMAIL.test(address) ? 'email' : null;
      if (channel === null) {
        const message = 'address must be an e-mail address or an E.164 phone number (+15551234567)';
        return sendProblem(reply, 400, message, { errors: [{ field: 'address', message }] });
      }
      const { row, inserted } = await addManualSuppression(app.db, { address, channel, reason: `manual: ${req.body.reason}` });
      // 200 with the existing row when already suppressed: the first reason recorded is kept.
      return reply.status(inserted ? 201 : 200).send({ ...row, created: inserted });
    },
  );

  app.delete(
    '/suppressions/:id',
    {
      config: { auth: 'admin' },
      schema: {
        params: SuppressionIdParams,
        querystring: ReleaseQuery,
        body: ReleaseBody,
        response: { 200: SuppressionRelease, 400: Problem, 404: Problem, ...KeyProblems },
      },
    },
    async (req, reply) => {
      const reason = req.body?.reason ?? req.query.reason;
      if (reason === undefined) {
        const message = 'a reason is required to release an address (body {"reason": ...} or ?reason=)';
        return sendProblem(reply, 400, message, { errors: [{ field: 'reason', message }] });
      }
      const released = await releaseSuppression(app.db, req.params.id, { reason, by: `api-key:${req.apiKey?.name ?? 'unknown'}` });
      return released === undefined ? sendProblem(reply, 404, `no suppression ${req.params.id}`) : released;
    },
  );
};
