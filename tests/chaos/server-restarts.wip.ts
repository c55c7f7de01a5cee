// IN PROGRESS (hardening issue: fault suite). Not run by npm test yet: named .wip.ts until the
// product bug it exposes is fixed, then rename to .test.ts (the `chaos` layer is already listed in
// scripts/run-tests.mjs). Fails today, deterministically: PostgreSQL going down while a query is in
// flight kills the worker (and the API) with an unhandled 'error' event from a checked-out pg
// client (db/connection.ts: the pool's error handler covers idle clients only).
// Chaos, family 2: the servers under the product go away and come back mid-run. Leads arrive in
// waves through the real Temporal dev server into the real `leadflow worker` process (SendGrid
// stand-in for e-mail, its signed Event Webhook into the real API, GreenMail's IMAP for replies
// through the worker's mailbox watcher, a salesperson who gets a handover dossier per reply).
// While messages go out and replies come in, the Temporal dev server is restarted (same port,
// same SQLite file), PostgreSQL is stopped abruptly and started again (same cluster), and the
// IMAP server is killed and restarted. Counted at SendGrid and at the IMAP server: every message
// accepted exactly once, every reply routed to its lead exactly once, every lead at its expected
// state (replied, or waiting after its last step), no lead lost, no unhandled rejection.
//
// GreenMail keeps mail in memory, so its restart empties the mailbox, which a real IMAP server
// never does: replies whose lead had not yet seen them are put back after the restart (same
// Message-ID: the product must treat a second copy of an already handled reply as the same one).
//
// Short mode (default) and long mode (LEADFLOW_CHAOS=long); one `[chaos-summary]` JSON line.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addSalesperson, listLeadEvents, listOutbox, listQuarantined } from '../../db/index.js';
import { queryLeadState, submitLead } from '../../temporal/lead-client.js';
import type { LeadState, SequenceStep } from '../../workflows/lead/contract.js';
import { makeLeadInput } from '../helpers/leads.js';
import { appendMessage, connectImap } from '../helpers/mailserver.js';
import { checkDeliveries, lostLeads, sendgridKey, sendgridReceived } from '../helpers/chaos/counts.js';
import { byMode, MODE, printSummary, sampleMemory, seededRandom, sleep, trackUnhandledRejections, type RejectionTracker } from '../helpers/chaos/report.js';
import { dumpSlowest, percentiles, secondsToReach, settleLeads } from '../helpers/chaos/settle.js';
import { restartPostgresMidQuery } from '../helpers/chaos/postgres-chaos.js';
import { INBOX, startChaosWorld, type ChaosWorld } from '../helpers/chaos/world.js';
import { eventually } from '../helpers/eventually.js';
import { testIdentity } from '../helpers/codec.js';

const SEED = Number(process.env.LEADFLOW_CHAOS_SEED ?? Math.floor(Math.random() * 1e9));
const random = seededRandom(SEED);
const between = ([lo, hi]: readonly [number, number]) => lo + Math.floor(random() * (hi - lo));

type Restart = 'temporal' | 'postgres' | 'imap';
const CFG = byMode(
  {
    leads: 36,
    waveSize: 4,
    waveGapMs: [3_000, 6_000] as const,
    steps: [{ delay: 0 }, { delay: '25 seconds' }] as SequenceStep[],
    // Each restart once, at these offsets from the first lead (jittered), each down for a few seconds.
    restarts: [
      ['temporal', 10_000],
      ['postgres', 24_000],
      ['imap', 38_000],
    ] as Array<[Restart, number]>,
    downMs: [2_000, 5_000] as const,
    settleMs: 6 * 60_000,
  },
  {
    leads: 240,
    waveSize: 4,
    waveGapMs: [4_000, 10_000] as const,
    steps: [{ delay: 0 }, { delay: '2 minutes' }, { delay: '5 minutes' }] as SequenceStep[],
    restarts: [
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
    ] as Array<[Restart, number]>,
    downMs: [3_000, 15_000] as const,
    settleMs: 30 * 60_000,
  },
);

