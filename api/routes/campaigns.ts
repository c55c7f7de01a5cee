// The campaign resource: define (validated whole), list, read, change (applies to steps not yet
// sent), and steer: start, pause, resume, cancel. The status lives in the database, where every
// slot grant and send gate of the campaign's leads reads it, so a pause holds for 10,000 leads
// the moment its transaction commits; the campaign workflow is told afterwards, for its fan-out.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CampaignTransitionError, getCampaign, insertCampaign, listCampaigns, newCampaignId, updateCampaignSpec } from '../../db/index.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { validateCampaign, validateCampaignPatch, type Problem as SpecProblem } from '../../domain/campaigns/validate.js';
import { boundedQuery, whyNoAnswer } from '../../temporal/bounded-query.js';
import { queryCampaignState, type CampaignWorkflowOptions } from '../../temporal/campaign-client.js';
import { campaignContext } from '../campaigns/inbox-context.js';
import { steerCampaign } from '../campaigns/steer.js';
import { campaignView } from '../campaigns/view.js';
import { sendProblem } from '../errors.js';
import { ActionBody, ActionResult, CAMPAIGN_ACTIONS, Campaign, CampaignBody, CampaignList, CampaignParams, ListCampaignsQuery } from '../schemas/campaigns.js';
import { KeyProblems, Problem } from '../schemas/common.js';

export interface CampaignRouteOptions {
  /** The campaign workflow's settings (tests use small pages and a short poll). */
  workflow?: CampaignWorkflowOptions;
}

/** How long the detail view waits for the campaign workflow's live state before answering the stored view. */
const CAMPAIGN_QUERY_MS = 1_000;

const invalid = (problems: SpecProblem[]) => ({
  errors: problems.map((p) => ({ field: p.path === '' ? '/' : `/${p.path.replace(/\./g, '/')}`, message: p.reason })),
});
const summary = (problems: SpecProblem[]) =>
  `the campaign has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems
    .slice(0, 3)
    .map((p) => `${p.path || 'campaign'} ${p.reason}`)
    .join('; ')}${problems.length > 3 ? '; …' : ''}`;

export const campaignRoutes: FastifyPluginAsyncTypebox<CampaignRouteOptions> = async (app, opts) => {
  const actor = (req: { apiKey?: { name: string } | null }) => `api-key:${req.apiKey?.name ?? 'unknown'}`;

  app.post(
    '/campaigns',
    { config: { auth: 'write' }, schema: { body: CampaignBody, response: { 201: Campaign, 400: Problem, ...KeyProblems } } },
    async (req, reply) => {
      const checked = validateCampaign(req.body, await campaignContext(app.db));
      if (!checked.ok) return sendProblem(reply, 400, summary(checked.problems), invalid(checked.problems));
      const row = await insertCampaign(app.db, { id: newCampaignId(), name: checked.spec.name, spec: checked.spec, createdBy: actor(req) });
      return reply.status(201).header('location', `/campaigns/${row.id}`).send(campaignView(row));
    },
  );

  app.get(
    '/campaigns',
    { config: { auth: 'read' }, schema: { querystring: ListCampaignsQuery, response: { 200: CampaignList, 400: Problem, ...KeyProblems } } },
    async (req) => {
      const q = req.query;
      const rows = await listCampaigns(app.db, { ...(q.status !== undefined && { status: q.status }), limit: q.limit, offset: q.offset });
      return { items: rows.map(campaignView), limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/campaigns/:id',
    { config: { auth: 'read' }, schema: { params: CampaignParams, response: { 200: Campaign, 400: Problem, 404: Problem, ...KeyProblems } } },
    async (req, reply) => {
      const row = await getCampaign(app.db, req.params.id);
      if (row === undefined) return sendProblem(reply, 404, `no campaign ${req.params.id}`);
      if (row.status === 'draft' || row.status === 'finished' || row.status === 'cancelled') return campaignView(row);
      // The stored view always answers; the workflow's live state only when a worker answers in time.
      const live = await boundedQuery(app.temporal, CAMPAIGN_QUERY_MS, () => queryCampaignState(app.temporal, row.id)).then((r) =>
        r.ok ? { live: { ...r.value } } : { live: null, liveError: whyNoAnswer('the campaign workflow', CAMPAIGN_QUERY_MS, r) },
      );
      return { ...campaignView(row), ...live };
    },
  );

  app.patch(
    '/campaigns/:id',
    {
      config: { auth: 'write' },
      schema: {
        params: CampaignParams,
        body: CampaignBody,
        response: { 200: Campaign, 400: Problem, 404: Problem, 409: Problem, 412: Problem, ...KeyProblems },
      },
    },
    async (req, reply) => {
      const row = await getCampaign(app.db, req.params.id);
      if (row === undefined) return sendProblem(reply, 404, `no campaign ${req.params.id}`);
      if (row.status === 'finished' || row.status === 'cancelled' || row.status === 'cancelling')
        return sendProblem(reply, 409, `campaign ${row.id} is ${row.status}: it can no longer be changed`);
      // If-Match: "<version>" makes a concurrent edit fail visibly instead of overwriting it.
      const ifMatch = req.headers['if-match'];
      const expected = typeof ifMatch === 'string' ? Number(ifMatch.replace(/^W\//, '').replace(/"/g, '')) : row.version;
      if (!Number.isInteger(expected)) return sendProblem(reply, 400, 'If-Match must be the campaign version, e.g. "3"');
      if (expected !== row.version) return sendProblem(reply, 412, `campaign ${row.id} is at version ${row.version}, not ${expected}`);
      const checked = validateCampaignPatch(row.spec as unknown as CampaignSpec, req.body, await campaignContext(app.db));
      if (!checked.ok) return sendProblem(reply, 400, summary(checked.problems), invalid(checked.problems));
      const updated = await updateCampaignSpec(app.db, row.id, checked.spec, expected);
      if (updated === undefined) return sendProblem(reply, 412, `campaign ${row.id} changed while this edit was checked; read it again`);
      return reply.header('etag', `"${updated.version}"`).send(campaignView(updated));
    },
  );

  for (const action of CAMPAIGN_ACTIONS) {
    app.post(
      `/campaigns/:id/${action}`,
      {
        config: { auth: 'write' },
        schema: { params: CampaignParams, body: ActionBody, response: { 200: ActionResult, 400: Problem, 404: Problem, 409: Problem, ...KeyProblems } },
      },
      async (req, reply) => {
        try {
          const r = await steerCampaign(app.db, app.temporal, req.params.id, action, {
            by: actor(req),
            reason: req.body?.reason ?? null,
            workflow: opts.workflow ?? {},
          });
          if (r.kind === 'missing') return sendProblem(reply, 404, `no campaign ${req.params.id}`);
          if (r.kind === 'refused') return sendProblem(reply, 409, r.reason);
          return { campaign: campaignView(r.row), changed: r.changed, acknowledged: action === 'pause' || action === 'cancel' };
        } catch (err) {
          if (err instanceof CampaignTransitionError) return sendProblem(reply, 409, err.message);
          throw err;
        }
      },
    );
  }
};
