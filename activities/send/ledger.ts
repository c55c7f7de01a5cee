// Sending exactly once. Activities run at least once, and neither SMTP nor Twilio (nor SendGrid's
// mail send) takes an idempotency key, so the ledger is ours: a row per idempotency key is claimed
// before the provider is called, `in_flight` is set for the call, and only a definitive answer
// clears it. An attempt that finds a call in flight (the worker died mid-call) never calls again:
// it looks for the provider's own webhook naming the key, waits a little for one, and otherwise
// marks the message `uncertain` for a person — zero duplicates, and nothing silently lost.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { inboxEntityKey } from '../../temporal/inbox-client.js';
import type { Kysely } from 'kysely';
import { claimOutbox, finishOutboxCall, passSendGate, providerEventForKey, SendingStoppedError, type Database } from '../../db/index.js';
import { Failure } from '../../domain/failures/index.js';
import { PermanentSendError, TransientSendError, UnknownOutcomeSendError } from './errors.js';
import { composeEmail, type ComposeConfig } from './compose.js';
import { deterministicMessageId } from '../../domain/ids/index.js';
import type { OutboundMessage, Transport } from './transports.js';
import { InboxUnavailableError, type InboxTransports } from './inbox-transports.js';

export interface SendOutcome {
  status: 'sent';
  provider: string;
  providerMessageId: string | null;
  duplicate: boolean;
  recovered: boolean;
}

export interface SendDeps {
  db: Kysely<Database>;
  transports: Record<OutboundMessage['channel'], Transport>;
  /** How long a lost call's outcome may still be proven by a provider webhook (default 10 min). */
  evidenceWindowMs?: number;
  /**
   * Providers whose event webhook reports every accepted message to us: for them, a lost call
   * with no event after the window was not accepted and is sent again. Any other provider's lost
   * call becomes `uncertain` for a person.
   */
  absenceMeansUnsent?: ReadonlySet<Transport['provider']>;
  /** Unsubscribe headers and postal address for e-mail; absent only in ledger unit tests. */
  compose?: ComposeConfig;
  /** The registry inboxes' transports, for messages that name their inbox (`inboxId`). */
  inboxes?: InboxTransports;
  /**
   * Tells a message's inbox that it went out (a lead's send through a slot, `inboxId` set) before
   * the activity completes: its health counts sends. Here, not in the lead's journal (a local
   * activity, which may not wait for the inbox: activities/leads/journal.ts).
   */
  noteSent?: (req: { inboxId: string; key: string }) => Promise<void>;
}

/** The task queue of the running activity (the inbox entity's key depends on it); none outside one. */
function activityTaskQueue(): string | undefined {
  try {
    return Context.current().info.taskQueue;
  } catch {
    return undefined;
  }
}

