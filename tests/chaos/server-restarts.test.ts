// Chaos, family 2: the servers under the product go away and come back mid-run. Leads arrive in
// waves through the real Temporal dev server into the real `leadflow worker` process (SendGrid
// stand-in for e-mail, its signed Event Webhook into the real API, GreenMail's IMAP for replies
// through the worker's mailbox watcher, a salesperson who gets a handover dossier per reply).
// While messages go out and replies come in, the Temporal dev server is restarted, PostgreSQL is
// stopped abruptly mid-query and started again, and the IMAP server is killed and restarted
// (helpers/chaos/restarts.ts; GreenMail's empty mailbox after a restart: helpers/chaos/replies.ts).
// Counted at SendGrid and at the IMAP server: every message accepted exactly once, every reply
// routed to its lead exactly once, every lead at its expected state (replied, or waiting after
// its last step), no lead lost, no unhandled rejection.
//
// Short mode (default, part of `npm test`: each server restarted once) and long mode
// (LEADFLOW_CHAOS=long, by hand: 240 leads, 12 restarts); one `[chaos-summary]` JSON line.
// LEADFLOW_CHAOS_SEED replays a run's random choices; LEADFLOW_CHAOS_DEBUG dumps the slowest leads.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addSalesperson, listLeadEvents, listQuarantined } from '../../db/index.js';
import { submitLead } from '../../temporal/lead-client.js';
import type { LeadState, SequenceStep } from '../../workflows/lead/contract.js';
import { testIdentity } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { makeLeadInput } from '../helpers/leads.js';
import { checkDeliveries, lostLeads, notSentRows, outboxRows, sendgridKey, sendgridReceived, stepKeys } from '../helpers/chaos/counts.js';
import { byMode, MODE, printSummary, sampleMemory, sleep } from '../helpers/chaos/report.js';
import { inboxStatus, putBackUnseenReplies, replyWhenFirstSent, type ReplyingLead } from '../helpers/chaos/replies.js';
import { restartOnSchedule, type RestartPlan } from '../helpers/chaos/restarts.js';
import { assertCleanRun, baseline, chaosSeed, memoryFigures, rejectionFigures, retrying, useChaosWorld } from '../helpers/chaos/scenario.js';
import { dumpSlowest, percentiles, secondsToReach, settleLeads } from '../helpers/chaos/settle.js';

const { seed: SEED, between } = chaosSeed();

const restartPlan = (restarts: RestartPlan['restarts'], downMs: RestartPlan['downMs']): RestartPlan => ({ restarts, downMs });
const CFG = byMode(
  {
    leads: 36,
    waveSize: 4,
    waveGapMs: [3_000, 6_000] as const,
    steps: [{ delay: 0 }, { delay: '25 seconds' }] as SequenceStep[],
    // Each restart once, each down for a few seconds.
    plan: restartPlan(
      [
        ['temporal', 10_000],
        ['postgres', 24_000],
        ['imap', 38_000],
      ],
      [2_000, 5_000],
    ),
    settleMs: 6 * 60_000,
  },
  {
    leads: 240,
    waveSize: 4,
    waveGapMs: [4_000, 10_000] as const,
    steps: [{ delay: 0 }, { delay: '2 minutes' }, { delay: '5 minutes' }] as SequenceStep[],
    plan: restartPlan(
      [
        ['temporal', 40_000],
        ['postgres', 90_000],
        ['imap', 140_000],
        ['temporal', 200_000],
        ['postgres', 260_000],
        ['imap', 320_000],
        ['postgres', 380_000],
        ['temporal', 440_000],
        ['imap', 500_000],
        ['temporal', 560_000],
        ['postgres', 620_000],
        ['imap', 680_000],
      ],
      [3_000, 15_000],
    ),
    settleMs: 30 * 60_000,
  },
);

interface Lead extends ReplyingLead {
  submittedAt: number;
}

