// Drafting for a campaign lead: the campaign's CURRENT spec (a PATCH reaches the steps not yet
// sent), the lead's A/B variant of the step (a hash of lead and step, so a retry or replay picks
// the same arm), rendered in strict Liquid with the prospect's columns. Without a prompt the
// rendered variant goes verbatim; with one the AI drafter writes from it and falls back to it.
// A lead that is not one of the campaign's prospects (a lead posted with the campaign's id as a
// tag, or an id no campaign has) gets its ordinary draft. A prospect's lead only ever gets its
// campaign's own text: a variant that no longer renders gives way to another variant of the same
// step, and when none renders, or the step is gone, the activity fails with CampaignDraftHeld
// (not retried: no retry fixes the data) and the lead waits for a person instead of sending the
// built-in dealer text. Database errors still throw: those are transient and a retry is right.
import { ApplicationFailure } from '@temporalio/activity';
import type { CampaignSpec, CampaignStep, CampaignVariant, TemplateData } from '../../domain/campaigns/spec.js';
import { renderTemplate } from '../../domain/campaigns/templates.js';
import { assignVariant } from '../../domain/campaigns/variants.js';
import { Failure } from '../../domain/failures/index.js';
import type { Draft, DraftContext } from '../../domain/messages/draft-types.js';
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

/** The lead waits in needs_attention with this reason (workflows/lead/send-step.ts). */
const held = (why: string) => ApplicationFailure.nonRetryable(`${why}; nothing was sent: fix the campaign, then retry the lead`, Failure.CampaignDraftHeld);

/** One variant rendered for the prospect; throws when it does not render or renders empty. */
function render(variant: CampaignVariant, data: TemplateData, channel: DraftContext['channel']): { subject: string | null; body: string } {
  const email = channel === 'email';
  const subject = email && typeof variant.subject === 'string' ? renderTemplate(variant.subject, data).trim() : null;
  const body = renderTemplate(variant.body, data).trim();
  if (body === '' || (email && (subject === null || subject === '')))
    throw new Error(`the ${body === '' ? 'body' : 'subject'} renders empty for this prospect`);
  return { subject, body };
}

/** The lead's assigned variant if it renders, else the step's first other one that does; null when none does. */
function firstRendering(leadId: string, stepNo: number, step: CampaignStep, data: TemplateData, channel: DraftContext['channel']) {
  let assigned: CampaignVariant | null = null;
  try {
    assigned = assignVariant(leadId, stepNo, step.variants);
  } catch {
    // Weights broken by hand: no arm is assigned, the variants are tried in order.
  }
  const failed: string[] = [];
  for (const variant of assigned === null ? step.variants : [assigned, ...step.variants.filter((v) => v !== assigned)]) {
    try {
      return { variant, text: render(variant, data, channel), failed };
    } catch (err) {
      failed.push(`variant ${variant.id}: ${(err as Error).message}`);
    }
  }
  return { variant: null, text: null, failed };
}

export async function draftCampaignMessage(deps: CampaignDraftDeps, ctx: DraftContext & { campaign: { campaignId: string; leadId: string } }): Promise<Draft> {
  const { campaignId, leadId } = ctx.campaign;
  // The lead's ordinary draft (AI or built-in template), saying why the campaign's was not used.
  const ordinary = async (why: string) => withWhy(await deps.drafter.draft({ ...ctx, campaign: null }), why);

  const campaign = await getCampaignContent(deps.db, campaignId);
  if (campaign === undefined) return ordinary(`campaign ${campaignId} not found: drafted as an ordinary lead`);
  const prospect = await getCampaignProspectByLead(deps.db, campaignId, leadId);
  if (prospect === undefined) return ordinary(`no prospect of campaign ${campaignId} for this lead: drafted as an ordinary lead`);

  const where = `campaign ${campaignId} step ${ctx.step}`;
  const found = stepOf(campaign.spec, ctx.step);
  if (found === null) throw held(`${where}: the campaign has no usable step ${ctx.step} (removed or emptied after this lead started?)`);
  const { spec, step } = found;
  const { variant, text, failed } = firstRendering(leadId, ctx.step, step, prospectData(prospect, spec.senderName), ctx.channel);
  if (variant === null || text === null) throw held(`${where}: no variant renders for this prospect (${failed.join('; ')})`);
  // Should not happen after validation (a hand-edited row, a limit): said in the timeline.
  const substituted = failed.length === 0 ? null : `${where}: ${failed.join('; ')}; sent variant ${variant.id} instead`;

  const prompt = typeof step.prompt === 'string' && step.prompt.trim() !== '' ? step.prompt : null;
  if (prompt === null) {
    const detail = substituted ?? `${where} variant ${variant.id}`;
    return { ...text, path: 'template', reason: substituted === null ? 'campaign_template' : 'validation', detail, variant: variant.id };
  }
  const draft = await deps.drafter.draft({ ...ctx, dealerName: spec.senderName, campaign: null }, { instruction: prompt, ...text });
  return { ...(substituted === null ? draft : withWhy(draft, substituted)), variant: variant.id };
}
