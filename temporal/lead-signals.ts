// Signalling a lead workflow from outside it (webhooks, the unsubscribe link, the inbound mail
// router): one typed list of the signals those callers send, and a delivery that treats a lead
// whose workflow has finished as done rather than as an error to retry.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Intent } from '../domain/mail/classify/types.js';
import {
  autoReplySignal,
  bouncedSignal,
  clickedSignal,
  complainedSignal,
  deliveredSignal,
  openedSignal,
  replyReceivedSignal,
  unsubscribedSignal,
  type BounceKind,
} from '../workflows/lead/contract.js';

export type LeadSignal =
  | { signal: 'bounced'; args: { eventId: string; kind: BounceKind; reason: string; step: number | null; channel: 'email' | 'sms' } }
  | { signal: 'complained'; args: { eventId: string; step: number | null } }
  | { signal: 'unsubscribed'; args: { eventId: string; via: string; channel: 'email' | 'sms' } }
  | { signal: 'delivered' | 'opened' | 'clicked'; args: { eventId: string; kind: 'delivered' | 'opened' | 'clicked'; step: number | null } }
  | { signal: 'replyReceived'; args: { eventId: string; channel: 'email' | 'sms'; from: string; text: string; receivedAt: string; intent?: Intent } }
  | { signal: 'autoReply'; args: { eventId: string; returnDate: string | null; receivedAt: string } };

const DEFINITIONS: Record<LeadSignal['signal'], SignalDefinition<[never]>> = {
  bounced: bouncedSignal,
  complained: complainedSignal,
  unsubscribed: unsubscribedSignal,
  delivered: deliveredSignal,
  opened: openedSignal,
  clicked: clickedSignal,
  replyReceived: replyReceivedSignal,
  autoReply: autoReplySignal,
} as Record<LeadSignal['signal'], SignalDefinition<[never]>>;

/** Signals the lead; false when its workflow no longer runs (the event is still stored). */
export async function signalLead(client: Client, leadId: string, s: LeadSignal): Promise<boolean> {
  try {
    await client.workflow.getHandle(leadId).signal(DEFINITIONS[s.signal], s.args as never);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
