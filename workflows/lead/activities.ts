// The lead workflow's activity stubs, one retry policy per kind of side effect.
import { Failure } from '../../domain/failures/index.js';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DraftActivities } from '../../activities/ai/activity.js';
import type { EnrichActivities } from '../../activities/enrich/index.js';
import type { LeadActivities } from '../../activities/leads/index.js';
import type { SendActivities } from '../../activities/send/ledger.js';
import type { SlotActivities } from '../../activities/send/slot.js';
import type { InboxSlotActivities } from '../../activities/inboxes/slots.js';

// DB writes are fast and idempotent; retry them patiently so a DB blip never loses a lead.
export const { persistLead, recordLeadEvent, updateLeadContact, suppressAddress } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [Failure.InvalidLead] },
});

// The lean path (journal.ts) runs the lead's first two steps as local activities, in its first
// workflow task: no server round trip and no workflow task each. Same timeouts and retries.
export const { persistLead: persistLeadLocal } = proxyLocalActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [Failure.InvalidLead] },
});
export const { enrichLead: enrichLeadLocal } = proxyLocalActivities<EnrichActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// Enrichment reports bad data as findings, never as errors: what fails here is DNS or the
// verifier having a bad moment, worth retrying until it recovers.
export const { enrichLead } = proxyActivities<EnrichActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// The drafter already retries the model and falls back to templates; a failing activity (a worker
// bug, a crash loop) is given a few attempts and then the workflow drafts from its own template.
export const { draftMessage } = proxyActivities<DraftActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
});

export const { requestSendSlot } = proxyActivities<SlotActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Asking an inbox (an Update keyed by the send) and telling it what happened: idempotent, so
// retried patiently; an inbox that cannot be reached delays the lead, never loses it.
export const { reserveSendSlot, releaseSendSlot, noteInboxEvent } = proxyActivities<InboxSlotActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Transient provider errors retry with backoff (Retry-After honoured through nextRetryDelay)
// for as long as it takes; permanent refusals and lost outcomes go to a person instead.
export const { sendMessage } = proxyActivities<SendActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: [Failure.PermanentSend, Failure.SendUncertain, Failure.Suppressed, Failure.SendingStopped, Failure.SlotRevoked],
  },
});
