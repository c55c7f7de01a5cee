// GET /campaigns/:id/stats: a campaign's funnel per step and A/B variant, and each step's verdict
// on reply rate at the campaign's significance level (api/stats/campaign-report.ts). Read scope:
// the figures name no lead.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendProblem } from '../errors.js';
import { CampaignIdParams, CampaignStatsSchema } from '../schemas/campaign-stats.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { buildCampaignStats } from '../stats/campaign-report.js';

export const campaignStatsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/campaigns/:id/stats',
    { config: { auth: 'read' }, schema: { params: CampaignIdParams, response: { 200: CampaignStatsSchema, 400: Problem, 404: Problem, ...KeyProblems } } },
    async (req, reply) => {
      const stats = await buildCampaignStats(app.db, req.params.id);
      if (stats === null) return sendProblem(reply, 404, `no campaign ${req.params.id}`);
      return stats;
    },
  );
};
