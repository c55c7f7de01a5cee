// Salespeople (admin) and the handover acknowledgement link. The link needs no API key: its
// token is signed for that one handover. A GET shows a button; only the POST acknowledges,
// so mail scanners that follow links cannot take a lead on a rep's behalf.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { addSalesperson, findHandoverByAckToken, getHandover, getSalesperson, listSalespeople, removeSalesperson, setSalespersonAway } from '../../db/index.js';
import { ACK_LINK_TTL_MS, isLinkToken, verifyAckToken } from '../../domain/tokens/signed-token.js';
import { acknowledgeSignal } from '../../workflows/handover/contract.js';
import { sendProblem } from '../errors.js';
import { tokenLink } from '../token-link.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { NewSalesperson, NoContent, Salesperson, SalespersonAway, SalespersonIdParams, SalespersonList } from '../schemas/salespeople.js';

export const handoverRoutes: FastifyPluginAsyncTypebox<{ secret: string | null }> = async (app, opts) => {
  tokenLink(app, {
    path: '/handover/ack/:token',
    // A link works until its handover has nothing left to acknowledge (ACK_LINK_TTL_MS).
    async verify(token): Promise<string | null> {
      if (opts.secret === null) return null;
      if (isLinkToken(token)) {
        const row = await findHandoverByAckToken(app.db, token);
        return row !== undefined && row.ack_expires_at !== null && row.ack_expires_at.getTime() > Date.now() ? row.id : null;
      }
      const id = verifyAckToken(opts.secret, token); // links sent before link tokens
      const row = id === null ? undefined : await getHandover(app.db, id);
      return row !== undefined && row.created_at.getTime() + ACK_LINK_TTL_MS > Date.now() ? row.id : null;
    },
    invalid: 'this acknowledgement link is not valid or has expired',
    confirm: { title: 'Take this lead', body: '<form method="post"><button type="submit">I\'m on it: acknowledge this lead</button></form>' },
    async act(id) {
      const row = await getHandover(app.db, id);
      const rep = row?.salesperson_id != null ? await getSalesperson(app.db, row.salesperson_id) : undefined;
      try {
        await app.temporal.workflow.getHandle(id).signal(acknowledgeSignal, { by: rep?.email ?? 'ack-link' });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        return { title: 'Already closed', body: '<p>This handover is already closed.</p>' };
      }
      return { title: 'Acknowledged', body: '<p>Thanks, the lead is yours. Escalation is cancelled.</p>' };
    },
  });

  app.get(
    '/salespeople',
    {
      config: { auth: 'read' },
      schema: { response: { 200: SalespersonList, ...KeyProblems } },
    },
    async () => ({ items: await listSalespeople(app.db) }),
  );

  app.post(
    '/salespeople',
    {
      config: { auth: 'admin' },
      schema: { body: NewSalesperson, response: { 201: Salesperson, 400: Problem, 409: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const b = req.body;
      const existing = (await listSalespeople(app.db)).find((s) => s.email === b.email.trim().toLowerCase());
      if (existing !== undefined) return sendProblem(reply, 409, `a salesperson with e-mail ${b.email} exists (${existing.id})`);
      return reply
        .status(201)
        .send(await addSalesperson(app.db, { id: randomUUID(), name: b.name, email: b.email, managerEmail: b.managerEmail ?? null, team: b.team ?? null }));
    },
  );

  app.patch(
    '/salespeople/:id',
    {
      config: { auth: 'admin' },
      schema: { params: SalespersonIdParams, body: SalespersonAway, response: { 200: Salesperson, 400: Problem, 404: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const { id } = req.params;
      const row = await setSalespersonAway(app.db, id, req.body.away);
      return row === undefined ? sendProblem(reply, 404, `no salesperson ${id}`) : reply.send(row);
    },
  );

  app.delete(
    '/salespeople/:id',
    {
      config: { auth: 'admin' },
      schema: { params: SalespersonIdParams, response: { 204: NoContent, 400: Problem, 404: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const { id } = req.params;
      return (await removeSalesperson(app.db, id)) ? reply.status(204).send() : sendProblem(reply, 404, `no salesperson ${id}`);
    },
  );
};
