// GET /inboxes/:id/health: an inbox's health score with its inputs and parts, its ramp day, today's
// limit and what is left of it, and its pause (until when, why). Live from the inbox workflow when
// it answers within INBOX_QUERY_MS; otherwise the figures it last saved (inbox_state); for an
// inbox that has never sent, what its policy gives on its first day. `source` says which.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getInbox, getInboxState } from '../../db/index.js';
import { isImplicitInbox } from '../../domain/inboxes/types.js';
import { boundedQuery, whyNoAnswer } from '../../temporal/bounded-query.js';
import { queryInboxStatus } from '../../temporal/inbox-client.js';
import { TRANSACTIONAL_POLICY, type InboxPolicy } from '../../workflows/inbox/contract.js';
import { sendProblem } from '../errors.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { InboxIdParams } from '../schemas/inboxes.js';
import { InboxHealthSchema } from '../schemas/stats.js';
import { healthView, statusFromPolicy, statusFromState, type InboxBasis } from '../stats/inbox-health.js';

/** A query needs a worker to answer; with none polling it would wait ~30 s (as GET /leads/:id found). */
export const INBOX_QUERY_MS = 2000;

function notLive(r: { timedOut: boolean; error: unknown }): string {
  if (r.error instanceof WorkflowNotFoundError) return 'the inbox workflow has not run yet';
  return whyNoAnswer('the inbox workflow', INBOX_QUERY_MS, r);
}

export const inboxHealthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The registry's policy and day 0, or the implicit inboxes' (transactional, age unknown); null: no such inbox. */
  async function basisOf(id: string): Promise<InboxBasis | null> {
    if (isImplicitInbox(id)) return { inboxId: id, policy: TRANSACTIONAL_POLICY, createdAt: 0 };
    const row = await getInbox(app.db, id);
    return row === undefined ? null : { inboxId: id, policy: row.policy as unknown as InboxPolicy, createdAt: row.created_at.getTime() };
  }

  app.get(
    '/inboxes/:id/health',
    { config: { auth: 'read' }, schema: { params: InboxIdParams, response: { 200: InboxHealthSchema, 400: Problem, 404: Problem, ...KeyProblems } } },
    async (req, reply) => {
      const { id } = req.params;
      const basis = await basisOf(id);
      if (basis === null) return sendProblem(reply, 404, `no inbox ${id}`);
      const live = await boundedQuery(app.temporal, INBOX_QUERY_MS, () => queryInboxStatus(app.temporal, id)).then((r) =>
        r.ok ? { status: r.value, why: null } : { status: null, why: notLive(r) },
      );
      const now = Date.now();
      if (live.status !== null) return healthView(live.status, 'live', null, null, now);
      const row = await getInboxState(app.db, id);
      if (row !== undefined)
        return healthView(statusFromState(row, basis, now), 'stored', `${live.why}; these are the figures it saved last`, row.updated_at, now);
      return healthView(statusFromPolicy(basis, now), 'policy', `${live.why} and has saved nothing: these are its policy's first-day figures`, null, now);
    },
  );
};
