// The OpenAI stand-in's answers in the worker-kill scenario, and the leads that choose them: a
// lead named "Invalid VariantN" gets the Nth kind of invalid output (each breaks a different rule
// of domain/messages/validate.ts or the drafter's parse), every other lead a valid draft. Every
// invalid answer carries MARK, so a message containing it at a provider is invalid output sent.
import type { Kysely } from 'kysely';
import { listLeadEvents, type Database } from '../../../db/index.js';
import type { SequenceStep } from '../../../workflows/lead/contract.js';
import { makeLeadInput } from '../leads.js';

export const MARK = 'CHAOS-INVALID';

const VALID = (first: string) =>
  JSON.stringify({ subject: 'Your Subaru Outback', body: `Hi ${first}, the Subaru Outback you asked about is ready for a test drive this week. Chaos Motors` });

const INVALID = [
  `${MARK}: this is not JSON at all`,
  JSON.stringify({ subject: 'Your Subaru Outback', body: `Dear [Customer Name], the Outback is waiting for you. ${MARK}` }),
  JSON.stringify({ subject: `Guaranteed approval ${MARK}`, body: 'Guaranteed approval on the Subaru Outback, everyone qualifies.' }),
  JSON.stringify({ subject: 'A car for you', body: `We have many great cars on the lot. ${MARK}` }),
  JSON.stringify({ subject: 'Your Subaru Outback', body: `The Subaru Outback ${MARK} `.repeat(150) }),
  JSON.stringify({ subject: `Subaru Outback ${MARK}` }),
];

/** The stand-in's `contentFor`: reads the customer's name from the drafter's prompt. */
export function aiContent(request: { messages: Array<{ role: string; content: string }> }): string | undefined {
  const user = request.messages.find((m) => m.role === 'user');
  let first = 'there';
  let last = '';
  try {
    const parsed = JSON.parse(user?.content ?? '{}') as { customer?: { firstName?: string; lastName?: string } };
    first = parsed.customer?.firstName ?? first;
    last = parsed.customer?.lastName ?? '';
  } catch {
    /* not ours */
  }
  if (first !== 'Invalid') return VALID(first);
  return INVALID[Number(/(\d+)$/.exec(last)?.[1] ?? 0) % INVALID.length];
}

export interface KillLead {
  leadId: string;
  channel: 'email' | 'sms';
  invalidAi: boolean;
  steps: number;
  submittedAt: number;
}

/** Lead i of a run: every third by SMS, every fifth answered with invalid output (each kind in turn). */
export function killLeadInput(
  i: number,
  seed: number,
  steps: SequenceStep[],
): { input: ReturnType<typeof makeLeadInput>; channel: 'email' | 'sms'; invalidAi: boolean } {
  const channel: 'email' | 'sms' = i % 3 === 2 ? 'sms' : 'email';
  const invalidAi = i % 5 === 4;
  const contact = {
    firstName: invalidAi ? 'Invalid' : `Lead${i}`,
    lastName: invalidAi ? `Variant${Math.floor(i / 5) % INVALID.length}` : 'Chaos',
    email: channel === 'email' ? `chaos-${seed}-${i}@example.com` : null,
    phone: channel === 'sms' ? `+1415555${String(2000 + (i % 8000)).padStart(4, '0')}` : null,
  };
  return { input: makeLeadInput({ contact, sequence: steps.map((s) => ({ ...s, channel })) }), channel, invalidAi };
}

export interface Draft {
  lead: KillLead;
  path: string;
  reason: string;
}

/** The lead timelines' `drafted` events (path ai|template, and why the template) and how many `sent` events were recovered without a call. */
export async function draftsAndSends(db: Kysely<Database>, leads: KillLead[]): Promise<{ drafts: Draft[]; recoveredWithoutCall: number }> {
  const events = await Promise.all(leads.map(async (lead) => ({ lead, events: await listLeadEvents(db, lead.leadId) })));
  const drafts = events.flatMap(({ lead, events: es }) =>
    es.filter((e) => e.type === 'drafted').map((e) => ({ lead, path: e.detail.path as string, reason: (e.detail.reason as string | null) ?? '' })),
  );
  const recoveredWithoutCall = events.flatMap((x) => x.events).filter((e) => e.type === 'sent' && e.detail.duplicate === true).length;
  return { drafts, recoveredWithoutCall };
}
