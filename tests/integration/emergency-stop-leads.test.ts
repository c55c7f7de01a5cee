// The emergency stop with a few hundred leads mid-sequence, end to end on the dev server: the real
// lead worker sends through the real @sendgrid/mail client to the stand-in, which records every
// message it accepts and when. The stop (the control workflow's update, answered once committed)
// lands while step 1 is going out; after its acknowledgement only the calls already in flight in
// the ledger reach the provider, and nothing at all once they settle. Every lead that comes due
// waits visibly (waiting_for_slot, the stop's reason). The resume's ramp then lets each lead carry
// on from where it was: every (lead, step) accepted exactly once, none skipped, at the ramp's pace.
// LEADFLOW_STOP_LEADS scales it (default 150).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { localTransport, sendGridTransport } from '../../activities/send/transports.js';
import { createSendGridSender } from '../../activities/sendgrid/sender.js';
import { emergencyStop, resumeSending } from '../../temporal/control-client.js';
import { queryLeadState, submitLead } from '../../temporal/lead-client.js';
import type { LeadState, SequenceStep } from '../../workflows/lead/contract.js';
import { testIdentity } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { makeLeadInput } from '../helpers/leads.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { startSendGrid, type AcceptedMail } from '../helpers/standins/sendgrid.js';
import { uniqueName } from '../helpers/temporal.js';

const LEADS = Number(process.env.LEADFLOW_STOP_LEADS ?? 150);
// Step 1 at once; the follow-ups come due during the stop and again during the resume.
const SEQUENCE: SequenceStep[] = [1, 2, 3].map((n, i) => ({
  delay: i === 0 ? '1 second' : '6 seconds',
  channel: 'email' as const,
  ai: false,
  template: { subject: `Step ${n}`, body: `Hello {firstName}, message ${n} about the {vehicle}.` },
}));
const STEPS = SEQUENCE.length;
/** The sliding window the report counts sends in. */
const WINDOW_MS = 5_000;
/** A permit's time is taken as its activity starts, just before it reads the flag: the first may predate the resume by that much. */
const EARLY_MS = 250;

const keyOf = (m: AcceptedMail) => (m.body.custom_args as Record<string, string> | undefined)?.idempotency_key ?? '?';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

