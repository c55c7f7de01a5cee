// The lead pipeline: enrich, score, then the sequence loop. The loop is one decision point: each
// turn handles whatever arrived (arrivals, provider events, stop, retry, pause), then either sends
// the step that is due or sleeps until the next due time or signal. Every wait is a durable
// timer, so a worker restart, a deploy or a week of pause resumes exactly where it was.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { condition, continueAsNew, log, ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { handoverWorkflowId } from '../handover/contract.js';
import { handoverWorkflow } from '../handover/workflow.js';
import { scoreLead } from '../policy/scoring.js';
import { enrichLead, enrichLeadLocal, requestSendSlot, updateLeadContact } from './activities.js';
import { endLead, flush, record } from './journal.js';
import { sendKey, type FinalLeadStatus, type LeadCarry, type LeadInput, type LeadOutcome, type LeadStatus } from './contract.js';
import { handleEvents, recordArrivals } from './events.js';
import { enrichInput, leadProfile, reachableChannel, scoringInput, type LeadProfile } from '../../domain/lead/profile.js';
import type { LeadRunState } from './run-state.js';
import { NO_CHANNEL, sendStep } from './send-step.js';
import { DEFAULT_SEQUENCE, nextAction } from './sequence.js';
import { giveBack, holdSlot, INBOX_SLOTS_PATCH, slotUsed } from './slot-step.js';
import { hasPatch } from './version.js';

/** A send the inbox's last guard refused (paused, today's limit reached) is tried again after this long. */
const HELD_RECHECK_MS = 5 * 60_000;

export async function runPipeline(input: LeadInput, st: LeadRunState, waitMs: number): Promise<LeadOutcome> {
  const leadId = st.leadId;
  const profile = leadProfile(input);
  const enrichment = await (st.lean ? enrichLeadLocal : enrichLead)(enrichInput(input.contact, profile));
  const enrichedWritten = record(st, { leadId, eventKey: 'enriched', type: 'enriched', detail: { ...enrichment } });
  if (enrichedWritten) await enrichedWritten;
  // Scored in the workflow: the rules are pure, and `new Date()` is workflow time (replay-safe).
  const score = scoreLead(scoringInput(input, input.contact, profile, enrichment), input.scoringWeights, new Date());
  st.setTier(score.tier);
  const scoredWritten = record(st, { leadId, eventKey: 'scored', type: 'scored', detail: { ...score }, status: 'received', tier: score.tier });
  if (scoredWritten) await scoredWritten;
  const now = Date.now();
  const steps = input.sequence ?? DEFAULT_SEQUENCE;
  const c: LeadCarry = {
    deadline: now + waitMs,
    // A deferred campaign lead (temporal/campaign-leads.ts) starts when its first step is due: its
    // clock began at the fan-out. Inputs without the field (inbound leads, older runs) start it now.
    sequenceStartedAt: input.sequenceStartedAt ?? now,
    seenArrivals: st.seenArrivals,
    seenEvents: st.seenEvents,
    enrichment,
    score,
    contact: input.contact,
    channel: reachableChannel(enrichment, steps[0]?.channel),
    stepsSent: 0,
    resends: {},
    pendingResend: null,
    lastSentAt: null,
    attention: null,
    conversation: [],
    timeline: st.timeline,
    transitions: 0,
    paused: null,
    ...(st.lean && { lean: true }),
  };
  st.carry = c;
  st.note('scored', { score: score.score, tier: score.tier });
  // A lead hot enough by score goes to a person at once; its sequence still runs until they act.
  const threshold = input.handover?.scoreThreshold;
  if (threshold !== undefined && score.score >= threshold && hasPatch(SCORE_HANDOVER_PATCH)) await handOver(input, st, 'score');
  return runSequence(input, st, c, profile);
}

