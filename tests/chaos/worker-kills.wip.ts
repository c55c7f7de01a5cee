// IN PROGRESS (hardening issue: fault suite). Not run by npm test yet: named .wip.ts until the
// product bug it exposes is fixed, then rename to .test.ts (the `chaos` layer is already listed in
// scripts/run-tests.mjs). Fails today, deterministically, in its second test only: a timeout or
// reset after SendGrid/Twilio accepted a message is treated as "not accepted" and the message is
// sent again (activities/send/errors.ts networkErrorCode → TransientSendError → ledger.ts `pending`).
// Chaos, family 1: the worker dies and the providers misbehave, all at once. Leads (e-mail through
// SendGrid, SMS through Twilio, every draft asked of OpenAI) arrive in waves through the real
// Temporal dev server into the real `leadflow worker` process, which is SIGKILLed at random
// moments (some while SendGrid holds an accepted message's answer, most anywhere else: drafting,
// enriching, writing the DB, between tasks) and started again. Meanwhile each stand-in provider
// goes through storms: 5xx bursts, 429 with Retry-After, answers held past the client timeout,
// connection resets; and OpenAI answers chosen leads with invalid output of several kinds.
// Counted at the stand-ins: every message of every lead accepted exactly once, nothing invalid
// ever sent, every lead at its expected state, no lead lost, no unhandled rejection anywhere.
//
// Short mode (default, part of `npm test`) and long mode (LEADFLOW_CHAOS=long, by hand); both
// print one `[chaos-summary]` JSON line per test with the figures. LEADFLOW_CHAOS_SEED replays
// a run's random choices (kill moments, storm order).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listLeadEvents, listOutbox } from '../../db/index.js';
import { submitLead } from '../../temporal/lead-client.js';
import type { LeadState, SequenceStep } from '../../workflows/lead/contract.js';
import { makeLeadInput } from '../helpers/leads.js';
import { eventually } from '../helpers/eventually.js';
import type { FaultKind, StormOptions } from '../helpers/standins/faults.js';
import { checkDeliveries, lostLeads, sendgridKey, sendgridReceived, twilioKey, twilioReceived } from '../helpers/chaos/counts.js';
import {
  byMode,
  MODE,
  printSummary,
  sampleMemory,
  seededRandom,
  sleep,
  trackUnhandledRejections,
  type MemorySample,
  type RejectionTracker,
} from '../helpers/chaos/report.js';
import { dumpSlowest, percentiles, secondsToReach, settleLeads } from '../helpers/chaos/settle.js';
import { runStorms, type StormPlan } from '../helpers/chaos/storms.js';
import { startChaosWorld, type ChaosWorld } from '../helpers/chaos/world.js';
import { testIdentity } from '../helpers/codec.js';

const SEED = Number(process.env.LEADFLOW_CHAOS_SEED ?? Math.floor(Math.random() * 1e9));
const random = seededRandom(SEED);
const between = ([lo, hi]: readonly [number, number]) => lo + Math.floor(random() * (hi - lo));

const CFG = byMode(
  {
    leads: 40,
    waveSize: 5,
    waveGapMs: [3_000, 5_000] as const,
    kills: 6,
    killGapMs: [2_000, 5_000] as const,
    deadMs: [0, 1_000] as const,
    steps: [{ delay: 0 }, { delay: '15 seconds' }] as SequenceStep[],
    // Each storm lasts stormMs, and longer if it has not struck yet (up to stormMaxMs).
    stormMs: 4_000,
    stormMaxMs: 150_000,
    stormGapMs: 1_000,
    stormRounds: 1,
    settleMs: 8 * 60_000,
  },
  {
    leads: 300,
    waveSize: 5,
    waveGapMs: [5_000, 15_000] as const,
    kills: 24,
    killGapMs: [15_000, 40_000] as const,
    deadMs: [0, 5_000] as const,
    steps: [{ delay: 0 }, { delay: '90 seconds' }, { delay: '4 minutes' }] as SequenceStep[],
    stormMs: 12_000,
    stormMaxMs: 300_000,
    stormGapMs: 25_000,
    stormRounds: 4,
    settleMs: 40 * 60_000,
  },
);

