// The inbox registry for operators: sending identities with their policy and (write-only)
// credentials, verified by a login before they are stored, and pause/resume of an inbox's
// workflow. The environment's single sender shows up as the implicit inboxes `default` and
// `default-sms`: listed, paused and resumed like the others, edited only through its variables.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getInbox, listInboxes } from '../../db/index.js';
import type { SecretBox } from '../../domain/crypto/secret-box.js';
import type { InboxVerifier } from '../../domain/inboxes/connection.js';
import type { ImplicitInbox } from '../../domain/inboxes/types.js';
import { boundedQuery, whyNoAnswer } from '../../temporal/bounded-query.js';
import { ensureInboxWatchers } from '../../temporal/mailbox-client.js';
import { inboxHandle, pauseInbox, resumeInbox, updateInboxPolicy, type InboxStart } from '../../temporal/inbox-client.js';
import { inboxChannel, TRANSACTIONAL_POLICY, type InboxPolicy } from '../../workflows/inbox/contract.js';
import { sendProblem } from '../errors.js';
import { createInbox, inboxView, InboxInputError, patchInbox, type RegistryDeps } from '../inboxes/registry.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import {
  CreateInboxBody,
  InboxIdParams,
  InboxList,
  InboxSignalAccepted,
  InboxView,
  ListInboxesQuery,
  PatchedInbox,
  PatchInboxBody,
  PauseInboxBody,
  ResumeInboxBody,
} from '../schemas/inboxes.js';

