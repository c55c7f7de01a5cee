// Drafting for a campaign lead: the campaign's CURRENT spec (a PATCH reaches the steps not yet
// sent), the lead's A/B variant of the step (a hash of lead and step, so a retry or replay picks
// the same arm), rendered in strict Liquid with the prospect's columns. Without a prompt the
// rendered variant goes verbatim; with one the AI drafter writes from it and falls back to it.
// Whatever is missing (campaign, step, prospect) falls back to the lead's ordinary draft, and a
// template that no longer renders falls back to the built-in one: a draft never fails the
// activity into endless retries over data no retry can fix. Database errors still throw: those
// are transient and a retry is right.
import type { CampaignSpec, CampaignStep, TemplateData } from '../../domain/campaigns/spec.js';
import { renderTemplate } from '../../domain/campaigns/templates.js';
import { assignVariant } from '../../domain/campaigns/variants.js';
import type { Draft, DraftContext } from '../../domain/messages/draft-types.js';
import { templateDraft } from '../../domain/messages/templates.js';
import { getCampaignContent, getCampaignProspectByLead, type Db } from '../../db/index.js';
import type { Drafter } from './drafter.js';

export interface CampaignDraftDeps {
  db: Db;
  drafter: Drafter;
}

/** The prospect columns templates see (a campaign_prospects row has them). */
export interface ProspectColumns {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  fields: Record<string, string>;
}

/** The prospect's template variables; the signature is the campaign's sender. */
export function prospectData(p: ProspectColumns, senderName: string): TemplateData {
  return {
    firstName: p.first_name,
    lastName: p.last_name,
    email: p.email,
    phone: p.phone,
    company: p.company,
    senderName,
    fields: p.fields,
  };
}

/** The step as stored, if it looks usable; the spec was validated on save, but the row is only JSON. */
function stepOf(spec: unknown, step: number): { spec: CampaignSpec; step: CampaignStep } | null {
  const s = spec as Partial<CampaignSpec> | null;
  const st = Array.isArray(s?.steps) ? (s.steps[step - 1] as Partial<CampaignStep> | undefined) : undefined;
  if (s == null || st === undefined || !Array.isArray(st.variants) || st.variants.length === 0 || typeof s.senderName !== 'string') return null;
  return { spec: s as CampaignSpec, step: st as CampaignStep };
}

const withWhy = (d: Draft, why: string): Draft => ({ ...d, detail: d.detail === undefined ? why : `${why}; ${d.detail}` });

export async function draftCampaignMessage(deps: CampaignDraftDeps, ctx: DraftContext & { campaign: { campaignId: string; leadId: string } }): Promise<Draft> {
  const { campaignId, leadId } = ctx.campaign;
  // The lead's ordinary draft (AI or built-in template), saying why the campaign's was not used.
  const ordinary = async (why: string) => withWhy(await deps.drafter.draft({ ...ctx, campaign: null }), why);

  const campaign = await getCampaignContent(deps.db, campaignId);
  if (campaign === undefined) return ordinary(`campaign ${campaignId} not found: drafted as an ordinary lead`);
  const found = stepOf(campaign.spec, ctx.step);
  if (found === null) return ordinary(`campaign ${campaignId} has no usable step ${ctx.step}: drafted as an ordinary lead`);
  const prospect = await getCampaignProspectByLead(deps.db, campaignId, leadId);
  if (prospect === undefined) return ordinary(`no prospect of campaign ${campaignId} for this lead: drafted as an ordinary lead`);

  const { spec, step } = found;
  const where = `campaign ${campaignId} step ${ctx.step}`;
  let variant: CampaignStep['variants'][number];
  let subject: string | null;
  let body: string;
  try {
    variant = assignVariant(leadId, ctx.step, step.variants);
    const data = prospectData(prospect, spec.senderName);
    const email = ctx.channel === 'email';
    subject = email && typeof variant.subject === 'string' ? renderTemplate(variant.subject, data).trim() : null;
    body = renderTemplate(variant.body, data).trim();
    if (body === '' || (email && (subject === null || subject === '')))
      throw new Error(`the ${body === '' ? 'body' : 'subject'} renders empty for this prospect`);
  } catch (err) {
    // Should not happen after validation (a hand-edited row, a limit): the built-in text, never a retry loop.
    const detail = `${where}: the campaign template did not render (${(err as Error).message}); sent the built-in template`;
    return { ...templateDraft({ ...ctx, template: null, dealerName: spec.senderName }), path: 'template', reason: 'validation', detail };
  }

  const prompt = typeof step.prompt === 'string' && step.prompt.trim() !== '' ? step.prompt : null;
  if (prompt === null) return { subject, body, path: 'template', reason: 'campaign_template', detail: `${where} variant ${variant.id}`, variant: variant.id };
  const draft = await deps.drafter.draft({ ...ctx, dealerName: spec.senderName, campaign: null }, { instruction: prompt, subject, body });
  return { ...draft, variant: variant.id };
}
