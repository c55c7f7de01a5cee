// The drafting activity: the drafter behind a Temporal activity, with the sender's name filled in
// from configuration when the lead's campaign does not name one.
import type { Draft, DraftContext } from '../../domain/messages/draft-types.js';
import type { Drafter } from './drafter.js';

export interface DraftArgs extends Omit<DraftContext, 'dealerName'> {
  dealerName: string | null;
}

export function createDraftActivities(deps: { drafter: Drafter; senderName: string }) {
  async function draftMessage(args: DraftArgs): Promise<Draft> {
    return deps.drafter.draft({ ...args, dealerName: args.dealerName ?? deps.senderName });
  }
  return { draftMessage };
}

export type DraftActivities = ReturnType<typeof createDraftActivities>;
