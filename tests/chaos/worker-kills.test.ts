// Chaos, family 1: the worker dies and the providers misbehave, all at once. Leads (e-mail through
// SendGrid, SMS through Twilio, every draft asked of OpenAI) arrive in waves through the real
// Temporal dev server into the real `leadflow worker` process, which is SIGKILLed at random
// moments (some while SendGrid holds an accepted message's answer, see helpers/chaos/kills.ts)
// and started again. Meanwhile each stand-in provider goes through storms: 5xx bursts, 429 with
// Retry-After, answers held past the client timeout, connection resets; and OpenAI answers chosen
// leads with invalid output of several kinds (helpers/chaos/ai-answers.ts). Counted at the
// stand-ins: every message of every lead accepted exactly once, nothing invalid ever sent, every
// lead at its expected state, no lead lost, no unhandled rejection anywhere.
// (Answers lost after a provider accepted: answer-lost-after-accept.test.ts.)
//
// Short mode (default, part of `npm test`) and long mode (LEADFLOW_CHAOS=long, by hand: 300
// leads, 24 kills); both print one `[chaos-summary]` JSON line. LEADFLOW_CHAOS_SEED replays a
// run's random choices (kill moments, storm order); LEADFLOW_CHAOS_DEBUG dumps the slowest leads.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { submitLead } from '../../temporal/lead-client.js';
import type { LeadState, SequenceStep } from '../../workflows/lead/contract.js';
import { testIdentity } from '../helpers/codec.js';
import { aiContent, draftsAndSends, killLeadInput, MARK, type KillLead } from '../helpers/chaos/ai-answers.js';
import {
  checkDeliveries,
  lostLeads,
  notSentRows,
  outboxRows,
  sendgridKey,
  sendgridReceived,
  stepKeys,
  twilioKey,
  twilioReceived,
} from '../helpers/chaos/counts.js';
import { killRepeatedly } from '../helpers/chaos/kills.js';
import { byMode, MODE, printSummary, sampleMemory, sleep } from '../helpers/chaos/report.js';
import { assertCleanRun, baseline, chaosSeed, memoryFigures, rejectionFigures, useChaosWorld } from '../helpers/chaos/scenario.js';
import { dumpSlowest, percentiles, secondsToReach, settleLeads } from '../helpers/chaos/settle.js';
import { runStorms, stormPlans } from '../helpers/chaos/storms.js';
import type { FaultKind, StormOptions } from '../helpers/standins/faults.js';

const { seed: SEED, random, between } = chaosSeed();

const CFG = byMode(
  {
    leads: 40,
    waveSize: 5,
    waveGapMs: [3_000, 5_000] as const,
    kills: { kills: 4, gapMs: [2_000, 5_000], deadMs: [0, 1_000] } as const,
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
    kills: { kills: 24, gapMs: [15_000, 40_000], deadMs: [0, 5_000] } as const,
    steps: [{ delay: 0 }, { delay: '90 seconds' }, { delay: '4 minutes' }] as SequenceStep[],
    stormMs: 12_000,
    stormMaxMs: 300_000,
    stormGapMs: 25_000,
    stormRounds: 4,
    settleMs: 40 * 60_000,
  },
);
const KINDS: FaultKind[] = ['5xx', '429', 'hang', 'reset'];

const showLead = (l: KillLead, s: LeadState | undefined) =>
  `${l.leadId} ${l.channel}: ${s?.status ?? '?'} steps=${s?.stepsSent ?? '?'} attention=${s?.attention ?? ''}`;

