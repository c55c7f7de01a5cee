// Salespeople (admin) and the handover acknowledgement link. The link needs no API key: its
// token is signed for that one handover. A GET shows a button; only the POST acknowledges,
// so mail scanners that follow links cannot take a lead on a rep's behalf.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { addSalesperson, getHandover, getSalesperson, listSalespeople, removeSalesperson, setSalespersonAway } from '../../db/index.js';
import { verifyAckToken } from '../../domain/tokens/signed-token.js';
import { acknowledgeSignal } from '../../workflows/handover/contract.js';
import { sendProblem } from '../errors.js';
import { tokenLink } from '../token-link.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } };

export async function handoverRoutes(app: FastifyInstance, opts: { secret: string | null }): Promise<void> {
  tokenLink(app, {
    path: '/handover/ack/:token',
    verify: (token) => (opts.secret === null ? null : verifyAckToken(opts.secret, token)),
    invalid: 'this acknowledgement link is not valid',
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

  const rep = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, manager_email: { type: ['string', 'null'] }, team: { type: ['string', 'null'] }, away: { type: 'boolean' } } };
  app.get('/salespeople', { config: { auth: 'read' }, schema: { response: { 200: { type: 'object', properties: { items: { type: 'array', items: rep } } } } } }, async () => ({ items: await listSalespeople(app.db) }));

  app.post('/salespeople', {
    config: { auth: 'admin' },
    schema: {
      body: { type: 'object', additionalProperties: false, required: ['name', 'email'], properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 }, email: { type: 'string', format: 'email', maxLength: 320 },
        managerEmail: { type: ['string', 'null'], format: 'email', maxLength: 320 }, team: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
      } },
      response: { 201: rep },
    },
  }, async (req, reply) => {
    const b = req.body as { name: string; email: string; managerEmail?: string | null; team?: string | null };
    const existing = (await listSalespeople(app.db)).find((s) => s.email === b.email.trim().toLowerCase());
    if (existing !== undefined) return sendProblem(reply, 409, `a salesperson with e-mail ${b.email} exists (${existing.id})`);
    return reply.status(201).send(await addSalesperson(app.db, { id: randomUUID(), name: b.name, email: b.email, managerEmail: b.managerEmail ?? null, team: b.team ?? null }));
  });

  app.patch('/salespeople/:id', {
    config: { auth: 'admin' },
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, required: ['away'], properties: { away: { type: 'boolean' } } }, response: { 200: rep } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const row = await setSalespersonAway(app.db, id, (req.body as { away: boolean }).away);
    return row === undefined ? sendProblem(reply, 404, `no salesperson ${id}`) : reply.send(row);
  });

  app.delete('/salespeople/:id', { config: { auth: 'admin' }, schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    return (await removeSalesperson(app.db, id)) ? reply.status(204).send() : sendProblem(reply, 404, `no salesperson ${id}`);
  });
}
