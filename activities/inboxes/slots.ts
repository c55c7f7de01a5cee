// The lead workflow's door to its inboxes (workflows cannot send an Update to another workflow):
// reserve a slot (update-with-start on the chosen inbox, keyed by lead + step, so a retried
// activity gets the recorded answer; a worker's concurrent requests to one inbox go together in
// one update, inbox-batch.ts), give a slot back, and report what happened to a message
// (sent, bounced, complained, replied) to the inbox that sent it, for its health.
import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { getInbox, inboxChannels, slotGrantView, takeRampPermit, type Database } from '../../db/index.js';
import { isImplicitInbox } from '../../domain/inboxes/types.js';
import { inboxEntityKey, inboxStartOf, reportInboxEventBySignal, type InboxStart } from '../../temporal/inbox-client.js';
import type { InboxEvent, SlotAnswer } from '../../workflows/inbox/contract.js';
import { chooseInbox, implicitInbox } from './rotation.js';
import { inboxBatcher, type InboxBatcher } from './inbox-batch.js';
import { campaignHold } from '../campaigns/gate.js';

export interface ReserveRequest {
  leadId: string;
  /** The send key (lead + step + resend): one slot per key. */
  key: string;
  channel: 'email' | 'sms';
  /** The inbox this lead already uses on this channel: follow-ups stay on it. */
  inboxId: string | null;
  /** The inboxes the lead may use; null: the implicit inbox of the channel. */
  candidates: string[] | null;
  recipientTimeZone: string | null;
}

/** How many of the ranked inboxes a first message may ask, and what counts as "at once". */
const ASK_AT_MOST = 3;
const AT_ONCE_MS = 60_000;

export interface InboxSlotDeps {
  db: Kysely<Database>;
  client: Client;
  /** While the emergency stop holds, a lead asks again after this long (default 5 minutes). */
  stopRecheckMs?: number;
  /** While the lead's campaign is paused, it asks again after this long (default 2 minutes). */
  campaignRecheckMs?: number;
  /** The worker's one batcher, shared with the send activity's notes (sentNote); else its own. */
  batcher?: InboxBatcher;
}

/** Started beside the lead that asks: on the task queue this activity runs on; null if not in the registry. */
async function startOf(db: Kysely<Database>, inboxId: string): Promise<InboxStart | null> {
  const taskQueue = Context.current().info.taskQueue;
  if (isImplicitInbox(inboxId)) return { ...inboxStartOf(inboxId, undefined), taskQueue };
  const row = await getInbox(db, inboxId);
  return row === undefined ? null : { ...inboxStartOf(inboxId, row), taskQueue };
}

/** One op to an inbox through the worker's batcher, within this attempt; nothing if it is not in the registry. */
async function tellInbox(db: Kysely<Database>, batcher: InboxBatcher, inboxId: string, op: Parameters<InboxBatcher['tell']>[2]): Promise<void> {
  const start = await startOf(db, inboxId);
  if (start !== null) await batcher.tell(inboxEntityKey(start.inboxId, start.taskQueue), start, op);
}

/**
 * The send activity's note that a message went out (activities/send/ledger.ts, noteSent): in the
 * worker's inboxOps batches, waited for (a regular activity holds no workflow task slot). Should
 * the inbox refuse it (a worker of an older build runs it during an upgrade), a signal carries it.
 */
export function sentNote(deps: { db: Kysely<Database>; client: Client; batcher: InboxBatcher }) {
  return async (req: { inboxId: string; key: string }): Promise<void> => {
    // Read once, outside the try: a database failure is the activity's to retry, not a reason to signal.
    const start = await startOf(deps.db, req.inboxId);
    if (start === null) return;
    const event: InboxEvent = { eventId: `sent:${req.key}`, kind: 'sent', key: req.key };
    try {
      await deps.batcher.tell(inboxEntityKey(start.inboxId, start.taskQueue), start, { op: 'event', event });
    } catch (err) {
      log.warn('the inbox did not take the sent note as an update; signalling it', { inboxId: req.inboxId, error: String(err) });
      await reportInboxEventBySignal(deps.client, start, event);
    }
  };
}

