// The emergency stop's acknowledgement-to-last-provider-call time: N leads keep sending through
// the real send activity (ledger, send gate, @sendgrid/mail) to the SendGrid stand-in on a real
// PostgreSQL, a stop is committed (setStopped, what the control workflow's activity runs), and the
// last call the stand-in receives is timed from the commit's return (negative: it came before). Those calls were in
// flight at the ack (they passed the gate before it); none starts later. Several stops, each
// followed by a resume. Baselines from the same run: one send with nobody else sending, and a plain
// database round-trip; the ratios are over a send (and the stop's commit over a round-trip).
// Run: npm run bench:stop-ack          (STOP_BENCH_LEADS=N, default 100; STOP_BENCH_STOPS=K, default 7)
import os from 'node:os';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { createSendActivities, type SendOutcome } from '../activities/send/ledger.js';
import { localTransport, sendGridTransport, type OutboundMessage } from '../activities/send/transports.js';
import { createSendGridSender } from '../activities/sendgrid/sender.js';
import { createDb, resumeSending, setStopped } from '../db/index.js';
import { Failure } from '../domain/failures/index.js';
import { startSendGrid, type AcceptedMail } from '../tests/helpers/standins/sendgrid.js';
import { openTestDb } from '../tests/helpers/test-db.js';
import { row, type SectionResult } from './lib/report.js';
import { isMain } from './lib/stats.js';

const BASE_RUNS = 100;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? 0;
};
const ms = (x: number) => Math.round(x * 100) / 100;

