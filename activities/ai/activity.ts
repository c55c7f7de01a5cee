// The drafting activity: the drafter behind a Temporal activity, with the sender's name filled in
// from configuration when the lead's campaign does not name one. It heartbeats while the model
// works, so a worker that dies mid-draft is noticed within the heartbeat timeout (15 s) instead of
// the whole 2-minute start-to-close budget (found by the fault suite).
import { Context } from '@temporalio/activity';
import type { Draft, DraftContext } from '../../domain/messages/draft-types.js';
import type { Drafter } from './drafter.js';

export interface DraftArgs extends Omit<DraftContext, 'dealerName'> {
  dealerName: string | null;
}

const HEARTBEAT_EVERY_MS = 5_000;

export function createDraftActivities(deps: { drafter: Drafter; senderName: string }) {
  async function draftMessage(args: DraftArgs): Promise<Draft> {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await deps.drafter.draft({ ...args, dealerName: args.dealerName ?? deps.senderName });
    } finally {
      clearInterval(beat);
    }
  }
  return { draftMessage };
}

export type DraftActivities = ReturnType<typeof createDraftActivities>;
