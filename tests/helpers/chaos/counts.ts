// Counting at the providers: which idempotency keys each stand-in received (every request that
// reached it, faulted or not) and accepted (what a real provider would have delivered), compared
// with the messages the leads should have sent. A key accepted twice is a duplicate send; an
// expected key never accepted is a lost message.
import type { Kysely } from 'kysely';
import { getLead, listOutbox, type Database, type OutboxRow } from '../../../db/index.js';
import type { Client } from '@temporalio/client';
import type { RecordedRequest } from '../standins/http.js';
import type { AcceptedMail } from '../standins/sendgrid.js';
import type { AcceptedSms } from '../standins/twilio.js';
import { countBy, repeated } from './report.js';

export const sendgridKey = (m: AcceptedMail): string => (m.body.custom_args as Record<string, string> | undefined)?.idempotency_key ?? '?';

/** Keys of every mail/send request that reached the stand-in (before any fault was decided). */
export function sendgridReceived(requests: RecordedRequest[]): string[] {
  return requests
    .filter((r) => r.method === 'POST' && r.path.startsWith('/v3/mail/send'))
    .map((r) => {
      try {
        return (JSON.parse(r.body) as { custom_args?: Record<string, string> }).custom_args?.idempotency_key ?? '?';
      } catch {
        return '?';
      }
    });
}

const callbackKey = (url: string | null): string => (url === null ? '?' : (new URL(url).searchParams.get('idempotencyKey') ?? '?'));
export const twilioKey = (m: AcceptedSms): string => callbackKey(m.statusCallback);

export function twilioReceived(requests: RecordedRequest[]): string[] {
  return requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'))
    .map((r) => callbackKey(new URLSearchParams(r.body).get('StatusCallback')));
}

export interface DeliveryCheck {
  expected: number;
  accepted: number;
  received: number;
  /** Keys accepted more than once, with how many times. */
  duplicates: Array<[string, number]>;
  /** Expected keys the provider never accepted. */
  missing: string[];
  /** Accepted keys nobody expected. */
  unexpected: string[];
}

export function checkDeliveries(expected: Iterable<string>, accepted: string[], received: string[]): DeliveryCheck {
  const want = new Set(expected);
  const got = countBy(accepted, (k) => k);
  return {
    expected: want.size,
    accepted: accepted.length,
    received: received.length,
    duplicates: repeated(got),
    missing: [...want].filter((k) => !got.has(k)),
    unexpected: [...got.keys()].filter((k) => !want.has(k)),
  };
}

/** Leads with no database row or no workflow: lost. */
export async function lostLeads(db: Kysely<Database>, client: Client, leadIds: string[]): Promise<string[]> {
  const lost: string[] = [];
  for (const id of leadIds) {
    const row = await getLead(db, id).catch(() => undefined);
    const wf = await client.workflow
      .getHandle(id)
      .describe()
      .then(
        () => true,
        () => false,
      );
    if (row === undefined || !wf) lost.push(`${id}${row === undefined ? ' (no DB row)' : ''}${wf ? '' : ' (no workflow)'}`);
  }
  return lost;
}

/** The idempotency keys of a lead's sequence steps 1..steps, as the product names them. */
export const stepKeys = (leadId: string, steps: number): string[] => Array.from({ length: steps }, (_, k) => `${leadId}:step:${k + 1}`);

/** Every outbox row of these leads (each lead has a handful at most). */
export async function outboxRows(db: Kysely<Database>, leadIds: string[]): Promise<OutboxRow[]> {
  return (await Promise.all(leadIds.map((leadId) => listOutbox(db, { leadId, limit: 20, offset: 0 })))).flat();
}

/** Rows not `sent` (uncertain, failed, pending or in flight), described: each is a lost or stuck message. */
export const notSentRows = (rows: OutboxRow[]): string[] =>
  rows.filter((r) => r.status !== 'sent').map((r) => `${r.idempotency_key}: ${r.status} ${r.error ?? ''}`);
