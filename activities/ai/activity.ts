// The drafting activity: the drafter behind a Temporal activity, with the sender's name filled in
// from configuration when the lead's campaign does not name one. A campaign lead (`campaign` in
// the context) is drafted from its campaign's current step and A/B variant (campaign-draft.ts).
import type { Draft, DraftContext } from '../../domain/messages/draft-types.js';
import type { Db } from '../../db/index.js';
import { draftCampaignMessage } from './campaign-draft.js';
import type { Drafter } from './drafter.js';

export interface DraftArgs extends Omit<DraftContext, 'dealerName'> {
  dealerName: string | null;
}

/** `db`: where campaign specs and prospects are read; without it a campaign lead gets its ordinary draft. */
export function createDraftActivities(deps: { drafter: Drafter; senderName: string; db?: Db }) {
  async function draftMessage(args: DraftArgs): Promise<Draft> {
    const ctx: DraftContext = { ...args, dealerName: args.dealerName ?? deps.senderName };
    const campaign = ctx.campaign;
    if (campaign == null) return deps.drafter.draft(ctx);
    if (deps.db === undefined) {
      const draft = await deps.drafter.draft({ ...ctx, campaign: null });
      const why = `campaign ${campaign.campaignId}: the drafting activity has no database to read it from; drafted as an ordinary lead`;
      return { ...draft, detail: draft.detail === undefined ? why : `${why}; ${draft.detail}` };
    }
    return draftCampaignMessage({ db: deps.db, drafter: deps.drafter }, { ...ctx, campaign });
  }
  return { draftMessage };
}

export type DraftActivities = ReturnType<typeof createDraftActivities>;