export async function stopAck(o: { leads: number; stops: number }): Promise<SectionResult> {
  const { leads: LEADS, stops: STOPS } = o;
  const tdb = await openTestDb();
  // The stop commits on a pool of its own, as the control worker's (workers/main.ts); on the sends'
  // pool it waited for a connection behind them (p50 1.48 s with 1,000 leads sending).
  const controlDb = await createDb({ databaseUrl: tdb.url, dataDir: os.tmpdir(), poolMax: 2 });
  // A provider that answers in 20–60 ms, as SendGrid's API does from nearby.
  const sg = await startSendGrid({ apiKey: 'SG.bench', latencyMs: () => 20 + Math.random() * 40 });
  try {
    const { sendMessage } = createSendActivities({
      db: tdb.db,
      transports: {
        email: sendGridTransport(createSendGridSender({ apiKey: 'SG.bench', baseUrl: sg.url }), 'sales@dealer.example.com'),
        sms: localTransport(),
      },
    });
    let seq = 0;
    const message = (lead: number): OutboundMessage => ({
      idempotencyKey: `lead:bench-${lead}:step:${++seq}`,
      leadId: `lead:bench-${lead}`,
      step: 1,
      channel: 'email',
      to: `buyer-${lead}@example.com`,
      subject: 'Your Outback',
      text: 'Hello',
    });
    const send = (msg: OutboundMessage) => new MockActivityEnvironment().run<[OutboundMessage], SendOutcome, typeof sendMessage>(sendMessage, msg);
    const keyOf = (m: AcceptedMail) => (m.body.custom_args as Record<string, string> | undefined)?.idempotency_key ?? '';

    // Baselines: a database round-trip, and one send with the system otherwise idle.
    const roundTrip: number[] = [];
    const oneSend: number[] = [];
    for (let i = 0; i < BASE_RUNS + 10; i++) {
      const t = performance.now();
      await sql`select 1`.execute(tdb.db);
      if (i >= 10) roundTrip.push(performance.now() - t);
    }
    for (let i = 0; i < BASE_RUNS + 10; i++) {
      const t = performance.now();
      await send(message(0));
      if (i >= 10) oneSend.push(performance.now() - t);
    }

    const ackToLast: number[] = [];
    const stopLatency: number[] = [];
    const inFlightAtAck: number[] = [];
    const ackToLastAnswer: number[] = [];
    let lateStrays = 0;
    for (let k = 0; k < STOPS; k++) {
      let refused = 0;
      let lastAnswer = 0;
      const acceptedBefore = sg.accepted.length;
      // Each lead sends one message after another until the stop refuses it.
      const leads = Array.from({ length: LEADS }, async (_, lead) => {
        await new Promise((r) => setTimeout(r, Math.random() * 50));
        for (;;) {
          try {
            await send(message(lead + 1));
            lastAnswer = Math.max(lastAnswer, Date.now());
          } catch (err) {
            if ((err as { type?: string }).type === Failure.SendingStopped) {
              refused += 1;
              return;
            }
            throw err;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 200)); // mid-stream
      const t = performance.now();
      await setStopped(controlDb.db, { reason: `bench stop ${k}`, by: 'bench' });
      const ackAt = Date.now();
      stopLatency.push(performance.now() - t);
      const { rows } = await sql<{ idempotency_key: string }>`select idempotency_key from outbox where in_flight`.execute(tdb.db);
      const inFlight = new Set(rows.map((r) => r.idempotency_key));
      const acceptedAtAck = sg.accepted.length;
      await Promise.all(leads);
      await new Promise((r) => setTimeout(r, 200)); // any stray would arrive now
      const late = sg.accepted.slice(acceptedAtAck).filter((m) => m.at >= ackAt);
      lateStrays += late.filter((m) => !inFlight.has(keyOf(m))).length;
      // Signed: negative when every call that got through had reached the provider before the ack returned.
      ackToLast.push(Math.max(...sg.accepted.slice(acceptedBefore).map((m) => m.at - ackAt)));
      ackToLastAnswer.push(Math.max(0, lastAnswer - ackAt));
      inFlightAtAck.push(inFlight.size);
      if (refused !== LEADS) throw new Error(`stop ${k}: ${refused} of ${LEADS} leads refused`);
      await resumeSending(controlDb.db, { by: 'bench', ramp: null });
    }

    const summary = {
      bench: 'stop-ack',
      leads: LEADS,
      stops: STOPS,
      ackToLastCallMs: { p50: ms(pct(ackToLast, 50)), max: ms(Math.max(...ackToLast)) },
      ackToLastAnswerMs: { p50: ms(pct(ackToLastAnswer, 50)), max: ms(Math.max(...ackToLastAnswer)) },
      stopCommitMs: { p50: ms(pct(stopLatency, 50)), max: ms(Math.max(...stopLatency)) },
      inFlightAtAck: { p50: pct(inFlightAtAck, 50), max: Math.max(...inFlightAtAck) },
      callsStartedAfterAck: lateStrays,
      baseline: { sendMs: { p50: ms(pct(oneSend, 50)), p95: ms(pct(oneSend, 95)) }, dbRoundTripMs: { p50: ms(pct(roundTrip, 50)) } },
      ratio: {
        ackToLastP50OverSendP50: ms(pct(ackToLast, 50) / pct(oneSend, 50)),
        ackToLastAnswerP50OverSendP50: ms(pct(ackToLastAnswer, 50) / pct(oneSend, 50)),
        stopCommitP50OverDbRoundTripP50: ms(pct(stopLatency, 50) / pct(roundTrip, 50)),
      },
    };
    return {
      id: 'stop-ack',
      title: `Emergency stop, ${LEADS} leads sending`,
      baseline: 'one send with nobody else sending (SendGrid stand-in, 20–60 ms); the stop commit over a DB round trip',
      params: o,
      rows: [
        row('stop ack → last provider call, p50', 'ms', summary.ackToLastCallMs.p50, summary.baseline.sendMs.p50),
        row('stop ack → last provider call, max', 'ms', summary.ackToLastCallMs.max, summary.baseline.sendMs.p50, '≤ 1,000 ms with 1,000 leads sending'),
        row('stop ack → last in-flight answer, max', 'ms', summary.ackToLastAnswerMs.max, summary.baseline.sendMs.p50),
        row('stop commit (setStopped), p50', 'ms', summary.stopCommitMs.p50, summary.baseline.dbRoundTripMs.p50),
        row('provider calls started after an ack', '', lateStrays, null, '0'),
      ],
      detail: summary,
    };
  } finally {
    await sg.close();
    await controlDb.close();
    await tdb.close();
  }
}

if (isMain(import.meta.url)) {
  const LEADS = Number(process.env.STOP_BENCH_LEADS ?? 100);
  const STOPS = Number(process.env.STOP_BENCH_STOPS ?? 7);
  const summary = (await stopAck({ leads: LEADS, stops: STOPS })).detail as {
    ackToLastCallMs: { p50: number; max: number };
    ackToLastAnswerMs: { p50: number; max: number };
    stopCommitMs: { p50: number; max: number };
    inFlightAtAck: { p50: number; max: number };
    callsStartedAfterAck: number;
    baseline: { sendMs: { p50: number; p95: number }; dbRoundTripMs: { p50: number } };
    ratio: { ackToLastP50OverSendP50: number; ackToLastAnswerP50OverSendP50: number; stopCommitP50OverDbRoundTripP50: number };
  };
  const lateStrays = summary.callsStartedAfterAck;
  console.log(`${LEADS} leads sending, ${STOPS} stops`);
  console.log(
    `ack → last provider call   p50 ${summary.ackToLastCallMs.p50} ms, max ${summary.ackToLastCallMs.max} ms (calls in flight at the ack: p50 ${summary.inFlightAtAck.p50})`,
  );
  console.log(`ack → last in-flight answer p50 ${summary.ackToLastAnswerMs.p50} ms, max ${summary.ackToLastAnswerMs.max} ms`);
  console.log(`stop commit (setStopped)   p50 ${summary.stopCommitMs.p50} ms, max ${summary.stopCommitMs.max} ms`);
  console.log(`calls started after an ack ${lateStrays}`);
  console.log(
    `baseline: one send         p50 ${summary.baseline.sendMs.p50} ms, p95 ${summary.baseline.sendMs.p95} ms; DB round-trip p50 ${summary.baseline.dbRoundTripMs.p50} ms`,
  );
  console.log(
    `ratio: ack→last call p50 / send p50 = ${summary.ratio.ackToLastP50OverSendP50}x; ack→last answer p50 / send p50 = ${summary.ratio.ackToLastAnswerP50OverSendP50}x; stop commit p50 / DB round-trip p50 = ${summary.ratio.stopCommitP50OverDbRoundTripP50}x`,
  );
  console.log(JSON.stringify(summary));
}
