// Customers replying, in the server-restart scenario: each replying lead answers its first message
// (In-Reply-To its Message-ID from the outbox) by a mail appended to the worker's IMAP mailbox;
// GreenMail comes back empty from a restart, so the replies whose lead has not seen them yet are put
// back (same Message-ID: the product must treat a second copy of a handled reply as the same one);
// and at the end the IMAP server itself says whether every message was processed (\Seen).
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { listOutbox, type Database } from '../../../db/index.js';
import { queryLeadState } from '../../../temporal/lead-client.js';
import { appendMessage, connectImap, type MailServer } from '../mailserver.js';
import { sleep } from './report.js';
import { retrying } from './scenario.js';
import { INBOX } from './world.js';

export interface ReplyingLead {
  leadId: string;
  email: string;
  replies: boolean;
}

export interface Reply {
  lead: ReplyingLead;
  raw: string;
  appendedAt: number;
}

export function replyTo(lead: ReplyingLead, messageId: string, id: string): string {
  return [
    `From: Pat Chaos <${lead.email}>`,
    `To: ${INBOX.email}`,
    'Subject: Re: Your Subaru Outback',
    `Message-ID: <${id}@customer.example>`,
    `In-Reply-To: ${messageId}`,
    `References: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Yes, I am interested. Could I come in for a test drive on Saturday?',
    '',
    `On Mon, Dec 1, 2026 at 9:00 AM Chaos Motors <sales@chaos.test> wrote:`,
    '> Hi Pat',
    '',
  ].join('\r\n');
}

export interface Replier {
  /** Replies appended so far, by lead ID. */
  replies: Map<string, Reply>;
  /** Appends or lookups that failed because PostgreSQL or IMAP was down (each tried again). */
  retries: number;
  /** Resolves once `allSubmitted()` and every replying lead has its reply appended. */
  done: Promise<void>;
}

/** Answers each replying lead once its first message is out, polling every 500 ms. */
export function replyWhenFirstSent(db: Kysely<Database>, mail: MailServer, leads: ReplyingLead[], allSubmitted: () => boolean, seed: number): Replier {
  const replier: Replier = { replies: new Map(), retries: 0, done: Promise.resolve() };
  const waiting = () => leads.filter((l) => l.replies && !replier.replies.has(l.leadId));
  replier.done = (async () => {
    while (!allSubmitted() || waiting().length > 0) {
      for (const lead of waiting()) {
        try {
          const row = (await listOutbox(db, { leadId: lead.leadId, limit: 5, offset: 0 })).find(
            (r) => r.idempotency_key === `${lead.leadId}:step:1` && r.status === 'sent',
          );
          if (row?.message_id == null) continue;
          const raw = replyTo(lead, row.message_id, `reply-${seed}-${lead.leadId.replace(/[^a-z0-9]/gi, '')}`);
          await appendMessage(mail, INBOX, raw);
          replier.replies.set(lead.leadId, { lead, raw, appendedAt: Date.now() });
        } catch {
          replier.retries += 1; // PostgreSQL or IMAP down right now
        }
      }
      await sleep(500);
    }
  })();
  return replier;
}

/** After a GreenMail restart: appends again every reply whose lead is not `replied` yet; returns how many. */
export async function putBackUnseenReplies(client: Client, mail: MailServer, replier: Replier): Promise<number> {
  const missing: Reply[] = [];
  for (const r of replier.replies.values()) {
    const s = await retrying(() => queryLeadState(client, r.lead.leadId));
    if (s.status !== 'replied') missing.push(r);
  }
  for (const r of missing)
    await retrying(
      () => appendMessage(mail, INBOX, r.raw),
      () => {
        replier.retries += 1;
      },
    );
  return missing.length;
}

/** Messages in the worker's mailbox, and how many of them nobody processed. */
export async function inboxStatus(mail: MailServer): Promise<{ messages: number; unseen: number }> {
  const imap = await connectImap(mail, INBOX);
  try {
    const status = await imap.status('INBOX', { messages: true, unseen: true });
    assert.ok(status !== false, 'IMAP STATUS answered');
    return { messages: status.messages ?? 0, unseen: status.unseen ?? 0 };
  } finally {
    await imap.logout().catch(() => imap.close());
  }
}