export async function runSequence(input: LeadInput, st: LeadRunState, c: LeadCarry, profile = leadProfile(input)): Promise<LeadOutcome> {
  const leadId = st.leadId;
  const steps = input.sequence ?? DEFAULT_SEQUENCE;
  st.carry = c;

  // Like `record`: the write to await for older runs, nothing for lean ones (journal.ts).
  const moveTo = (status: LeadStatus, detail: Record<string, unknown> = {}): Promise<unknown> | undefined => {
    if (st.status === status) return undefined;
    st.setStatus(status);
    c.transitions += 1;
    st.note('status', { status, ...detail });
    return record(st, { leadId, eventKey: `status:${status}:${c.transitions}`, type: 'status', detail: { status, ...detail }, status });
  };
  const finish = async (status: FinalLeadStatus): Promise<LeadOutcome> => {
    const stop = st.stop;
    st.nextSendAt = null;
    // A slot held for a message that will never go out goes back to its inbox.
    if (c.slot != null) await giveBack(c, `the lead ended: ${status}`);
    // A reply that is not a no goes to a person. Runs recorded before handover existed replay without it.
    if (status === 'replied' && hasPatch(HANDOVER_PATCH)) await handOver(input, st, 'reply');
    return endLead(st, status, status === 'stopped' && stop !== null ? { reason: stop.reason, by: stop.by } : { stepsSent: c.stepsSent }, c.stepsSent);
  };
  // Signals seen when this turn began: one that lands while the turn awaits an activity wakes the
  // next sleep at once instead of sitting in the queue until some later signal or timer.
  let seen = st.wakes;
  /** Sleeps until `untilMs` or the next signal, whichever is first. */
  const sleep = async (untilMs: number) => {
    await flush(st);
    await condition(() => st.wakes !== seen, Math.max(1, Math.min(untilMs, c.deadline) - Date.now()));
  };

  for (;;) {
    seen = st.wakes;
    // Awaited only when something comes back: a turn with nothing to write makes no promise (journal.ts).
    const arrivals = recordArrivals(st);
    if (arrivals) await arrivals;
    const final = st.events.length > 0 ? await handleEvents(st, c) : null;
    if (final !== null) return finish(final);
    if (st.stop !== null) return finish('stopped');
    if (Date.now() >= c.deadline) return finish('expired');

    if (c.attention !== null) {
      if (st.retry === null) {
        await moveTo('needs_attention', { reason: c.attention });
        await sleep(c.deadline);
        continue;
      }
      await applyRetry(st, c, profile, nextAction(steps, c, input.finalWait));
      continue;
    }
    if (st.retry !== null) {
      st.note('retry_ignored', { by: st.retry.by });
      st.retry = null;
    }

    const planned = nextAction(steps, c, input.finalWait);
    // An out-of-office answer holds sends (but not the end of the sequence) until the lead is back.
    const next = planned.kind === 'send' && (c.oooUntil ?? 0) > planned.dueAt ? { ...planned, dueAt: c.oooUntil ?? planned.dueAt } : planned;
    if (next.dueAt > Date.now()) {
      st.nextSendAt = next.kind === 'send' ? next.dueAt : null;
      const moved = moveTo(st.paused !== null ? 'paused' : 'waiting');
      if (moved) await moved;
      if (continueAsNewDue(input) && (await maybeContinueAsNew(input, st, c))) continue;
      await sleep(next.dueAt);
      continue;
    }
    if (next.kind === 'finish') return finish('no_response');
    if (st.paused !== null) {
      await moveTo('paused', { reason: st.paused.reason, by: st.paused.by });
      await sleep(c.deadline);
      continue;
    }

    const channel = reachableChannel(c.enrichment, steps[next.step - 1]?.channel);
    c.channel = channel;
    if (channel === null) {
      c.attention = NO_CHANNEL;
      continue;
    }
    let inboxId: string | undefined;
    if (hasPatch(INBOX_SLOTS_PATCH)) {
      const held = await holdSlot(input, st, c, sendKey(leadId, next.step, c.resends[String(next.step)] ?? 0), channel);
      if (held.kind === 'wait') {
        st.nextSendAt = held.until;
        st.slotWait = held.reason;
        await moveTo(held.reason !== null ? 'waiting_for_slot' : 'waiting', held.reason !== null ? { reason: held.reason } : {});
        await sleep(held.until);
        continue;
      }
      st.slotWait = null;
      inboxId = held.slot.inboxId;
    } else {
      const slot = await requestSendSlot({ leadId, channel, campaignId: input.campaignId, inboxId: null });
      if (!slot.granted) {
        st.nextSendAt = slot.retryAt;
        await moveTo('waiting', { slot: slot.reason });
        await sleep(slot.retryAt);
        continue;
      }
    }
    st.nextSendAt = null;
    const sending = moveTo('sending', { step: next.step });
    if (sending) await sending;
    const result = await sendStep(input, st, c, profile, next.step, channel, inboxId);
    if (result.kind === 'held') {
      // Nothing was called: the slot goes back, and the lead asks again. Held by the emergency
      // stop, at once: the slot activity answers "wait" with its own stop recheck while the stop
      // holds, and a new slot at the resume ramp's pace once it is lifted (a fixed sleep here
      // would keep the lead 5 minutes behind the resume). Refused by the inbox's last guard,
      // after HELD_RECHECK_MS: its figures change by the clock, and asking at once could loop.
      await giveBack(c, result.reason);
      st.slotWait = result.reason;
      await moveTo('waiting_for_slot', { reason: result.reason });
      if (result.why === 'stopped') continue;
      st.nextSendAt = Date.now() + HELD_RECHECK_MS;
      await sleep(Date.now() + HELD_RECHECK_MS);
      continue;
    }
    if (result.kind !== 'sent') await giveBack(c, result.kind === 'suppressed' ? 'suppressed' : 'the send failed');
    if (result.kind === 'suppressed') return finish('suppressed');
    if (result.kind === 'attention') {
      c.attention = result.reason;
      continue;
    }
    const used = slotUsed(st, c);
    if (used) await used;
    c.lastSentAt = Date.now();
    if (next.resend) c.pendingResend = null;
    else c.stepsSent += 1;
  }
}

