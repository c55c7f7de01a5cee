// The live state of one inbox and every message handler on it. Handlers decide synchronously (no
// activity inside), so a slot is granted in the same workflow task the request arrives in and the
// lead gets its answer at once; persisting the new figures for the API and the send guard is the
// main loop's job (workflow.ts).
import { log, setHandler } from '@temporalio/workflow';
import {
  emptyCarry,
  inboxEventSignal,
  inboxOpsUpdate,
  inboxStatusQuery,
  INBOX_EVENT_KINDS,
  MAX_INBOX_OPS,
  pauseInboxSignal,
  releaseSlotSignal,
  reserveSlotUpdate,
  reserveSlotsUpdate,
  MAX_RESERVE_BATCH,
  resumeInboxSignal,
  updatePolicyUpdate,
  type DayStats,
  type InboxCarry,
  type InboxEvent,
  type InboxOp,
  type InboxOpAnswer,
  type InboxPolicy,
  type InboxStatus,
  type InboxWorkflowInput,
  type SlotAnswer,
  type SlotRequest,
} from './contract.js';
import { emptyDay, healthOf, zone } from './policy/health.js';
import { judge } from './policy/judge.js';
import { dailyLimit, rampDay } from './policy/limits.js';
import { activePause, planSlot } from './policy/plan.js';
import { dayKey, startOfDay, startOfNextDay } from './policy/time.js';
import { checkPolicy } from './policy/validate.js';
import { unitHash } from './policy/hash.js';

const SEEN_EVENTS_KEEP = 2000;

const COUNTERS: Record<Exclude<InboxEvent['kind'], 'sent'>, keyof DayStats> = {
  hard_bounce: 'hardBounces',
  soft_bounce: 'softBounces',
  block_bounce: 'blocks',
  complaint: 'complaints',
  reply: 'replies',
};

function checkRequest(req: SlotRequest): void {
  if (typeof req?.key !== 'string' || req.key === '' || typeof req.leadId !== 'string' || req.leadId === '') {
    throw new Error('reserveSlot needs a key and a leadId');
  }
}

function checkOp(op: InboxOp): void {
  if (op?.op === 'reserve') return checkRequest(op.req);
  if (op?.op === 'release') {
    if (typeof op.key !== 'string' || op.key === '') throw new Error('release needs the key of the slot');
    return;
  }
  if (op?.op === 'event') {
    const e = op.event;
    if (typeof e?.eventId !== 'string' || e.eventId === '') throw new Error('an inbox event needs an eventId');
    if (!INBOX_EVENT_KINDS.includes(e.kind)) throw new Error(`unknown inbox event kind: ${String(e.kind)}`);
    return;
  }
  throw new Error(`unknown inbox op: ${String((op as { op?: unknown })?.op)}`);
}

export class InboxState {
  policy: InboxPolicy;
  readonly createdAt: number;
  carry: InboxCarry;
  /** Bumped on every change worth persisting; the main loop compares it with what it saved. */
  version = 0;

  constructor(readonly input: InboxWorkflowInput) {
    this.policy = input.policy;
    this.createdAt = input.createdAt;
    this.carry = input.carry ?? emptyCarry();
    this.install();
  }

  private day(key: string): DayStats {
    return (this.carry.days[key] ??= emptyDay());
  }

  private changed(): void {
    this.version++;
  }

  private install(): void {
    setHandler(reserveSlotUpdate, (req) => this.reserve(req), { validator: checkRequest });
    setHandler(reserveSlotsUpdate, (reqs) => reqs.map((req) => this.reserve(req)), {
      validator: (reqs: SlotRequest[]) => {
        if (!Array.isArray(reqs) || reqs.length === 0 || reqs.length > MAX_RESERVE_BATCH) {
          throw new Error(`reserveSlots needs 1 to ${MAX_RESERVE_BATCH} requests`);
        }
        reqs.forEach(checkRequest);
      },
    });
    setHandler(inboxOpsUpdate, (ops) => ops.map((op) => this.apply(op)), {
      validator: (ops: InboxOp[]) => {
        if (!Array.isArray(ops) || ops.length === 0 || ops.length > MAX_INBOX_OPS) throw new Error(`inboxOps needs 1 to ${MAX_INBOX_OPS} ops`);
        ops.forEach(checkOp);
      },
    });
    setHandler(releaseSlotSignal, ({ key, reason }) => this.release(key, reason));
    setHandler(inboxEventSignal, (e) => this.event(e));
    setHandler(pauseInboxSignal, ({ by, reason, until }) => {
      const now = Date.now();
      this.carry.pause = { until: until ?? null, reason, by, at: now, kind: 'operator' };
      log.info('inbox paused by an operator', { inboxId: this.input.inboxId, by });
      this.changed();
    });
    setHandler(resumeInboxSignal, ({ by }) => this.resume(by));
    setHandler(
      updatePolicyUpdate,
      (policy) => {
        this.policy = policy;
        this.changed();
        return this.status();
      },
      {
        validator: (policy) => {
          const check = checkPolicy(policy, this.policy, Date.now());
          if (!check.ok) throw new Error(`${check.field}: ${check.message}`);
        },
      },
    );
    setHandler(inboxStatusQuery, () => this.status());
  }

  private resume(by: string): void {
    const now = Date.now();
    const today = dayKey(now, zone(this.policy));
    // Health starts afresh from the resume: the bounces that caused a pause are not held against it again.
    this.carry.resumedFrom = { day: today, base: { ...this.day(today) } };
    this.carry.pause = null;
    log.info('inbox resumed', { inboxId: this.input.inboxId, by });
    this.changed();
  }

