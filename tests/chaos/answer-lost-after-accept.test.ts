// Chaos: the provider took the message and only its answer was lost, a client-side timeout or the
// connection dropped before the 202/201 arrived. Whether it was sent is unknown to the worker; the
// provider's webhook (SendGrid's `processed` event, Twilio's status callback) says it was. Sending
// again would be a duplicate the recipient sees: the product keeps such a call in flight as an
// unknown outcome and settles it from that evidence (activities/send/ledger.ts), never by calling
// again. Storms of both after-accept variants (hang, reset) at SendGrid and Twilio at once.
// Prints one `[chaos-summary]` JSON line; LEADFLOW_CHAOS_SEED names the run's addresses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { submitLead } from '../../temporal/lead-client.js';
import type { LeadState } from '../../workflows/lead/contract.js';
import { testIdentity } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { makeLeadInput } from '../helpers/leads.js';
import { checkDeliveries, lostLeads, notSentRows, outboxRows, sendgridKey, twilioKey } from '../helpers/chaos/counts.js';
import { MODE, printSummary, sampleMemory } from '../helpers/chaos/report.js';
import { assertCleanRun, baseline, chaosSeed, memoryFigures, rejectionFigures, useChaosWorld } from '../helpers/chaos/scenario.js';
import { settleLeads } from '../helpers/chaos/settle.js';

const { seed: SEED } = chaosSeed();

interface Lead {
  leadId: string;
  channel: 'email' | 'sms';
}

const showLead = (l: Lead, s: LeadState | undefined) =>
  `${l.leadId} ${l.channel}: ${s?.status ?? '?'} steps=${s?.stepsSent ?? '?'} attention=${s?.attention ?? ''}`;

/** The after-accept faults injected since `was`, by kind. */
const injectedSince = (now: Record<string, number>, was: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(now)
      .filter(([k]) => k.endsWith('+accepted'))
      .map(([k, v]) => [k, v - (was[k] ?? 0)]),
  );

describe(`chaos (${MODE}): answers lost after the provider accepted`, () => {
  const world = useChaosWorld({ twilio: true, sendgridLatencyMs: () => 100 + Math.floor(Math.random() * 500) });

  test('a timeout or connection reset after the provider accepted a message does not send it again', { timeout: 10 * 60_000 }, async () => {
    const { w } = world;
    const base = await baseline(w);
    const leads: Lead[] = [];
    const wave = async (n: number) => {
      for (let i = 0; i < n; i++) {
        for (const channel of ['email', 'sms'] as const) {
          const idx = leads.length;
          const contact = {
            firstName: `Accepted${idx}`,
            lastName: 'Lost',
            email: channel === 'email' ? `accepted-${SEED}-${idx}@example.com` : null,
            phone: channel === 'sms' ? `+1202555${String(1000 + (idx % 9000)).padStart(4, '0')}` : null,
          };
          const { leadId } = await submitLead(w.temporal.client, makeLeadInput({ contact, sequence: [{ delay: 0, channel }] }), { identity: testIdentity });
          leads.push({ leadId, channel });
        }
      }
    };
    const sgBefore = { ...w.storms.sendgrid.injected };
    const twBefore = { ...w.storms.twilio.injected };
    // Each storm lasts until it has struck two new leads' first calls at both providers, then calms:
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

    const key = (l: Lead) => `${l.leadId}:step:1`;
    const keys = new Set(leads.map(key));
    const email = checkDeliveries(
      leads.filter((l) => l.channel === 'email').map(key),
      w.sendgrid.accepted.map(sendgridKey).filter((k) => keys.has(k)),
      [],
    );
    const sms = checkDeliveries(
      leads.filter((l) => l.channel === 'sms').map(key),
      (w.twilio?.accepted ?? []).map(twilioKey).filter((k) => keys.has(k)),
      [],
    );
    // The ledger records a settled call as `sent` once the webhook evidence is read: wait for it.
    const leadIds = leads.map((l) => l.leadId);
    const notSent = await eventually(
      'every outbox row settled',
      async () => {
        const rows = notSentRows(await outboxRows(w.db, leadIds));
        return rows.length === 0 ? rows : undefined;
      },
      60_000,
    ).catch(async () => notSentRows(await outboxRows(w.db, leadIds)));
    const lost = await lostLeads(w.db, w.temporal.client, leadIds);
    const memEnd = await sampleMemory();
    const sgInjected = injectedSince(w.storms.sendgrid.injected, sgBefore);
    const twInjected = injectedSince(w.storms.twilio.injected, twBefore);

    printSummary({
      scenario: 'answer-lost-after-accept',
      seed: SEED,
      leads: leads.length,
      faultsInjected: { sendgrid: sgInjected, twilio: twInjected },
      sendgrid: { expected: email.expected, accepted: email.accepted, duplicates: email.duplicates.length, missing: email.missing.length },
      twilio: { expected: sms.expected, accepted: sms.accepted, duplicates: sms.duplicates.length, missing: sms.missing.length },
      webhooks: { sendgrid: w.sendgrid.webhook, twilio: w.twilio?.callbacks },
      leadsNotAtExpectedState: settled.pending.length,
      lostLeads: lost.length,
      outboxNotSent: notSent.length,
      unhandledRejections: rejectionFigures(world),
      memory: memoryFigures(base, memEnd, w),
    });

    assert.ok(
      Object.values(sgInjected).some((n) => n > 0),
      'SendGrid lost at least one answer after accepting',
    );
    assert.ok(
      Object.values(twInjected).some((n) => n > 0),
      'Twilio lost at least one answer after accepting',
    );
    assert.deepEqual(email.missing, [], 'every e-mail was accepted');
    assert.deepEqual(sms.missing, [], 'every SMS was accepted');
    assert.deepEqual(email.duplicates, [], 'no e-mail whose answer was lost after SendGrid accepted it was sent again');
    assert.deepEqual(sms.duplicates, [], 'no SMS whose answer was lost after Twilio accepted it was sent again');
    assert.deepEqual(notSent, [], 'every outbox row is sent: the lost answers were settled from the providers’ evidence');
    assert.deepEqual(lost, [], 'every submitted lead has its DB row and its workflow');
    assertCleanRun(world, base, memEnd);
  });
});