export function createSendActivities(deps: SendDeps) {
  const { db } = deps;
  const windowMs = deps.evidenceWindowMs ?? 10 * 60_000;

  /** The inbox's own transport when the message names one, else the channel's configured one. */
  async function transportFor(msg: OutboundMessage): Promise<Transport> {
    if (msg.inboxId === undefined) return deps.transports[msg.channel];
    if (deps.inboxes === undefined) return deps.transports[msg.channel];
    try {
      return await deps.inboxes.forInbox(msg.inboxId, msg.channel);
    } catch (err) {
      if (!(err instanceof InboxUnavailableError)) throw err;
      // Nothing was claimed or sent: a missing secret is fixed by an operator, then the retry sends.
      if (err.permanent) throw ApplicationFailure.nonRetryable(err.message, Failure.PermanentSend, { inboxId: msg.inboxId });
      throw ApplicationFailure.create({ message: err.message, type: 'InboxUnavailable', nextRetryDelay: '1 minute' });
    }
  }

  async function sendMessage(draft: OutboundMessage): Promise<SendOutcome> {
    const out = await sendOnce(draft);
    if (draft.inboxId !== undefined && draft.internal !== true) await deps.noteSent?.({ inboxId: draft.inboxId, key: draft.idempotencyKey });
    return out;
  }

  async function sendOnce(draft: OutboundMessage): Promise<SendOutcome> {
    const composed = deps.compose !== undefined && draft.internal !== true ? composeEmail(draft, deps.compose) : null;
    const msg: OutboundMessage = composed ?? draft;
    const transport = await transportFor(msg);
    const row = await claimOutbox(db, {
      idempotencyKey: msg.idempotencyKey,
      leadId: msg.leadId,
      step: msg.step,
      channel: msg.channel,
      provider: transport.provider,
      recipient: msg.to,
      subject: msg.subject,
      body: msg.text,
      messageId:
        msg.channel === 'email' && deps.compose !== undefined
          ? deterministicMessageId(msg.idempotencyKey, transport.messageIdDomain ?? deps.compose.messageIdDomain)
          : null,
      unsubscribeToken: composed?.unsubscribeToken ?? null,
      inboxId: msg.inboxId ?? null,
      campaignId: msg.campaignId ?? null,
      variant: msg.variant ?? null,
    });
    const done = (providerMessageId: string | null, duplicate: boolean, recovered = false): SendOutcome => ({
      status: 'sent',
      provider: row.provider,
      providerMessageId,
      duplicate,
      recovered,
    });

    if (row.status === 'sent') return done(row.provider_message_id, true);
    if (row.status === 'failed') {
      throw ApplicationFailure.nonRetryable(
        row.error ?? 'the provider refused this message',
        row.error_code === 'suppressed' ? Failure.Suppressed : Failure.PermanentSend,
        { code: row.error_code },
      );
    }
    if (row.status === 'uncertain') throw ApplicationFailure.nonRetryable(row.error ?? 'outcome unknown', Failure.SendUncertain);

    if (row.in_flight) {
      const evidence = await providerEventForKey(db, msg.idempotencyKey);
      if (evidence !== undefined) {
        await finishOutboxCall(db, msg.idempotencyKey, { status: 'sent', providerMessageId: evidence.providerMessageId });
        log.info('lost send outcome recovered from a provider event', { key: msg.idempotencyKey, event: evidence.type });
        return done(evidence.providerMessageId, true, true);
      }
      if (Date.now() - row.updated_at.getTime() < windowMs) {
        // The provider's webhook usually arrives within seconds: retry later rather than guess.
        throw ApplicationFailure.create({
          message: 'a previous send attempt lost its outcome; waiting for provider evidence',
          type: Failure.SendOutcomePending,
          nextRetryDelay: '15 seconds',
        });
      }
      const silent = `the ${row.provider} call of attempt ${row.attempts} lost its outcome and no provider event names it within ${Math.round(windowMs / 1000)} s`;
      if (!deps.absenceMeansUnsent?.has(row.provider as Transport['provider'])) {
        const error = `${silent}: check the recipient's mailbox/phone before resending`;
        await finishOutboxCall(db, msg.idempotencyKey, { status: 'uncertain', errorCode: null, error });
        throw ApplicationFailure.nonRetryable(error, Failure.SendUncertain);
      }
      // This provider reports every message it accepts to our webhook (SendGrid `processed`,
      // Twilio's status callback): silence for the whole window means it never took this one.
      await finishOutboxCall(db, msg.idempotencyKey, { status: 'pending', errorCode: 'no-evidence', error: `${silent}: not accepted, sending again` });
      log.warn('lost send outcome with no provider event: the provider never accepted it; sending again', { key: msg.idempotencyKey, provider: row.provider });
    }

    // The last guard, on every attempt right before any call (db/repositories/send-gate.ts): an
    // unsubscribe that lands between retries still wins; the emergency stop's flag is read and the
    // row flipped in flight under the stop's lock, so a stop acknowledged before this point refuses
    // the call and one acknowledged after it finds this call in flight; the inbox's pause and cap
    // and the campaign's pause or cancel are read under the same lock. Refused, the row stays
    // pending: nothing was called, and the message goes out once after the hold ends.
    const verdict = await passSendGate(db, {
      key: msg.idempotencyKey,
      recipient: msg.internal === true ? null : msg.to,
      inbox: msg.inboxId === undefined ? null : { inboxId: msg.inboxId, stateKey: inboxEntityKey(msg.inboxId, activityTaskQueue()) },
      // Only campaign messages ask (the lead's send step names its campaign).
      campaignLeadId: msg.internal === true || msg.campaignId === undefined ? null : msg.leadId,
      now: Date.now(),
    });
    switch (verdict.kind) {
      case 'began':
        break;
      case 'busy':
        throw ApplicationFailure.retryable('another attempt is sending this message right now', 'SendInProgress');
      case 'suppressed': {
        const error = 'the recipient is on the suppression list (bounced, complained or unsubscribed)';
        await finishOutboxCall(db, msg.idempotencyKey, { status: 'failed', errorCode: 'suppressed', error });
        throw ApplicationFailure.nonRetryable(error, Failure.Suppressed);
      }
      case 'stopped': {
        const stopped = new SendingStoppedError(verdict.reason, verdict.stoppedBy, verdict.stoppedAt);
        throw ApplicationFailure.nonRetryable(stopped.message, Failure.SendingStopped, {
          reason: verdict.reason,
          stoppedBy: verdict.stoppedBy,
          stoppedAt: verdict.stoppedAt?.toISOString() ?? null,
        });
      }
      // The inbox's own last guard: the lead gives the slot back.
      case 'inbox':
        throw ApplicationFailure.nonRetryable(verdict.reason, Failure.SlotRevoked);
      case 'campaign':
        throw ApplicationFailure.nonRetryable(verdict.reason, Failure.CampaignHeld);
    }
    try {
      const { providerMessageId } = await transport.send(msg);
      await finishOutboxCall(db, msg.idempotencyKey, { status: 'sent', providerMessageId });
      return done(providerMessageId, false);
    } catch (err) {
      if (err instanceof PermanentSendError) {
        await finishOutboxCall(db, msg.idempotencyKey, { status: 'failed', errorCode: err.code === null ? null : String(err.code), error: err.message });
        throw ApplicationFailure.nonRetryable(err.message, Failure.PermanentSend, { code: err.code });
      }
      if (err instanceof TransientSendError) {
        // A definitive "not accepted": the next attempt may call again.
        await finishOutboxCall(db, msg.idempotencyKey, { status: 'pending', errorCode: err.code === null ? null : String(err.code), error: err.message });
        throw ApplicationFailure.create({
          message: err.message,
          type: Failure.TransientSend,
          ...(err.retryAfterMs !== null ? { nextRetryDelay: err.retryAfterMs } : {}),
        });
      }
      if (err instanceof UnknownOutcomeSendError) {
        // The request may have been accepted: the call stays in flight, and the next attempt
        // settles it from the provider's webhook (or the evidence window), never by calling again.
        throw ApplicationFailure.create({ message: err.message, type: Failure.SendOutcomePending, nextRetryDelay: '15 seconds' });
      }
      // Anything else leaves the call in flight too: whether the provider took it is unknown.
      throw err;
    }
  }

  return { sendMessage };
}

export type SendActivities = ReturnType<typeof createSendActivities>;

// For the slot activity: the stop flag (a plain read: a slot granted just before a stop is still
// refused by the gate above) and the resume ramp's permit for the next send.
export { isSendingStopped, takeRampPermit } from '../../db/index.js';