export function createInboxSlotActivities(deps: InboxSlotDeps) {
  const { db, client } = deps;
  const stopRecheckMs = deps.stopRecheckMs ?? 5 * 60_000;
  const campaignRecheckMs = deps.campaignRecheckMs ?? 2 * 60_000;
  const inbox = deps.batcher ?? inboxBatcher(client);

  /** The lead's candidates that send on this channel (the implicit inbox's id says its channel). */
  async function onChannel(candidates: string[] | null, channel: 'email' | 'sms'): Promise<string[] | null> {
    if (candidates === null) return null;
    const channels = await inboxChannels(db, candidates);
    const fit = candidates.filter((id) => (isImplicitInbox(id) ? implicitInbox(channel) === id : channels.get(id) === channel));
    return fit.length > 0 ? fit : null;
  }

  async function reserveSendSlot(req: ReserveRequest): Promise<SlotAnswer> {
    const now = Date.now();
    const view = await slotGrantView(db, req.leadId);
    // The inboxes grant nothing during an emergency stop: nobody asks them.
    if (view.stopped) {
      return { kind: 'wait', inboxId: req.inboxId ?? '', reason: 'emergency stop: all sending is halted', retryAt: now + stopRecheckMs };
    }
    const held = campaignHold(view.campaign, req, now, campaignRecheckMs);
    if (held !== null) return { kind: 'wait', inboxId: req.inboxId ?? '', ...held };
    let answer: SlotAnswer;
    if (req.inboxId !== null) {
      const start = await startOf(db, req.inboxId);
      if (start === null) return { kind: 'wait', inboxId: req.inboxId, reason: `inbox ${req.inboxId} is not in the registry`, retryAt: now + stopRecheckMs };
      answer = await inbox.reserve(inboxEntityKey(start.inboxId, start.taskQueue), start, {
        key: req.key,
        leadId: req.leadId,
        recipientTimeZone: req.recipientTimeZone,
      });
    } else {
      const taskQueue = Context.current().info.taskQueue;
      const choice = await chooseInbox(db, await onChannel(req.candidates, req.channel), req.channel, now, (id) => inboxEntityKey(id, taskQueue));
      if (choice.kind === 'wait') return { kind: 'wait', inboxId: '', reason: choice.reason, retryAt: choice.retryAt };
      answer = await firstFit(req, choice.ranked, now);
    }
    if (answer.kind !== 'granted' || !view.ramping) return answer;
    // After a resume, the whole system sends at the ramp's pace: this send's place in it. No ramp
    // when the view was read means none now, unless a stop and a resume both came in between;
    // then this one send goes unpaced, and the gate still refuses it while stopped.
    const permit = await takeRampPermit(db, now);
    return permit !== null && permit > answer.sendAt ? { ...answer, sendAt: permit } : answer;
  }

  /**
   * The saved figures lag a burst of new leads by a second or two, so the ranking alone would send
   * a burst to one inbox. The best few are asked in turn: the first that can send at once wins;
   * else the earliest slot is kept and the others go back.
   */
  async function firstFit(req: ReserveRequest, ranked: string[], now: number): Promise<SlotAnswer> {
    const asked: SlotAnswer[] = [];
    for (const inboxId of ranked.slice(0, ASK_AT_MOST)) {
      const start = await startOf(db, inboxId);
      if (start === null) continue;
      const answer = await inbox.reserve(inboxEntityKey(start.inboxId, start.taskQueue), start, {
        key: req.key,
        leadId: req.leadId,
        recipientTimeZone: req.recipientTimeZone,
      });
      asked.push(answer);
      if (answer.kind === 'granted' && answer.sendAt <= now + AT_ONCE_MS) break;
    }
    const granted = asked.filter((a): a is Extract<SlotAnswer, { kind: 'granted' }> => a.kind === 'granted');
    const best = granted.reduce<(typeof granted)[number] | undefined>((b, a) => (b === undefined || a.sendAt < b.sendAt ? a : b), undefined);
    for (const other of granted)
      if (other !== best) await releaseSendSlot({ inboxId: other.inboxId, key: req.key, reason: 'another inbox of the lead could send sooner' });
    return best ?? asked[0] ?? { kind: 'wait', inboxId: '', reason: "none of the lead's inboxes is in the registry", retryAt: now + stopRecheckMs };
  }

  async function releaseSendSlot(req: { inboxId: string; key: string; reason: string }): Promise<void> {
    await tellInbox(db, inbox, req.inboxId, { op: 'release', key: req.key, reason: req.reason });
  }

  async function noteInboxEvent(req: { inboxId: string; event: InboxEvent }): Promise<void> {
    await tellInbox(db, inbox, req.inboxId, { op: 'event', event: req.event });
  }

  return { reserveSendSlot, releaseSendSlot, noteInboxEvent };
}

export type InboxSlotActivities = ReturnType<typeof createInboxSlotActivities>;