// ---- the AI's answers: valid for most leads, invalid in chosen ways for "Invalid" ones ----------

const MARK = 'CHAOS-INVALID';
const VALID = (first: string) =>
  JSON.stringify({ subject: 'Your Subaru Outback', body: `Hi ${first}, the Subaru Outback you asked about is ready for a test drive this week. Chaos Motors` });
/** Each breaks a different rule (domain/messages/validate.ts and the drafter's parse). */
const INVALID = [
  `${MARK}: this is not JSON at all`,
  JSON.stringify({ subject: 'Your Subaru Outback', body: `Dear [Customer Name], the Outback is waiting for you. ${MARK}` }),
  JSON.stringify({ subject: `Guaranteed approval ${MARK}`, body: 'Guaranteed approval on the Subaru Outback, everyone qualifies.' }),
  JSON.stringify({ subject: 'A car for you', body: `We have many great cars on the lot. ${MARK}` }),
  JSON.stringify({ subject: 'Your Subaru Outback', body: `The Subaru Outback ${MARK} `.repeat(150) }),
  JSON.stringify({ subject: `Subaru Outback ${MARK}` }),
];

function aiContent(request: { messages: Array<{ role: string; content: string }> }): string | undefined {
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

// ---- the leads -------------------------------------------------------------------------------

interface Lead {
  leadId: string;
  channel: 'email' | 'sms';
  invalidAi: boolean;
  steps: number;
  submittedAt: number;
}

function leadInput(i: number): { input: ReturnType<typeof makeLeadInput>; channel: 'email' | 'sms'; invalidAi: boolean } {
  const channel: 'email' | 'sms' = i % 3 === 2 ? 'sms' : 'email';
  const invalidAi = i % 5 === 4;
  const contact = {
    firstName: invalidAi ? 'Invalid' : `Lead${i}`,
    lastName: invalidAi ? `Variant${Math.floor(i / 5) % INVALID.length}` : 'Chaos',
    email: channel === 'email' ? `chaos-${SEED}-${i}@example.com` : null,
    phone: channel === 'sms' ? `+1415555${String(2000 + (i % 8000)).padStart(4, '0')}` : null,
  };
  const steps = CFG.steps.map((s) => ({ ...s, channel }));
  return { input: makeLeadInput({ contact, sequence: steps }), channel, invalidAi };
}

const showLead = (l: Lead, s: LeadState | undefined) =>
  `${l.leadId} ${l.channel}: ${s?.status ?? '?'} steps=${s?.stepsSent ?? '?'} attention=${s?.attention ?? ''}`;

function stormPlans(kinds: FaultKind[], opts: Partial<Record<FaultKind, StormOptions>>, rounds: number, ms: number): StormPlan[] {
  const plans: StormPlan[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = [...kinds].sort(() => random() - 0.5);
    for (const kind of order) plans.push({ kind, durationMs: ms, ...(opts[kind] !== undefined && { opts: opts[kind] }) });
  }
  return plans;
}

describe(`chaos (${MODE}): worker SIGKILLs, provider storms and invalid AI output`, () => {
  let w: ChaosWorld;
  let rejections: RejectionTracker;

  before(async () => {
    rejections = trackUnhandledRejections();
    w = await startChaosWorld({
      twilio: true,
      openai: { contentFor: aiContent },
      sendgridLatencyMs: () => 100 + Math.floor(Math.random() * 500),
    });
    await w.worker.start();
  });
  after(async () => {
    rejections?.dispose();
    await w?.stop();
  });

  test(
    `${CFG.leads} leads through ${CFG.kills} worker SIGKILLs and every provider fault kind: each message accepted exactly once`,
    { timeout: byMode(15, 90) * 60_000 },
    async () => {
      const started = Date.now();
      await sleep(2_000);
      const memBefore: MemorySample = await sampleMemory();
      const workerRssBefore = w.worker.rssMb();
      const leads: Lead[] = [];
      let killsMidCall = 0;

      const submitting = (async () => {
        for (let i = 0; i < CFG.leads;) {
          for (let j = 0; j < CFG.waveSize && i < CFG.leads; j++, i++) {
            const { input, channel, invalidAi } = leadInput(i);
            const { leadId } = await submitLead(w.temporal.client, input, { identity: testIdentity });
            leads.push({ leadId, channel, invalidAi, steps: CFG.steps.length, submittedAt: Date.now() });
          }
          if (i < CFG.leads) await sleep(between(CFG.waveGapMs));
        }
      })();

      const killing = (async () => {
        for (let k = 0; k < CFG.kills; k++) {
          await sleep(between(CFG.killGapMs));
          // Every third kill waits for SendGrid to hold an accepted message's answer: the worst
          // moment for exactly-once. The others land wherever the worker happens to be.
          if (k % 3 === 2) for (let t = 0; t < 400 && w.sendgrid.answering() === 0; t++) await sleep(20);
          if (w.sendgrid.answering() > 0) killsMidCall += 1;
          await w.worker.kill();
          await sleep(between(CFG.deadMs));
          await w.worker.start();
        }
      })();

      const faultOpts = (hangMs: number): Partial<Record<FaultKind, StormOptions>> => ({ '429': { retryAfterSeconds: 3 }, hang: { hangMs }, reset: {} });
      const kinds: FaultKind[] = ['5xx', '429', 'hang', 'reset'];
      const storming = Promise.all([
        runStorms(w.storms.sendgrid, stormPlans(kinds, faultOpts(20_000), CFG.stormRounds, CFG.stormMs), CFG.stormGapMs, CFG.stormMaxMs),
        sleep(1_500).then(() => runStorms(w.storms.twilio, stormPlans(kinds, faultOpts(20_000), CFG.stormRounds, CFG.stormMs), CFG.stormGapMs, CFG.stormMaxMs)),
        // OpenAI's client gives up on an attempt after 20 s: hold longer.
        sleep(3_000).then(() => runStorms(w.storms.openai, stormPlans(kinds, faultOpts(25_000), CFG.stormRounds, CFG.stormMs), CFG.stormGapMs, CFG.stormMaxMs)),
      ]);

      await Promise.all([submitting, killing, storming]);
      for (const s of Object.values(w.storms)) s.calm();
      const chaosMs = Date.now() - started;

      const settled = await settleLeads(
        w.temporal.client,
        leads,
        (l, s) => s.status === 'waiting' && s.stepsSent === l.steps && (s.nextSendAt ?? null) === null,
        CFG.settleMs,
        showLead,
      );
      const settledMs = Date.now() - started;
      // From its submission to its last message sent (the schedule itself takes the sequence's delays).
      const leadSeconds = percentiles(await secondsToReach(w.db, leads, (_l, e) => e.type === 'sent' && e.detail.step === CFG.steps.length));
      if (process.env.LEADFLOW_CHAOS_DEBUG !== undefined) await dumpSlowest(w.db, leads, settled.doneAt);

      // ---- count everything -------------------------------------------------------------------
      const expectedEmail = leads.filter((l) => l.channel === 'email').flatMap((l) => Array.from({ length: l.steps }, (_, k) => `${l.leadId}:step:${k + 1}`));
      const expectedSms = leads.filter((l) => l.channel === 'sms').flatMap((l) => Array.from({ length: l.steps }, (_, k) => `${l.leadId}:step:${k + 1}`));
      const email = checkDeliveries(expectedEmail, w.sendgrid.accepted.map(sendgridKey), sendgridReceived(w.sendgrid.requests));
      const sms = checkDeliveries(expectedSms, (w.twilio?.accepted ?? []).map(twilioKey), twilioReceived(w.twilio?.requests ?? []));
      const sentTexts = [...w.sendgrid.accepted.map((m) => JSON.stringify(m.body.content)), ...(w.twilio?.accepted ?? []).map((m) => m.body)];
      const invalidSent = sentTexts.filter((t) => t.includes(MARK)).length;

      const outbox = (await Promise.all(leads.map((l) => listOutbox(w.db, { leadId: l.leadId, limit: 20, offset: 0 })))).flat();
      const notSent = outbox.filter((r) => r.status !== 'sent').map((r) => `${r.idempotency_key}: ${r.status} ${r.error ?? ''}`);
      const events = new Map(await Promise.all(leads.map(async (l) => [l.leadId, await listLeadEvents(w.db, l.leadId)] as const)));
      const drafts = leads.flatMap((l) =>
        (events.get(l.leadId) ?? [])
          .filter((e) => e.type === 'drafted')
          .map((e) => ({ lead: l, path: e.detail.path as string, reason: (e.detail.reason as string | null) ?? '' })),
      );
      const sentEvents = [...events.values()].flat().filter((e) => e.type === 'sent');
      const recoveredWithoutCall = sentEvents.filter((e) => e.detail.duplicate === true).length;
      const resentAfterNoEvidence = outbox.filter((r) => r.attempts > 1).length;
      const lost = await lostLeads(
        w.db,
        w.temporal.client,
        leads.map((l) => l.leadId),
      );
      const memAfter = await sampleMemory();

      const summary = {
        scenario: 'worker-kills+provider-storms+ai-invalid',
        seed: SEED,
        leads: leads.length,
        emailLeads: leads.filter((l) => l.channel === 'email').length,
        smsLeads: leads.filter((l) => l.channel === 'sms').length,
        invalidAiLeads: leads.filter((l) => l.invalidAi).length,
        kills: w.worker.kills,
        killsWithSendGridAnswerPending: killsMidCall,
        workerStarts: w.worker.starts,
        workerCrashes: w.worker.crashes.length,
        workerFailedStarts: w.worker.failedStarts,
        faultsInjected: { sendgrid: w.storms.sendgrid.injected, twilio: w.storms.twilio.injected, openai: w.storms.openai.injected },
        provider: {
          sendgrid: {
            received: email.received,
            accepted: email.accepted,
            expected: email.expected,
            duplicates: email.duplicates.length,
            missing: email.missing.length,
          },
          twilio: { received: sms.received, accepted: sms.accepted, expected: sms.expected, duplicates: sms.duplicates.length, missing: sms.missing.length },
          openai: { requests: w.openai?.requests.length ?? 0 },
          webhooks: { sendgrid: w.sendgrid.webhook, twilio: w.twilio?.callbacks },
        },
        drafts: {
          ai: drafts.filter((d) => d.path === 'ai').length,
          validationFallback: drafts.filter((d) => d.reason === 'validation').length,
          errorFallback: drafts.filter((d) => d.reason === 'ai_error' || d.reason === 'ai_timeout').length,
        },
        invalidTextSent: invalidSent,
        recoveredFromWebhookWithoutCall: recoveredWithoutCall,
        outboxRowsCalledMoreThanOnce: resentAfterNoEvidence,
        leadsNotAtExpectedState: settled.pending.length,
        leadSecondsToExpectedState: leadSeconds,
        lostLeads: lost.length,
        outboxNotSent: notSent.length,
        unhandledRejections: { test: rejections.count, testUncaught: rejections.uncaught, worker: w.worker.unhandled.length },
        memory: {
          testHeapMb: [memBefore.heapMb, memAfter.heapMb],
          testRssMb: [memBefore.rssMb, memAfter.rssMb],
          workerRssMb: [workerRssBefore, w.worker.rssMb()],
          gc: memAfter.gc,
        },
        seconds: { chaos: Math.round(chaosMs / 1000), untilSettled: Math.round(settledMs / 1000) },
      };
      printSummary(summary);

      // ---- assertions -------------------------------------------------------------------------
      if (settled.error !== null) throw settled.error;
      assert.deepEqual(
        w.worker.crashes.map((c) => `${c.at} exit ${c.code ?? c.signal}: ${c.reason}`),
        [],
        'the worker never died by itself',
      );
      assert.equal(w.worker.kills, CFG.kills, 'every planned SIGKILL happened');
      for (const [name, storms] of Object.entries(w.storms)) {
        for (const kind of ['5xx', '429', 'hang', 'reset']) assert.ok((storms.injected[kind] ?? 0) > 0, `${name} suffered at least one ${kind} fault`);
      }
      assert.deepEqual(email.duplicates, [], 'no e-mail reached SendGrid twice');
      assert.deepEqual(sms.duplicates, [], 'no SMS reached Twilio twice');
      assert.deepEqual(email.missing, [], 'every e-mail step of every lead was accepted by SendGrid');
      assert.deepEqual(sms.missing, [], 'every SMS step of every lead was accepted by Twilio');
      assert.deepEqual([...email.unexpected, ...sms.unexpected], [], 'nothing else was sent');
      assert.deepEqual(notSent, [], 'every outbox row is sent (none uncertain, failed or pending)');
      assert.deepEqual(lost, [], 'every submitted lead has its DB row and its workflow');
      assert.equal(invalidSent, 0, 'no invalid AI output was ever sent');
      const invalidDrafts = drafts.filter((d) => d.lead.invalidAi);
      assert.deepEqual(
        invalidDrafts.filter((d) => d.path !== 'template').map((d) => d.lead.leadId),
        [],
        'invalid AI output always fell back to the template',
      );
      assert.ok(
        invalidDrafts.filter((d) => d.reason === 'validation').length >= Math.ceil(invalidDrafts.length / 2),
        'most invalid-output drafts were caught by validation (the rest by a concurrent OpenAI storm)',
      );
      assert.deepEqual(
        drafts.filter((d) => !d.lead.invalidAi && d.reason === 'validation').map((d) => d.lead.leadId),
        [],
        'valid AI output was never rejected',
      );
      assert.ok(
        drafts.some((d) => d.path === 'ai'),
        'the AI path was used',
      );
      assert.equal(
        drafts.length,
        leads.reduce((n, l) => n + l.steps, 0),
        'one draft per message',
      );
      assert.equal(
        rejections.count + rejections.uncaught,
        0,
        `no unhandled rejection or uncaught exception in the test process: ${rejections.samples.join('\n')}`,
      );
      assert.deepEqual(w.worker.unhandled, [], 'no unhandled rejection or uncaught exception logged by the worker');
      // Memory is measured in benchmarks; here only a loose sanity bound (a leak of the whole run would break it).
      if (memAfter.gc)
        assert.ok(
          memAfter.heapMb <= 2 * memBefore.heapMb + 32,
          `test process heap back near its baseline after GC (${memBefore.heapMb} -> ${memAfter.heapMb} MB)`,
        );
    },
  );

  test('a timeout or connection reset after the provider accepted a message does not send it again', async () => {
    // The provider took the message and only its answer was lost: a client-side timeout, or the
    // connection dropped before the 202/201 arrived. Whether it was sent is unknown to the worker;
    // the provider's webhook says it was. Sending again is a duplicate the recipient sees.
    const leads: Lead[] = [];
    const wave = async (n: number) => {
      for (let i = 0; i < n; i++) {
        for (const channel of ['email', 'sms'] as const) {
          const idx = 100_000 + leads.length;
          const contact = {
            firstName: `Accepted${idx}`,
            lastName: 'Lost',
            email: channel === 'email' ? `accepted-${SEED}-${idx}@example.com` : null,
            phone: channel === 'sms' ? `+1202555${String(1000 + (idx % 9000)).padStart(4, '0')}` : null,
          };
          const { leadId } = await submitLead(w.temporal.client, makeLeadInput({ contact, sequence: [{ delay: 0, channel }] }), { identity: testIdentity });
          leads.push({ leadId, channel, invalidAi: false, steps: 1, submittedAt: Date.now() });
        }
      }
    };
    const sgBefore = { ...w.storms.sendgrid.injected };
    const twBefore = { ...w.storms.twilio.injected };
    // Each storm lasts until it has struck every new lead's first call at both providers, then calms:
    // the retries of those messages find a healthy provider (and must not call it again).
    for (const kind of ['reset', 'hang'] as const) {
      const name = `${kind}+accepted`;
      const was = [w.storms.sendgrid.injected[name] ?? 0, w.storms.twilio.injected[name] ?? 0];
      w.storms.sendgrid.start(kind, 120_000, { afterAccept: true, hangMs: 20_000 });
      w.storms.twilio.start(kind, 120_000, { afterAccept: true, hangMs: 20_000 });
      await wave(2);
      await eventually(
        `${kind} after accept struck 2 e-mails and 2 SMS`,
        async () => (w.storms.sendgrid.injected[name] ?? 0) - (was[0] ?? 0) >= 2 && (w.storms.twilio.injected[name] ?? 0) - (was[1] ?? 0) >= 2,
        90_000,
      );
      w.storms.sendgrid.calm();
      w.storms.twilio.calm();
    }
    const settled = await settleLeads(w.temporal.client, leads, (_l, s) => s.stepsSent === 1 || s.status === 'needs_attention', 5 * 60_000, showLead);
    if (settled.error !== null) throw settled.error;
    const keys = new Set(leads.map((l) => `${l.leadId}:step:1`));
    const email = checkDeliveries(
      [...keys].filter((k) => leads.some((l) => l.channel === 'email' && k.startsWith(l.leadId))),
      w.sendgrid.accepted.map(sendgridKey).filter((k) => keys.has(k)),
      [],
    );
    const sms = checkDeliveries(
      [...keys].filter((k) => leads.some((l) => l.channel === 'sms' && k.startsWith(l.leadId))),
      (w.twilio?.accepted ?? []).map(twilioKey).filter((k) => keys.has(k)),
      [],
    );
    const injected = (now: Record<string, number>, was: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(now)
          .filter(([k]) => k.endsWith('+accepted'))
          .map(([k, v]) => [k, v - (was[k] ?? 0)]),
      );
    printSummary({
      scenario: 'answer-lost-after-accept',
      leads: leads.length,
      faultsInjected: { sendgrid: injected(w.storms.sendgrid.injected, sgBefore), twilio: injected(w.storms.twilio.injected, twBefore) },
      sendgrid: { expected: email.expected, accepted: email.accepted, duplicates: email.duplicates.length },
      twilio: { expected: sms.expected, accepted: sms.accepted, duplicates: sms.duplicates.length },
    });
    assert.ok(
      Object.values(injected(w.storms.sendgrid.injected, sgBefore)).some((n) => n > 0),
      'SendGrid lost at least one answer after accepting',
    );
    assert.ok(
      Object.values(injected(w.storms.twilio.injected, twBefore)).some((n) => n > 0),
      'Twilio lost at least one answer after accepting',
    );
    assert.deepEqual(email.missing, [], 'every e-mail was accepted');
    assert.deepEqual(sms.missing, [], 'every SMS was accepted');
    assert.deepEqual(
      email.duplicates,
      [],
      'no e-mail whose answer was lost after SendGrid accepted it was sent again (activities/sendgrid/sender.ts classifies ECONNRESET/timeouts as "not accepted")',
    );
    assert.deepEqual(
      sms.duplicates,
      [],
      'no SMS whose answer was lost after Twilio accepted it was sent again (activities/twilio/sender.ts classifies ECONNRESET/timeouts as "not accepted")',
    );
  });
});
