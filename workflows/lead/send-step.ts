// One outbound message: pick the channel, draft (AI or template), and send it exactly once under
// the key derived from lead + step + resend number. A refusal the provider will repeat becomes a
// reason for a person (needs_attention), never a retry loop.
import { Failure } from '../../domain/failures/index.js';
import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { Draft, DraftContext } from '../../domain/messages/draft-types.js';
import { templateDraft } from '../../domain/messages/templates.js';
import { draftMessage, sendMessage } from './activities.js';
import { record } from './journal.js';
import { sendKey, type LeadCarry, type LeadInput, type SequenceStep } from './contract.js';
import { remember } from './events.js';
import type { LeadProfile } from '../../domain/lead/profile.js';
import type { LeadRunState } from './run-state.js';
import { hasPatch } from './version.js';

export type StepResult =
  | { kind: 'sent' }
  | { kind: 'attention'; reason: string }
  | { kind: 'suppressed' }
  /** Not sent, nothing called: the emergency stop holds, or the inbox's last guard refused (paused, limit reached). */
  | { kind: 'held'; why: 'stopped' | 'revoked'; reason: string };

/** Used only if the drafting activity itself keeps failing and no sender name was configured. */
const FALLBACK_SENDER = 'our team';

/**
 * A campaign lead whose step cannot be drafted (CampaignDraftHeld, or the activity failing for
 * good) waits for a person instead of getting the built-in dealer text. Runs from before it sent
 * the built-in text there, and their histories replay that way.
 */
export const CAMPAIGN_DRAFT_HOLD_PATCH = 'lead-campaign-draft-hold-v1';

async function draftFor(ctx: Omit<DraftContext, 'dealerName'>, senderName: string | null, campaignLead: boolean): Promise<Draft | { attention: string }> {
  try {
    return await draftMessage({ ...ctx, dealerName: senderName });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    const detail = err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);
    const heldByCampaign = cause instanceof ApplicationFailure && cause.type === Failure.CampaignDraftHeld;
    if ((campaignLead || heldByCampaign) && hasPatch(CAMPAIGN_DRAFT_HOLD_PATCH)) {
      log.warn('campaign step not drafted; the lead waits for a person', { step: ctx.step, detail });
      return { attention: heldByCampaign ? detail : `step ${ctx.step} could not be drafted from the campaign (${detail}); nothing was sent` };
    }
    // The drafter never fails on the model (it falls back itself), so this is a broken worker:
    // the lead still gets the reviewed template rather than waiting for a deploy.
    log.warn('drafting activity failed; using the built-in template', { step: ctx.step, detail });
    return { ...templateDraft({ ...ctx, dealerName: senderName ?? FALLBACK_SENDER }), path: 'template', reason: 'ai_error', detail };
  }
}

export const NO_CHANNEL = 'no reachable channel: the e-mail address is invalid, undeliverable or disposable and there is no valid phone number';

/** Sends step `step` on `channel` (chosen by the caller from the enrichment, so it has an address). */
export async function sendStep(
  input: LeadInput,
  st: LeadRunState,
  c: LeadCarry,
  profile: LeadProfile,
  step: number,
  channel: 'email' | 'sms',
  inboxId?: string,
): Promise<StepResult> {
  const leadId = st.leadId;
  const def: SequenceStep | undefined = (input.sequence ?? [])[step - 1];
  const to = channel === 'email' ? c.enrichment.email?.address : c.enrichment.phone?.e164;
  if (to === null || to === undefined) return { kind: 'attention', reason: NO_CHANNEL };

  const key = sendKey(leadId, step, c.resends[String(step)] ?? 0);
  const drafted = await draftFor(
    {
      channel,
      step,
      lead: { firstName: c.contact.firstName, lastName: c.contact.lastName, vehicles: profile.vehicles, comments: profile.comments },
      conversation: c.conversation,
      template: def?.template ?? null,
      aiAllowed: def?.ai ?? true,
      // A campaign lead's content is the campaign's current step, read at send time by the drafter.
      ...(input.campaignId !== null && { campaign: { campaignId: input.campaignId, leadId } }),
    },
    input.senderName ?? null,
    input.source === 'campaign' && input.campaignId !== null,
  );
  if ('attention' in drafted) return { kind: 'attention', reason: drafted.attention };
  const draft = drafted;
  const draftedWritten = record(st, {
    leadId,
    eventKey: `drafted:${key}`,
    type: 'drafted',
    detail: {
      step,
      channel,
      path: draft.path,
      reason: draft.reason ?? null,
      detail: draft.detail ?? null,
      ...(draft.variant !== undefined && { variant: draft.variant }),
    },
  });
  if (draftedWritten) await draftedWritten;

  try {
    const out = await sendMessage({
      idempotencyKey: key,
      leadId,
      step,
      channel,
      to,
      subject: draft.subject,
      text: draft.body,
      ...(inboxId !== undefined && { inboxId }),
      ...(input.campaignId !== null && { campaignId: input.campaignId }),
      ...(draft.variant !== undefined && { variant: draft.variant }),
    });
    remember(c, 'us', draft.body);
    st.note('sent', { step, channel, provider: out.provider, path: draft.path });
    const sentWritten = record(st, {
      leadId,
      eventKey: `sent:${key}`,
      type: 'sent',
      detail: { step, channel, key, provider: out.provider, providerMessageId: out.providerMessageId, path: draft.path, duplicate: out.duplicate },
    });
    if (sentWritten) await sentWritten;
    return { kind: 'sent' };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) {
      if (cause.type === Failure.Suppressed) return { kind: 'suppressed' };
      if (cause.type === Failure.SendingStopped) return { kind: 'held', why: 'stopped', reason: `emergency stop: ${cause.message}` };
      if (cause.type === Failure.SlotRevoked) return { kind: 'held', why: 'revoked', reason: cause.message };
      // Like the emergency stop: ask for the slot again at once; the slot activity makes the lead
      // wait (with its recheck) for as long as the campaign is paused.
      if (cause.type === Failure.CampaignHeld) return { kind: 'held', why: 'stopped', reason: cause.message };
      if (cause.type === Failure.PermanentSend || cause.type === Failure.SendUncertain) {
        st.note('send_failed', { step, channel, type: cause.type });
        await record(st, {
          leadId,
          eventKey: `send_failed:${key}`,
          type: 'send_failed',
          detail: { step, channel, key, type: cause.type, error: cause.message },
        });
        return {
          kind: 'attention',
          reason: `${cause.type === Failure.PermanentSend ? 'the provider refused' : 'the outcome of'} step ${step} (${channel}): ${cause.message}`,
        };
      }
    }
    throw err;
  }
}