describe(`emergency stop with ${LEADS} leads mid-sequence (dev server, lead worker, SendGrid stand-in)`, () => {
  let stack: DevStack;
  let sg: Awaited<ReturnType<typeof startSendGrid>>;
  const taskQueue = uniqueName('stop-leads');
  const control = { taskQueue, workflowId: uniqueName('control') };
  const leadIds: string[] = [];

  before(async () => {
    // Every accepted message answers after 20–60 ms: calls are in flight when the stop lands.
    sg = await startSendGrid({ apiKey: 'SG.stop-leads', latencyMs: () => 20 + Math.random() * 40 });
    const sender = createSendGridSender({ apiKey: 'SG.stop-leads', baseUrl: sg.url });
    stack = await startDevStack({
      leadWorker: {
        taskQueue,
        services: { transports: { email: sendGridTransport(sender, 'sales@dealer.example.com'), sms: localTransport() }, stopRecheckMs: 2_000 },
      },
    });
  });
  after(async () => {
    await stack?.stop();
    await sg?.close();
  });

  const states = () => mapLimit(leadIds, 16, (id) => queryLeadState(stack.env.client, id));

  test('no provider call starts after the ack; due leads wait with the reason; the resume sends every step once at the ramp pace', async () => {
    const client = stack.env.client;
    const t0 = Date.now();
    const inputs = Array.from({ length: LEADS }, () => makeLeadInput({ sequence: SEQUENCE }));
    leadIds.push(...(await mapLimit(inputs, 16, async (input) => (await submitLead(client, input, { identity: testIdentity, taskQueue })).leadId)));

    // The stop lands while step 1 is going out.
    await eventually('sends under way', async () => sg.accepted.length >= Math.max(5, Math.floor(LEADS / 4)), 60_000);
    const acceptedBeforeStop = sg.accepted.length;
    const ack = await emergencyStop(client, { reason: 'complaint spike on the dealer domain', by: 'ops@dealer.example' }, control);
    const ackAt = Date.now();
    assert.equal(ack.stopped, true);
    // What the ledger holds as passed (in flight, or sent) right after the acknowledgement.
    const { rows } = await sql<{ idempotency_key: string }>`select idempotency_key from outbox where in_flight or status = 'sent'`.execute(stack.tdb.db);
    const passedAtAck = new Set(rows.map((r) => r.idempotency_key));
    const acceptedAtAck = sg.accepted.length;

    // The calls in flight at the ack settle; after that nothing more arrives.
    await sleep(1_500);
    const settled = sg.accepted.length;
    for (const m of sg.accepted) assert.ok(passedAtAck.has(keyOf(m)), `${keyOf(m)} reached the provider without being in flight at the ack`);
    assert.ok(settled < LEADS * STEPS, 'the stop landed mid-sequence');

    // Follow-ups come due during the stop: every lead ends up waiting for a slot, with the stop's reason.
    const waiting = await eventually(
      'every lead waiting_for_slot',
      async () => {
        const all = await states();
        return all.every((s) => s.status === 'waiting_for_slot') ? all : false;
      },
      60_000,
    );
    for (const s of waiting) assert.match(s.slotWait ?? '', /emergency stop/, `${s.leadId}: ${s.slotWait}`);
    await sleep(1_000);
    assert.equal(sg.accepted.length, settled, 'nothing reached the provider during the stop after the in-flight calls settled');

    // The resume's ramp: fast enough to finish here, slow enough to be seen.
    const remaining = LEADS * STEPS - settled;
    const perMinute = Math.max(60, Math.round((remaining * 60) / 30));
    const resumed = await resumeSending(
      client,
      { by: 'ops@dealer.example', ramp: { initialPerMinute: perMinute, doublingEveryMinutes: 60, maxPerMinute: 60_000 } },
      control,
    );
    assert.equal(resumed.stopped, false);
    const rampStart = Date.parse(resumed.ramp?.startedAt ?? '');
    const spacing = 60_000 / perMinute;
    await eventually('every step of every lead accepted', async () => sg.accepted.length >= LEADS * STEPS, 180_000);
    await sleep(1_500); // a duplicate would show up now
    const doneAt = Date.now();

    // Exactly once per (lead, step), none skipped, in order.
    const byKey = new Map<string, AcceptedMail[]>();
    for (const m of sg.accepted) byKey.set(keyOf(m), [...(byKey.get(keyOf(m)) ?? []), m]);
    assert.equal(sg.accepted.length, LEADS * STEPS, `accepted ${sg.accepted.length}, expected ${LEADS * STEPS}`);
    for (const id of leadIds) {
      const times = [1, 2, 3].map((step) => {
        const got = byKey.get(`${id}:step:${step}`) ?? [];
        assert.equal(got.length, 1, `${id} step ${step} accepted ${got.length} times`);
        return got[0]!.at;
      });
      assert.ok(times[0]! < times[1]! && times[1]! < times[2]!, `${id}: steps out of order`);
    }

    // The ramp: permits are spaced 60 s / rate from the resume and a message goes at or after its
    // permit, so by any time t at most 1 + (t − resume) / spacing sends can have gone: counted in
    // every window from the resume to each send. A lagging send path may bunch sends in a sliding
    // window (reported), never exceed this.
    const afterResume = sg.accepted.slice(settled).map((m) => m.at);
    assert.equal(afterResume.length, remaining);
    afterResume.sort((a, b) => a - b);
    afterResume.forEach((t, i) => {
      const allowed = 1 + Math.floor((t - rampStart + EARLY_MS) / spacing);
      assert.ok(i + 1 <= allowed, `${i + 1} sends within ${t - rampStart} ms of the resume; the ramp allows ${allowed}`);
    });
    const last = afterResume[afterResume.length - 1]!;
    let worst = 0;
    for (const [i, start] of afterResume.entries()) worst = Math.max(worst, afterResume.slice(i).filter((t) => t < start + WINDOW_MS).length);

    const final: LeadState[] = await states();
    for (const s of final) assert.equal(s.stepsSent, STEPS, `${s.leadId}: ${s.stepsSent} steps`);
    process.stderr.write(
      `[emergency-stop-leads] ${JSON.stringify({
        leads: LEADS,
        acceptedBeforeStop,
        acceptedAfterAck: settled - acceptedAtAck,
        inFlightAtAck: passedAtAck.size - acceptedAtAck,
        msAckToLastCall: Math.max(0, ...sg.accepted.slice(0, settled).map((m) => m.at - ackAt)),
        rampPerMinute: perMinute,
        resumedSends: remaining,
        resumeSeconds: Math.round((last - rampStart) / 100) / 10,
        rampSeconds: Math.round(((remaining - 1) * spacing) / 100) / 10,
        worst5sWindow: worst,
        ramp5sWindow: Math.floor(WINDOW_MS / spacing),
        totalSeconds: Math.round((doneAt - t0) / 1000),
      })}\n`,
    );
  });
});