export interface InboxRouteOptions {
  box: SecretBox;
  verify: InboxVerifier;
  implicit: ImplicitInbox[];
  /** Where secrets given as variable names are resolved for verification (default: this process's environment). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** How long a PATCH waits for the running inbox workflow to take a new policy (the row is stored either way). */
export const POLICY_UPDATE_MS = 3_000;

const implicitView = (i: ImplicitInbox) => ({
  id: i.id,
  kind: i.kind,
  channel: inboxChannel(i.kind),
  address: i.address,
  displayName: i.displayName,
  status: 'active',
  implicit: true,
  provider: i.provider,
  policy: TRANSACTIONAL_POLICY as unknown as Record<string, unknown>,
  settings: {},
  verifiedAt: null,
  createdAt: null,
  updatedAt: null,
});

const by = (req: { apiKey: { name: string } | null }) => `api-key:${req.apiKey?.name ?? 'unknown'}`;
const refused = (reply: FastifyReply, err: InboxInputError) =>
  sendProblem(reply, err.status, err.message, err.field === null ? {} : { errors: [{ field: err.field, message: err.message }] });

export const inboxRoutes: FastifyPluginAsyncTypebox<InboxRouteOptions> = async (app, opts) => {
  const deps: RegistryDeps = { db: app.db, box: opts.box, verify: opts.verify, env: opts.env ?? process.env };
  const implicit = new Map<string, ImplicitInbox>(opts.implicit.map((i) => [i.id, i]));

  /** What starting the inbox's workflow needs: policy and day 0 from the registry (the implicit ones: transactional, age unknown). */
  async function startOf(id: string): Promise<InboxStart | null> {
    if (implicit.has(id)) return { inboxId: id, policy: TRANSACTIONAL_POLICY, createdAt: 0 };
    const row = await getInbox(app.db, id);
    return row === undefined ? null : { inboxId: id, policy: row.policy as unknown as InboxPolicy, createdAt: row.created_at.getTime() };
  }

  /**
   * Starts the watcher of a new inbox's mailbox (replies) now rather than at the next worker start.
   * Best effort: the inbox is stored either way, and every worker start ensures its watcher.
   */
  async function watchReplies(id: string, imap: { mailbox?: string } | undefined, log: FastifyBaseLogger): Promise<void> {
    if (imap === undefined) return;
    await ensureInboxWatchers(app.temporal, [{ id, mailbox: imap.mailbox ?? 'INBOX' }]).catch((err: unknown) =>
      log.warn({ err, inboxId: id }, 'could not start the mailbox watcher of a new inbox; the next worker start does'),
    );
  }

  app.get(
    '/inboxes',
    { config: { auth: 'read' }, schema: { querystring: ListInboxesQuery, response: { 200: InboxList, 400: Problem, ...KeyProblems } } },
    async (req) => {
      const q = req.query;
      // One list: the implicit inboxes first, then the registry's. A page takes what it can of the
      // implicit ones and fills the rest of its limit from the registry, offset past them.
      const implicitAll = opts.implicit.filter((i) => q.kind === undefined || i.kind === q.kind);
      const head = implicitAll.slice(q.offset, q.offset + q.limit).map(implicitView);
      const rest = q.limit - head.length;
      const rows =
        rest === 0
          ? []
          : await listInboxes(app.db, { ...(q.kind !== undefined && { kind: q.kind }), limit: rest, offset: Math.max(0, q.offset - implicitAll.length) });
      return { items: [...head, ...rows.map((r) => inboxView(opts.box, r))], limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/inboxes/:id',
    { config: { auth: 'read' }, schema: { params: InboxIdParams, response: { 200: InboxView, 400: Problem, 404: Problem, ...KeyProblems } } },
    async (req, reply) => {
      const { id } = req.params;
      const known = implicit.get(id);
      if (known !== undefined) return implicitView(known);
      const row = await getInbox(app.db, id);
      return row === undefined ? sendProblem(reply, 404, `no inbox ${id}`) : inboxView(opts.box, row);
    },
  );

  app.post(
    '/inboxes',
    {
      config: { auth: 'admin' },
      schema: { body: CreateInboxBody, response: { 201: InboxView, 400: Problem, 409: Problem, 422: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      try {
        const row = await createInbox(deps, req.body);
        await watchReplies(row.id, row.settings.imap as { mailbox?: string } | undefined, req.log);
        return await reply.status(201).header('location', `/inboxes/${row.id}`).send(inboxView(opts.box, row));
      } catch (err) {
        if (err instanceof InboxInputError) return refused(reply, err);
        throw err;
      }
    },
  );

  app.patch(
    '/inboxes/:id',
    {
      config: { auth: 'admin' },
      schema: {
        params: InboxIdParams,
        body: PatchInboxBody,
        response: { 200: PatchedInbox, 400: Problem, 404: Problem, 409: Problem, 422: Problem, ...KeyProblems },
      },
    },
    async (req, reply) => {
      let outcome;
      try {
        outcome = await patchInbox(deps, req.params.id, req.body);
      } catch (err) {
        if (err instanceof InboxInputError) return refused(reply, err);
        throw err;
      }
      const { row, policyChanged } = outcome;
      const workflow =
        policyChanged === null ? { applied: false, detail: 'the policy did not change' } : await applyPolicy(row.id, policyChanged, row.created_at);
      return { ...inboxView(opts.box, row), workflow };
    },
  );

  /**
   * Hands a changed policy to the inbox's workflow when it runs, waiting at most POLICY_UPDATE_MS. One that does not run yet starts
   * later from the registry, with the stored (new) policy, so it is not started here.
   */
  async function applyPolicy(id: string, policy: InboxPolicy, createdAt: Date): Promise<{ applied: boolean; detail: string }> {
    try {
      const { status } = await inboxHandle(app.temporal, id).describe();
      if (status.name !== 'RUNNING') return { applied: false, detail: 'the inbox workflow is not running; it starts with the stored policy' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { applied: false, detail: 'the inbox workflow is not running; it starts with the stored policy' };
      throw err;
    }
    // An update waits for a worker: with none polling, this PATCH hung (found by the API fuzzer).
    const r = await boundedQuery(app.temporal, POLICY_UPDATE_MS, () =>
      updateInboxPolicy(app.temporal, { inboxId: id, policy, createdAt: createdAt.getTime() }, policy),
    );
    if (r.ok) return { applied: true, detail: 'the running inbox workflow applies the new policy' };
    if (!r.timedOut) throw r.error;
    return {
      applied: false,
      detail: `${whyNoAnswer('the running inbox workflow', POLICY_UPDATE_MS, r)}: it may keep the old policy until a worker takes the update; PATCH the same policy again to make sure`,
    };
  }

  app.post(
    '/inboxes/:id/pause',
    {
      config: { auth: 'write' },
      schema: { params: InboxIdParams, body: PauseInboxBody, response: { 202: InboxSignalAccepted, 400: Problem, 404: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const { id } = req.params;
      const until = req.body.until === undefined ? null : Date.parse(req.body.until);
      if (until !== null && until <= Date.now())
        return sendProblem(reply, 400, 'until must be in the future', { errors: [{ field: 'until', message: 'until must be in the future' }] });
      const start = await startOf(id);
      if (start === null) return sendProblem(reply, 404, `no inbox ${id}`);
      await pauseInbox(app.temporal, start, { by: by(req), reason: req.body.reason, until });
      return reply.status(202).send({ inboxId: id, accepted: true });
    },
  );

  app.post(
    '/inboxes/:id/resume',
    {
      config: { auth: 'write' },
      schema: { params: InboxIdParams, body: ResumeInboxBody, response: { 202: InboxSignalAccepted, 400: Problem, 404: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const { id } = req.params;
      const start = await startOf(id);
      if (start === null) return sendProblem(reply, 404, `no inbox ${id}`);
      await resumeInbox(app.temporal, start, by(req));
      return reply.status(202).send({ inboxId: id, accepted: true });
    },
  );
};