/** A person fixed the data (or just said "try again"): the failed step goes again under a new key. */
async function applyRetry(st: LeadRunState, c: LeadCarry, profile: LeadProfile, next: ReturnType<typeof nextAction>): Promise<void> {
  const req = st.retry;
  if (req === null) return;
  st.retry = null;
  const fix = { email: req.email ?? c.contact.email, phone: req.phone ?? c.contact.phone };
  c.transitions += 1;
  const changed = fix.email !== c.contact.email || fix.phone !== c.contact.phone;
  if (changed) {
    c.contact = { ...c.contact, ...fix };
    await updateLeadContact({ leadId: st.leadId, email: fix.email, phone: fix.phone, eventKey: `contact:${c.transitions}` });
    c.enrichment = await enrichLead(enrichInput(c.contact, profile));
  }
  if (next.kind === 'send') c.resends[String(next.step)] = (c.resends[String(next.step)] ?? 0) + 1;
  st.note('retry', { by: req.by, contactChanged: changed });
  await record(st, { leadId: st.leadId, eventKey: `retry:${c.transitions}`, type: 'retry', detail: { by: req.by, previous: c.attention } });
  c.attention = null;
}

/** Whether the run's history is long enough to continue as new (a plain check: every wait asks it, and an async one would cost promises). */
function continueAsNewDue(input: LeadInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength >= input.historyLimit);
}

/**
 * Long sequences (weeks of follow-ups, chatty webhooks) hand their plain-JSON state to a fresh
 * run before the history grows large. Only at a quiet point: nothing queued, nobody stopping.
 * Called once continueAsNewDue.
 */
async function maybeContinueAsNew(input: LeadInput, st: LeadRunState, c: LeadCarry): Promise<boolean> {
  const info = workflowInfo();
  if (st.events.length > 0 || st.pendingArrivals.length > 0 || st.stop !== null || st.retry !== null) return true;
  await flush(st);
  log.info('lead continues as new', { leadId: st.leadId, historyLength: info.historyLength });
  const carry: LeadCarry = { ...c, seenArrivals: st.seenArrivals, seenEvents: st.seenEvents, timeline: st.timeline, paused: st.paused };
  await continueAsNew<(input: LeadInput) => Promise<LeadOutcome>>({ ...input, carry });
  return true;
}

export const HANDOVER_PATCH = 'lead-handover-v1';
export const SCORE_HANDOVER_PATCH = 'lead-handover-score-v1';

/**
 * Starts the handover as its own workflow: it outlives the lead's (ABANDON) and has its own
 * history. One per lead: a reply after a score handover finds it already started.
 */
async function handOver(input: LeadInput, st: LeadRunState, reason: 'reply' | 'score'): Promise<void> {
  // The handover's dossier reads the lead's timeline: it must be written first.
  await flush(st);
  const workflowId = handoverWorkflowId(st.leadId);
  const { scoreThreshold: _threshold, ...slas } = input.handover ?? {};
  try {
    await startChild(handoverWorkflow, {
      workflowId,
      args: [{ leadId: st.leadId, scope: input.campaignId ?? input.source, reason, ...slas }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // One handover per lead, ever: the rep who has it keeps the conversation.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    st.note('handover_already_started', { workflowId, reason });
    return;
  }
  st.note('handover', { workflowId, reason });
  await record(st, { leadId: st.leadId, eventKey: 'handover', type: 'handover', detail: { workflowId, reason } });
}