describe(`chaos (${MODE}): worker SIGKILLs, provider storms and invalid AI output`, () => {
  const world = useChaosWorld({
    twilio: true,
    openai: { contentFor: aiContent },
    // Slow answers widen the window in which a kill finds SendGrid holding an accepted message's answer.
    sendgridLatencyMs: () => 100 + Math.floor(Math.random() * 500),
  });

  test(
    `${CFG.leads} leads through ${CFG.kills.kills} worker SIGKILLs and every provider fault kind: each message accepted exactly once`,
    { timeout: byMode(15, 90) * 60_000 },
    async () => {
      const { w } = world;
      const started = Date.now();
      const base = await baseline(w);
      const leads: KillLead[] = [];

      const submitting = (async () => {
        for (let i = 0; i < CFG.leads;) {
          for (let j = 0; j < CFG.waveSize && i < CFG.leads; j++, i++) {
            const { input, channel, invalidAi } = killLeadInput(i, SEED, CFG.steps);
            const { leadId } = await submitLead(w.temporal.client, input, { identity: testIdentity });
            leads.push({ leadId, channel, invalidAi, steps: CFG.steps.length, submittedAt: Date.now() });
          }
          if (i < CFG.leads) await sleep(between(CFG.waveGapMs));
        }
      })();
      const killing = killRepeatedly(w.worker, CFG.kills, between, () => w.sendgrid.answering() > 0);
      const faultOpts = (hangMs: number): Partial<Record<FaultKind, StormOptions>> => ({ '429': { retryAfterSeconds: 3 }, hang: { hangMs }, reset: {} });
      const plans = (hangMs: number) => stormPlans(random, KINDS, faultOpts(hangMs), CFG.stormRounds, CFG.stormMs);
      const storming = Promise.all([
        runStorms(w.storms.sendgrid, plans(20_000), CFG.stormGapMs, CFG.stormMaxMs),
        sleep(1_500).then(() => runStorms(w.storms.twilio, plans(20_000), CFG.stormGapMs, CFG.stormMaxMs)),
        // OpenAI's client gives up on an attempt after 20 s: hold longer.
        sleep(3_000).then(() => runStorms(w.storms.openai, plans(25_000), CFG.stormGapMs, CFG.stormMaxMs)),
      ]);

      const [, killsMidCall] = await Promise.all([submitting, killing, storming]);
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
      const expected = (channel: KillLead['channel']) => leads.filter((l) => l.channel === channel).flatMap((l) => stepKeys(l.leadId, l.steps));
      const email = checkDeliveries(expected('email'), w.sendgrid.accepted.map(sendgridKey), sendgridReceived(w.sendgrid.requests));
      const sms = checkDeliveries(expected('sms'), (w.twilio?.accepted ?? []).map(twilioKey), twilioReceived(w.twilio?.requests ?? []));
      const sentTexts = [...w.sendgrid.accepted.map((m) => JSON.stringify(m.body.content)), ...(w.twilio?.accepted ?? []).map((m) => m.body)];
      const invalidSent = sentTexts.filter((t) => t.includes(MARK)).length;
      const outbox = await outboxRows(
        w.db,
        leads.map((l) => l.leadId),
      );
      const notSent = notSentRows(outbox);
      const { drafts, recoveredWithoutCall } = await draftsAndSends(w.db, leads);
      const lost = await lostLeads(
        w.db,
        w.temporal.client,
        leads.map((l) => l.leadId),
      );
      const memEnd = await sampleMemory();

      printSummary({
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
        outboxRowsCalledMoreThanOnce: outbox.filter((r) => r.attempts > 1).length,
        leadsNotAtExpectedState: settled.pending.length,
        leadSecondsToExpectedState: leadSeconds,
        lostLeads: lost.length,
        outboxNotSent: notSent.length,
        unhandledRejections: rejectionFigures(world),
        memory: memoryFigures(base, memEnd, w),
        seconds: { chaos: Math.round(chaosMs / 1000), untilSettled: Math.round(settledMs / 1000) },
      });

      // ---- assertions -------------------------------------------------------------------------
      if (settled.error !== null) throw settled.error;
      assert.equal(w.worker.kills, CFG.kills.kills, 'every planned SIGKILL happened');
      for (const [name, storms] of Object.entries(w.storms)) {
        for (const kind of KINDS) assert.ok((storms.injected[kind] ?? 0) > 0, `${name} suffered at least one ${kind} fault`);
      }
      assert.deepEqual(email.duplicates, [], 'no e-mail reached SendGrid twice');
      assert.deepEqual(sms.duplicates, [], 'no SMS reached Twilio twice');
      assert.deepEqual(email.missing, [], 'every e-mail step of every lead was accepted by SendGrid');
      assert.deepEqual(sms.missing, [], 'every SMS step of every lead was accepted by Twilio');
      assert.deepEqual([...email.unexpected, ...sms.unexpected], [], 'nothing else was sent');
      assert.deepEqual(notSent, [], 'every outbox row is sent (none uncertain, failed or pending)');
      // A kill while SendGrid held an accepted message's answer leaves that send's outcome unknown:
      // it is settled from the webhook's evidence, never by calling again.
      if (killsMidCall > 0) assert.ok(recoveredWithoutCall > 0, 'a send cut by a kill was settled without calling again');
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
      assertCleanRun(world, base, memEnd);
    },
  );
});