  /** A pause the inbox put on itself ran out: like a resume, but by the clock. */
  private expirePause(now: number): void {
    const p = this.carry.pause;
    if (p === null || activePause(p, now) !== null) return;
    if (p.kind === 'health' || p.kind === 'bounce_rate') this.resume('expiry');
    else this.carry.pause = null;
  }

  private apply(op: InboxOp): InboxOpAnswer {
    if (op.op === 'reserve') return this.reserve(op.req);
    if (op.op === 'release') this.release(op.key, op.reason);
    else this.event(op.event);
    return null;
  }

  reserve(req: SlotRequest): SlotAnswer {
    const inboxId = this.input.inboxId;
    const held = this.carry.reservations[req.key];
    const retry = { softBounceRetryHours: this.policy.softBounceRetryHours };
    if (held !== undefined) return { kind: 'granted', slotId: held.slotId, inboxId, sendAt: held.sendAt, ...retry };
    const now = Date.now();
    this.expirePause(now);
    const plan = planSlot({
      policy: this.policy,
      createdAt: this.createdAt,
      carry: this.carry,
      healthScore: healthOf(this.carry, this.policy, this.createdAt, now).score,
      now,
      recipientTimeZone: req.recipientTimeZone ?? null,
      jitter: unitHash(req.key),
    });
    if (plan.kind === 'wait') return { kind: 'wait', inboxId, reason: plan.reason, retryAt: plan.retryAt };
    const slotId = `${inboxId}:${++this.carry.slotSeq}`;
    this.carry.reservations[req.key] = { slotId, leadId: req.leadId, sendAt: plan.sendAt, day: plan.day, sent: false };
    this.day(plan.day).granted += 1;
    this.carry.lastSlotAt = Math.max(this.carry.lastSlotAt ?? 0, plan.sendAt);
    this.changed();
    return { kind: 'granted', slotId, inboxId, sendAt: plan.sendAt, ...retry };
  }

  private release(key: string, reason: string): void {
    const r = this.carry.reservations[key];
    if (r === undefined || r.sent) return;
    delete this.carry.reservations[key];
    this.day(r.day).granted = Math.max(0, this.day(r.day).granted - 1);
    log.info('slot released', { inboxId: this.input.inboxId, key, reason });
    this.changed();
  }

  private event(e: InboxEvent): void {
    if (this.carry.seenEvents.includes(e.eventId)) return;
    this.carry.seenEvents.push(e.eventId);
    if (this.carry.seenEvents.length > SEEN_EVENTS_KEEP) this.carry.seenEvents.splice(0, this.carry.seenEvents.length - SEEN_EVENTS_KEEP);
    const now = Date.now();
    const today = dayKey(now, zone(this.policy));
    if (e.kind === 'sent') {
      const r = e.key != null ? this.carry.reservations[e.key] : undefined;
      if (r?.sent === true) return;
      if (r !== undefined) r.sent = true;
      this.day(today).sent += 1;
    } else {
      this.day(today)[COUNTERS[e.kind]] += 1;
    }
    this.expirePause(now);
    const verdict = judge(this.policy, healthOf(this.carry, this.policy, this.createdAt, now), this.carry.pause, e.kind, now);
    if (verdict.pause !== this.carry.pause) log.warn('inbox paused itself', { inboxId: this.input.inboxId, reason: verdict.pause?.reason });
    this.carry.pause = verdict.pause;
    this.carry.warnings = verdict.warnings;
    this.changed();
  }

  status(): InboxStatus {
    const now = Date.now();
    const tz = zone(this.policy);
    const today = dayKey(now, tz);
    const health = healthOf(this.carry, this.policy, this.createdAt, now);
    const day = rampDay(this.createdAt, now, tz);
    const limit = dailyLimit(this.policy, day, health.score);
    const d = this.carry.days[today] ?? emptyDay();
    return {
      inboxId: this.input.inboxId,
      health,
      rampDay: day,
      today,
      dayStartedAt: startOfDay(now, tz),
      dailyLimit: Number.isFinite(limit) ? limit : this.policy.dailyCap,
      grantedToday: d.granted,
      sentToday: d.sent,
      remainingToday: Math.max(0, (Number.isFinite(limit) ? limit : this.policy.dailyCap) - d.granted),
      pause: activePause(this.carry.pause, now),
      warnings: this.carry.warnings,
      policy: this.policy,
    };
  }

  /** When the figures next change by the clock alone: the next day in the inbox's zone, or a pause's end. */
  nextClockChange(now: number): number {
    const until = activePause(this.carry.pause, now)?.until ?? null;
    const nextDay = startOfNextDay(now, zone(this.policy));
    return until !== null && until < nextDay ? until : nextDay;
  }

  /** Drops what no longer matters: days out of the health window, reservations sent or long past. */
  prune(now: number): void {
    const keepFrom = dayKey(now - (this.policy.healthWindowDays + 1) * 86_400_000, zone(this.policy));
    for (const day of Object.keys(this.carry.days)) if (day < keepFrom) delete this.carry.days[day];
    for (const [key, r] of Object.entries(this.carry.reservations)) {
      // A sent slot is kept a day (a retried request still gets its answer); an unsent one until its
      // day left the window (a lead stopped mid-wait never releases it, and it must not block forever).
      if ((r.sent && r.sendAt < now - 86_400_000) || r.day < keepFrom) delete this.carry.reservations[key];
    }
  }
}