describe(`chaos (${MODE}): Temporal, PostgreSQL and IMAP restarts mid-run`, () => {
  // The replies go to a salesperson: one dossier e-mail per replied lead, also exactly once.
  const world = useChaosWorld({ imap: true, sendgridLatencyMs: () => 50 + Math.floor(Math.random() * 200), evidenceWindowSeconds: 30 }, (w) =>
    addSalesperson(w.db, { id: 'rep-chaos', name: 'Robin Rep', email: 'robin@chaos.test', managerEmail: 'boss@chaos.test', team: null }),
  );

  test(
    `${CFG.leads} leads with replies through ${CFG.plan.restarts.length} server restarts: every message once, every reply routed`,
    { timeout: byMode(15, 90) * 60_000 },
    async () => {
      const { w } = world;
      const mail = w.mail!;
      const base = await baseline(w);
      const started = Date.now();
      const leads: Lead[] = [];
      let submitRetries = 0;
      let submittingDone = false;

      const submitting = (async () => {
        for (let i = 0; i < CFG.leads;) {
          for (let j = 0; j < CFG.waveSize && i < CFG.leads; j++, i++) {
            const email = `restart-${SEED}-${i}@example.com`;
            const input = makeLeadInput({
              contact: { firstName: 'Pat', lastName: `Chaos${i}`, email, phone: null },
              sequence: CFG.steps,
              handover: { sla: '6 hours' },
            });
            // signal-with-start on the lead's own ID: retrying an arrival that may have landed is safe.
            const { leadId } = await retrying(
              () => submitLead(w.temporal.client, input, { identity: testIdentity }),
              () => {
                submitRetries += 1;
              },
            );
            leads.push({ leadId, email, replies: i % 2 === 0, submittedAt: Date.now() });
          }
          if (i < CFG.leads) await sleep(between(CFG.waveGapMs));
        }
        submittingDone = true;
      })();
      const replier = replyWhenFirstSent(w.db, mail, leads, () => submittingDone, SEED);
      let reappended = 0;
      const restarting = restartOnSchedule(
        w,
        CFG.plan,
        started,
        between,
        () => ({ leadsSubmitted: leads.length, repliesAppended: replier.replies.size }),
        async () => {
          const putBack = await putBackUnseenReplies(w.temporal.client, mail, replier);
          reappended += putBack;
          return { repliesPutBack: putBack };
        },
      );

      const debug =
        (what: string) =>
        <T>(p: Promise<T>) =>
          p.then((v) => {
            if (process.env.LEADFLOW_CHAOS_DEBUG !== undefined)
              process.stderr.write(`[chaos-debug] ${what} done at +${Math.round((Date.now() - started) / 1000)}s\n`);
            return v;
          });
      const [, , restartLog] = await Promise.all([debug('submitting')(submitting), debug('replying')(replier.done), debug('restarting')(restarting)]);
      const chaosMs = Date.now() - started;

      const expectedState = (l: Lead, s: LeadState) =>
        l.replies ? s.status === 'replied' : s.status === 'waiting' && s.stepsSent === CFG.steps.length && (s.nextSendAt ?? null) === null;
      const settled = await settleLeads(
        w.temporal.client,
        leads,
        expectedState,
        CFG.settleMs,
        (l, s) =>
          `${l.leadId} ${l.replies ? 'replies' : 'silent'}: ${s?.status ?? '?'} steps=${s?.stepsSent ?? '?'} attention=${s?.attention ?? ''} reply appended=${replier.replies.has(l.leadId)}`,
      );
      const settledMs = Date.now() - started;
      if (process.env.LEADFLOW_CHAOS_DEBUG !== undefined) await dumpSlowest(w.db, leads, settled.doneAt);

      // Expected at SendGrid: each lead's steps as far as its final state says, plus one dossier per reply.
      const replied = leads.filter((l) => l.replies);
      const leadIds = leads.map((l) => l.leadId);
      const dossierKeys = replied.map((l) => `handover:${l.leadId}:dossier`);
      const expectedKeys = [...leads.flatMap((l) => stepKeys(l.leadId, settled.states.get(l.leadId)?.stepsSent ?? 0)), ...dossierKeys];
      // The dossiers go out from the handover workflows, after their leads settled: wait for them, and
      // for the ledger to record each answer (a 202 on its way back is not yet a `sent` row).
      const dossiers = await eventually(
        'one handover dossier per replied lead, and every outbox row settled',
        async () => {
          const got = new Set(w.sendgrid.accepted.map(sendgridKey));
          return dossierKeys.every((k) => got.has(k)) && notSentRows(await outboxRows(w.db, leadIds)).length === 0;
        },
        3 * 60_000,
      ).then(
        () => null,
        (err: unknown) => err as Error,
      );
      const email = checkDeliveries(expectedKeys, w.sendgrid.accepted.map(sendgridKey), sendgridReceived(w.sendgrid.requests));
      const inbox = await inboxStatus(mail);
      const replyEvents = new Map(
        await Promise.all(replied.map(async (l) => [l.leadId, (await listLeadEvents(w.db, l.leadId)).filter((e) => e.type === 'email.reply').length] as const)),
      );
      // Nothing else arrives in this mailbox: anything quarantined is a reply that lost its lead.
      const unmatched = await listQuarantined(w.db, { limit: 500, offset: 0 });
      const notSent = notSentRows(await outboxRows(w.db, leadIds));
      const lost = await lostLeads(w.db, w.temporal.client, leadIds);
      const memEnd = await sampleMemory();

      printSummary({
        scenario: 'server-restarts',
        seed: SEED,
        leads: leads.length,
        replyingLeads: replied.length,
        restarts: restartLog,
        temporalRestarts: w.temporal.restarts,
        workerCrashes: w.worker.crashes.length,
        workerFailedStarts: w.worker.failedStarts,
        retriesByTheTest: { submit: submitRetries, appendOrLookup: replier.retries },
        repliesPutBackAfterImapRestart: reappended,
        sendgrid: {
          received: email.received,
          accepted: email.accepted,
          expected: email.expected,
          duplicates: email.duplicates.length,
          missing: email.missing.length,
          webhook: w.sendgrid.webhook,
        },
        imap: { ...inbox, repliesAppended: replier.replies.size },
        repliesRoutedPerLead: percentiles([...replyEvents.values()], [0, 100]),
        unmatchedInbound: unmatched.length,
        leadsNotAtExpectedState: settled.pending.length,
        leadSecondsToExpectedState: percentiles(
          await secondsToReach(w.db, leads, (l, e) =>
            l.replies ? e.type === 'status' && e.detail.status === 'replied' : e.type === 'sent' && e.detail.step === CFG.steps.length,
          ),
        ),
        lostLeads: lost.length,
        outboxNotSent: notSent.length,
        unhandledRejections: rejectionFigures(world),
        memory: memoryFigures(base, memEnd, w),
        seconds: { chaos: Math.round(chaosMs / 1000), untilSettled: Math.round(settledMs / 1000) },
      });

      if (settled.error !== null) throw settled.error;
      if (dossiers !== null) throw dossiers;
      assert.deepEqual(
        restartLog.map((r) => r.kind),
        CFG.plan.restarts.map(([k]) => k),
        'every planned restart happened',
      );
      assert.ok(
        restartLog.every((r) => r.leadsSubmitted > 0 && r.accepted < email.expected),
        'every restart hit a run in progress',
      );
      assert.deepEqual(email.duplicates, [], 'no e-mail reached SendGrid twice');
      assert.deepEqual(email.missing, [], 'every step and every dossier was accepted by SendGrid');
      assert.deepEqual(email.unexpected, [], 'nothing else was sent');
      assert.deepEqual(notSent, [], 'every outbox row is sent (none uncertain, failed or pending)');
      assert.deepEqual(lost, [], 'every submitted lead has its DB row and its workflow');
      assert.equal(replier.replies.size, replied.length, 'every replying lead got its reply appended');
      assert.deepEqual(
        [...replyEvents].filter(([, n]) => n !== 1),
        [],
        'every reply was routed to its lead exactly once',
      );
      assert.equal(unmatched.length, 0, `no reply ended in the quarantine: ${unmatched.map((q) => q.reason).join('; ')}`);
      assert.equal(inbox.unseen, 0, `every message in the mailbox was processed (${inbox.messages} there)`);
      // The worker survived every restart without dying; no unhandled rejection; memory back near baseline.
      assertCleanRun(world, base, memEnd);
    },
  );
});