interface Lead {
  leadId: string;
  email: string;
  replies: boolean;
  submittedAt: number;
}
interface Reply {
  lead: Lead;
  raw: string;
  appendedAt: number;
}

const replyTo = (lead: Lead, messageId: string, id: string) =>
  [
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

describe(`chaos (${MODE}): Temporal, PostgreSQL and IMAP restarts mid-run`, () => {
  let w: ChaosWorld;
  let rejections: RejectionTracker;

  before(async () => {
    rejections = trackUnhandledRejections();
    w = await startChaosWorld({ imap: true, sendgridLatencyMs: () => 50 + Math.floor(Math.random() * 200), evidenceWindowSeconds: 30 });
    // The replies go to a salesperson: one dossier e-mail per replied lead, also exactly once.
    await addSalesperson(w.db, { id: 'rep-chaos', name: 'Robin Rep', email: 'robin@chaos.test', managerEmail: 'boss@chaos.test', team: null });
    await w.worker.start();
  });
  after(async () => {
    rejections?.dispose();
    await w?.stop();
  });

  test(
    `${CFG.leads} leads with replies through ${CFG.restarts.length} server restarts: every message once, every reply routed`,
    { timeout: byMode(15, 90) * 60_000 },
    async () => {
      await sleep(2_000);
      const memBefore = await sampleMemory();
      const workerRssBefore = w.worker.rssMb();
      const started = Date.now();
      const leads: Lead[] = [];
      const replies = new Map<string, Reply>();
      const restartLog: Array<Record<string, unknown>> = [];
      let submitRetries = 0;
      let appendRetries = 0;
      let reappended = 0;
      let submittingDone = false;

      const retrying = async <T>(fn: () => Promise<T>, onRetry: () => void): Promise<T> => {
        for (;;) {
          try {
            return await fn();
          } catch {
            onRetry();
            await sleep(500);
          }
        }
      };

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

      // Answers each replying lead once its first message is out (the Message-ID from the outbox).
      const replying = (async () => {
        while (!submittingDone || leads.some((l) => l.replies && !replies.has(l.leadId))) {
          for (const lead of leads.filter((l) => l.replies && !replies.has(l.leadId))) {
            try {
              const row = (await listOutbox(w.db, { leadId: lead.leadId, limit: 5, offset: 0 })).find(
                (r) => r.idempotency_key === `${lead.leadId}:step:1` && r.status === 'sent',
              );
              if (row?.message_id == null) continue;
              const raw = replyTo(lead, row.message_id, `reply-${SEED}-${lead.leadId.replace(/[^a-z0-9]/gi, '')}`);
              await appendMessage(w.mail!, INBOX, raw);
              replies.set(lead.leadId, { lead, raw, appendedAt: Date.now() });
            } catch {
              appendRetries += 1; // PostgreSQL or IMAP down right now
            }
          }
          await sleep(500);
        }
      })();

      const restarting = (async () => {
        for (const [kind, at] of CFG.restarts) {
          await sleep(Math.max(0, started + at + between([-2_000, 2_000]) - Date.now()));
          const downMs = between(CFG.downMs);
          const entry: Record<string, unknown> = {
            kind,
            atS: Math.round((Date.now() - started) / 1000),
            downMs,
            leadsSubmitted: leads.length,
            accepted: w.sendgrid.accepted.length,
            repliesAppended: replies.size,
          };
          if (kind === 'temporal') await w.temporal.restart(downMs);
          else if (kind === 'postgres') {
            // Down while queries are mid-statement (waiting on a lock): the worst moment for a pool.
            const halted = await restartPostgresMidQuery(w.pg, w.pg.url, downMs);
            entry.queriesWaitingAtHalt = halted.queriesWaitingAtHalt;
          } else {
            // GreenMail comes back empty (see the header): put back the replies their leads have not seen.
            await w.mail!.restart();
            const missing: Reply[] = [];
            for (const r of replies.values()) {
              const s = await retrying(
                () => queryLeadState(w.temporal.client, r.lead.leadId),
                () => undefined,
              );
              if (s.status !== 'replied') missing.push(r);
            }
            for (const r of missing)
              await retrying(
                () => appendMessage(w.mail!, INBOX, r.raw),
                () => {
                  appendRetries += 1;
                },
              );
            reappended += missing.length;
            entry.repliesPutBack = missing.length;
          }
          entry.backAfterMs = Date.now() - started - (entry.atS as number) * 1000;
          restartLog.push(entry);
        }
      })();

      const debug = (what: string) => (p: Promise<void>) =>
        p.then(() => {
          if (process.env.LEADFLOW_CHAOS_DEBUG !== undefined)
            process.stderr.write(`[chaos-debug] ${what} done at +${Math.round((Date.now() - started) / 1000)}s\n`);
        });
      await Promise.all([debug('submitting')(submitting), debug('replying')(replying), debug('restarting')(restarting)]);
      const chaosMs = Date.now() - started;

      const expectedState = (l: Lead, s: LeadState) =>
        l.replies ? s.status === 'replied' : s.status === 'waiting' && s.stepsSent === CFG.steps.length && (s.nextSendAt ?? null) === null;
      const settled = await settleLeads(
        w.temporal.client,
        leads,
        expectedState,
        CFG.settleMs,
        (l, s) =>
          `${l.leadId} ${l.replies ? 'replies' : 'silent'}: ${s?.status ?? '?'} steps=${s?.stepsSent ?? '?'} attention=${s?.attention ?? ''} reply appended=${replies.has(l.leadId)}`,
      );
      const settledMs = Date.now() - started;
      if (process.env.LEADFLOW_CHAOS_DEBUG !== undefined) await dumpSlowest(w.db, leads, settled.doneAt);

      // Expected at SendGrid: each lead's steps as far as its final state says, plus one dossier per reply.
      const replied = leads.filter((l) => l.replies);
      const dossierKeys = replied.map((l) => `handover:${l.leadId}:dossier`);
      const stepKeys = leads.flatMap((l) => Array.from({ length: settled.states.get(l.leadId)?.stepsSent ?? 0 }, (_, k) => `${l.leadId}:step:${k + 1}`));
      // The dossiers go out from the handover workflows, after their leads settled: wait for them, and
      // for the ledger to record each answer (a 202 on its way back is not yet a `sent` row).
      const outboxRows = () => Promise.all(leads.map((l) => listOutbox(w.db, { leadId: l.leadId, limit: 20, offset: 0 }))).then((r) => r.flat());
      const dossiers = await eventually(
        'one handover dossier per replied lead, and every outbox row settled',
        async () => {
          const got = new Set(w.sendgrid.accepted.map(sendgridKey));
          return dossierKeys.every((k) => got.has(k)) && (await outboxRows()).every((r) => r.status === 'sent');
        },
        3 * 60_000,
      ).then(
        () => null,
        (err: unknown) => err as Error,
      );
      const email = checkDeliveries([...stepKeys, ...dossierKeys], w.sendgrid.accepted.map(sendgridKey), sendgridReceived(w.sendgrid.requests));

      // Counted at the IMAP server: every message in the mailbox was processed (\Seen).
      const imap = await connectImap(w.mail!, INBOX);
      let inbox = { messages: 0, unseen: 0 };
      try {
        const status = await imap.status('INBOX', { messages: true, unseen: true });
        assert.ok(status !== false, 'IMAP STATUS answered');
        inbox = { messages: status.messages ?? 0, unseen: status.unseen ?? 0 };
      } finally {
        await imap.logout().catch(() => imap.close());
      }

      const replyEvents = new Map(
        await Promise.all(replied.map(async (l) => [l.leadId, (await listLeadEvents(w.db, l.leadId)).filter((e) => e.type === 'email.reply').length] as const)),
      );
      // Nothing else arrives in this mailbox: anything quarantined is a reply that lost its lead.
      const unmatched = await listQuarantined(w.db, { limit: 500, offset: 0 });
      const outbox = await outboxRows();
      const notSent = outbox.filter((r) => r.status !== 'sent').map((r) => `${r.idempotency_key}: ${r.status} ${r.error ?? ''}`);
      const lost = await lostLeads(
        w.db,
        w.temporal.client,
        leads.map((l) => l.leadId),
      );
      const memAfter = await sampleMemory();

      printSummary({
        scenario: 'server-restarts',
        seed: SEED,
        leads: leads.length,
        replyingLeads: replied.length,
        restarts: restartLog,
        temporalRestarts: w.temporal.restarts,
        workerCrashes: w.worker.crashes.length,
        workerFailedStarts: w.worker.failedStarts,
        retriesByTheTest: { submit: submitRetries, appendOrLookup: appendRetries },
        repliesPutBackAfterImapRestart: reappended,
        sendgrid: {
          received: email.received,
          accepted: email.accepted,
          expected: email.expected,
          duplicates: email.duplicates.length,
          missing: email.missing.length,
          webhook: w.sendgrid.webhook,
        },
        imap: { ...inbox, repliesAppended: replies.size },
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
        unhandledRejections: { test: rejections.count, testUncaught: rejections.uncaught, worker: w.worker.unhandled.length },
        memory: {
          testHeapMb: [memBefore.heapMb, memAfter.heapMb],
          testRssMb: [memBefore.rssMb, memAfter.rssMb],
          workerRssMb: [workerRssBefore, w.worker.rssMb()],
          gc: memAfter.gc,
        },
        seconds: { chaos: Math.round(chaosMs / 1000), untilSettled: Math.round(settledMs / 1000) },
      });

      if (settled.error !== null) throw settled.error;
      if (dossiers !== null) throw dossiers;
      assert.deepEqual(
        w.worker.crashes.map((c) => `${c.at} exit ${c.code ?? c.signal}: ${c.reason}`),
        [],
        'the worker survived every restart without dying',
      );
      assert.deepEqual(
        restartLog.map((r) => r.kind),
        CFG.restarts.map(([k]) => k),
        'every planned restart happened',
      );
      assert.ok(
        restartLog.every((r) => (r.leadsSubmitted as number) > 0 && (r.accepted as number) < email.expected),
        'every restart hit a run in progress',
      );
      assert.deepEqual(email.duplicates, [], 'no e-mail reached SendGrid twice');
      assert.deepEqual(email.missing, [], 'every step and every dossier was accepted by SendGrid');
      assert.deepEqual(email.unexpected, [], 'nothing else was sent');
      assert.deepEqual(notSent, [], 'every outbox row is sent (none uncertain, failed or pending)');
      assert.deepEqual(lost, [], 'every submitted lead has its DB row and its workflow');
      assert.equal(replies.size, replied.length, 'every replying lead got its reply appended');
      assert.deepEqual(
        [...replyEvents].filter(([, n]) => n !== 1),
        [],
        'every reply was routed to its lead exactly once',
      );
      assert.equal(unmatched.length, 0, `no reply ended in the quarantine: ${unmatched.map((q) => q.reason).join('; ')}`);
      assert.equal(inbox.unseen, 0, `every message in the mailbox was processed (${inbox.messages} there)`);
      assert.equal(
        rejections.count + rejections.uncaught,
        0,
        `no unhandled rejection or uncaught exception in the test process: ${rejections.samples.join('\n')}`,
      );
      assert.deepEqual(w.worker.unhandled, [], 'no unhandled rejection or uncaught exception logged by the worker');
      if (memAfter.gc)
        assert.ok(
          memAfter.heapMb <= 2 * memBefore.heapMb + 32,
          `test process heap back near its baseline after GC (${memBefore.heapMb} -> ${memAfter.heapMb} MB)`,
        );
    },
  );
});
