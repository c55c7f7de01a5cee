// POST /campaigns/:id/preview: the campaign's current spec rendered for a prospect the operator
// describes, every step and A/B variant, with warnings (empty variables, missing columns, old
// placeholders, the default sender name, over-long SMS). Read scope: it changes nothing and the
// prospect is the caller's own example.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getCampaignContent } from '../../db/index.js';
import { previewCampaign } from '../../domain/campaigns/preview.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { sendProblem } from '../errors.js';
import { CampaignPreview, PreviewBody, PreviewParams } from '../schemas/campaign-preview.js';
import { KeyProblems, Problem } from '../schemas/common.js';

export const campaignPreviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/campaigns/:id/preview',
    {
      config: { auth: 'read' },
      schema: { params: PreviewParams, body: PreviewBody, response: { 200: CampaignPreview, 400: Problem, 404: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const campaign = await getCampaignContent(app.db, req.params.id);
      if (campaign === undefined) return sendProblem(reply, 404, `no campaign ${req.params.id}`);
      const p = req.body.prospect;
      // The stored spec was validated whole when it was saved (domain/campaigns/validate.ts).
      const steps = previewCampaign(campaign.spec as unknown as CampaignSpec, {
        firstName: p.firstName ?? null,
        lastName: p.lastName ?? null,
        email: p.email ?? null,
        phone: p.phone ?? null,
        company: p.company ?? null,
        fields: p.fields ?? {},
      });
      return { campaignId: campaign.id, steps };
    },
  );
};
