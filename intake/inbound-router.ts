// Inbound mail that is not an ADF lead: classify it, find the lead it answers through the
// Message-IDs of our outbound messages (the DSN's or ARF's returned headers, In-Reply-To,
// References), and signal that lead. What matches no lead is left to the caller to keep.
import { mailEventId } from '../domain/ids/index.js';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { findOutboxByMessageId, findOutboxByReplyToken, recordLeadEvent, type Database } from '../db/index.js';
import { replyTokensIn } from '../domain/ids/index.js';
import { signalLead, type LeadSignal } from '../temporal/lead-signals.js';
import type { IntentClassifier } from '../domain/mail/classify/types.js';
import type { ParsedMail } from 'mailparser';
import { classifyParsedMail, UnreadableMailError, type Classification } from '../domain/mail/classify/index.js';
import { findTextProblem } from '../domain/text/checks.js';

/**
 * Whether PostgreSQL text can hold `s`. A Message-ID with a NUL (`In-Reply-To: <\0...>`) made the
 * outbox lookup fail, a 500 for POST /leads/adf (found by the fuzzer): no message we sent has one,
 * so such an id matches nothing and is not looked up, nor used as the event's key.
 */
const storable = (s: string): boolean => findTextProblem(s) === null;

export type RouteOutcome =
  { matched: true; leadId: string; kind: Classification['kind']; signalled: boolean } | { matched: false; kind: Classification['kind']; reason: string };

function signalFor(c: Classification, eventId: string, step: number, receivedAt: Date): LeadSignal | null {
  switch (c.kind) {
    case 'reply':
      return {
        signal: 'replyReceived',
        args: {
          eventId,
          channel: 'email',
          from: c.from ?? '',
          text: c.replyText ?? '',
          receivedAt: receivedAt.toISOString(),
          ...(c.intent !== undefined && { intent: c.intent }),
        },
      };
    case 'auto-reply':
      return { signal: 'autoReply', args: { eventId, returnDate: c.returnDate ?? null, receivedAt: receivedAt.toISOString() } };
    case 'bounce':
      return c.bounce === undefined
        ? null
        : {
            signal: 'bounced',
            args: { eventId, kind: c.bounce.type, reason: c.bounce.diagnostic ?? c.bounce.status ?? 'bounced', step, channel: 'email' },
          };
    case 'complaint':
      return { signal: 'complained', args: { eventId, step } };
    default:
      return null;
  }
}

export function createInboundRouter(deps: { client: Client; db: Kysely<Database>; classifyIntent?: IntentClassifier | undefined }) {
  /** `mail` is the intake's own parse of `raw` (domain/mail/extract.ts readMail). */
  return async function route(raw: Buffer, mail: ParsedMail, receivedAt: Date): Promise<RouteOutcome> {
    let c: Classification;
    try {
      c = classifyParsedMail(mail, raw);
    } catch (err) {
      if (err instanceof UnreadableMailError) return { matched: false, kind: 'other', reason: err.message };
      throw err;
    }
    if (c.kind === 'other' || c.kind === 'adf-lead') return { matched: false, kind: c.kind, reason: `${c.kind} mail that answers none of our messages` };
    const ids = [c.originalMessageId, c.inReplyTo, ...c.references].filter((i): i is string => i !== null && storable(i));
    // Headers first; then the plus-address token, for clients that drop In-Reply-To/References.
    const tokens = replyTokensIn(c.recipients);
    const sent = (await findOutboxByMessageId(deps.db, ids)) ?? (await findOutboxByReplyToken(deps.db, tokens));
    if (sent === undefined)
      return {
        matched: false,
        kind: c.kind,
        reason: `${c.kind} whose Message-IDs (${ids.length}) and reply tokens (${tokens.length}) match no message we sent`,
      };
    // The AI (when configured and confident) decides a reply's intent; the classifier's rules otherwise.
    const decided = c.kind === 'reply' && deps.classifyIntent !== undefined ? await deps.classifyIntent(c.replyText ?? '') : null;
    if (decided !== null) c.intent = decided.intent;
    // The inbound message's own ID makes the signal idempotent across IMAP redeliveries.
    const eventId = mailEventId(c.messageId !== null && storable(c.messageId) ? c.messageId : null, raw);
    await recordLeadEvent(deps.db, {
      leadId: sent.lead_id,
      eventKey: eventId,
      type: `email.${c.kind}`,
      detail: {
        step: sent.step,
        intent: c.intent ?? null,
        intentPath: decided?.path ?? 'rules',
        intentConfidence: decided?.confidence ?? null,
        bounce: c.bounce ?? null,
        returnDate: c.returnDate ?? null,
      },
    });
    const signal = signalFor(c, eventId, sent.step, receivedAt);
    const signalled = signal !== null && (await signalLead(deps.client, sent.lead_id, signal));
    return { matched: true, leadId: sent.lead_id, kind: c.kind, signalled };
  };
}

export type InboundRouter = ReturnType<typeof createInboundRouter>;
