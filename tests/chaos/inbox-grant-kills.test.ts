// Chaos: the worker is SIGKILLed while an inbox is granting. Many leads (the real `leadflow worker`
// process, the dev server, PostgreSQL, SendGrid through the inbox's own settings to the stand-in)
// ask one registry inbox with a small daily cap at once, and the worker dies and comes back
// several times meanwhile. Afterwards: every lead holds exactly one slot and no two share one (a
// repeated request is answered with the slot already granted, and grants nothing new), the
// inbox's granted count for today never went past the cap (the rest were given tomorrow), and the
// stand-in accepted no more than the cap through that inbox today, each message once.
// LEADFLOW_CHAOS=long: more leads and kills.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inboxBatcher } from '../../activities/inboxes/inbox-batch.js';
import { insertInbox } from '../../db/index.js';
import { inboxStartOf, queryInboxStatus, reserveSlot } from '../../temporal/inbox-client.js';
import { queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { TRANSACTIONAL_POLICY, type InboxPolicy } from '../../workflows/inbox/contract.js';
import { testIdentity } from '../helpers/codec.js';
import { sendgridKey } from '../helpers/chaos/counts.js';
import { byMode, MODE, sleep } from '../helpers/chaos/report.js';
import { startChaosWorld, type ChaosWorld } from '../helpers/chaos/world.js';
import { eventually } from '../helpers/eventually.js';
import { makeLeadInput } from '../helpers/leads.js';

const CFG = byMode({ leads: 60, cap: 15, kills: 3 }, { leads: 300, cap: 60, kills: 10 });
const INBOX = 'capped';
const POLICY: InboxPolicy = { ...TRANSACTIONAL_POLICY, ramp: [], dailyCap: CFG.cap, minGapSeconds: 0, jitterSeconds: 0, window: null };

describe(`chaos (${MODE}): worker SIGKILLs while ${CFG.leads} leads ask one inbox capped at ${CFG.cap} a day`, () => {
  let world: ChaosWorld;
  before(async () => {
    world = await startChaosWorld({ sendgridLatencyMs: () => 50 + Math.floor(Math.random() * 150), keepWorkerLines: ['Activity failed'] });
    await insertInbox(world.db, {
      id: INBOX,
      kind: 'sendgrid',
      channel: 'email',
      address: 'sales@capped.test',
      displayName: 'Capped Sales',
      policy: POLICY,
      // The key from the worker's own environment: no secret stored for this test.
      settings: { sendgrid: { baseUrl: world.sendgrid.url, apiKeyEnv: 'SENDGRID_API_KEY' } },
      secretsEnc: null,
      verifiedAt: new Date(),
    });
    await world.worker.start();
  });
  after(async () => {
    await world?.stop();
  });

  test('no slot granted twice, today never past the cap, at most the cap sent today', async () => {
    const client = world.temporal.client;
    const inputs = Array.from({ length: CFG.leads }, () =>
      makeLeadInput({ inboxes: [INBOX], sequence: [{ delay: 0, channel: 'email', ai: false, template: { subject: 'Hi', body: 'Hello {firstName}' } }] }),
    );
    const submitting = Promise.all(inputs.map(async (input) => (await submitLead(client, input, { identity: testIdentity })).leadId));
    // Kills while the leads ask: the first within a second of the burst, the rest every 2–4 s.
    for (let k = 0; k < CFG.kills; k++) {
      await sleep(k === 0 ? 800 : 2_000 + Math.random() * 2_000);
      await world.worker.kill();
      await sleep(Math.random() * 1_000);
      await world.worker.start();
    }
    const leadIds = await submitting;

    // Settled: every lead sent (today) or holds tomorrow's slot, and the stand-in has what it will get today.
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    let last = '';
    const settled = async () => {
      const states = await Promise.all(leadIds.map((id) => client.withDeadline(Date.now() + 5_000, () => queryLeadState(client, id))));
      const open = states.filter((s) => !(s.stepsSent === 1 || (s.status === 'waiting' && Date.parse(s.nextSendAt ?? '') >= tomorrow.getTime())));
      last = open
        .slice(0, 5)
        .map((s) => `${s.leadId} ${s.status} next=${s.nextSendAt ?? ''} wait=${s.slotWait ?? ''}`)
        .join('\n');
      return open.length === 0;
    };
    await eventually('every lead sent or waiting for a later day', settled, 240_000).catch((err: Error) => {
      throw new Error(
        `${err.message}; still open:\n${last}\nstand-in accepted ${world.sendgrid.accepted.length}\nworker:\n${world.worker.kept.slice(-5).join('\n').slice(0, 3000)}`,
      );
    });
    const before = await queryInboxStatus(client, INBOX);
    assert.ok(before.grantedToday <= CFG.cap, `granted today ${before.grantedToday} > cap ${CFG.cap}`);

    // Ask again with every lead's own key: each gets the slot it holds, and nothing new is granted.
    const start = inboxStartOf(INBOX, { policy: POLICY, created_at: new Date(0) });
    // Batched, as a worker's slot activities ask (a hundred updates at once is a herd the server refuses).
    const ask = inboxBatcher(client).reserve;
    const answers = await Promise.all(leadIds.map((id) => ask(INBOX, start, { key: `${id}:step:1`, leadId: id }, Date.now() + 60_000)));
    const slots = answers.map((a) => (a.kind === 'granted' ? a : assert.fail(`${a.inboxId}: ${a.reason}`)));
    assert.equal(new Set(slots.map((s) => s.slotId)).size, CFG.leads, 'distinct keys hold distinct slots');
    const again = await reserveSlot(client, start, { key: `${leadIds[0]}:step:1`, leadId: leadIds[0]! });
    assert.deepEqual(again, answers[0], 'a repeated key gets the same slot');
    const after = await queryInboxStatus(client, INBOX);
    assert.equal(after.grantedToday, before.grantedToday, 'repeats granted nothing');
    const today = slots.filter((s) => s.sendAt < tomorrow.getTime()).length;
    assert.equal(today, after.grantedToday, "today's slots are the inbox's granted count");
    assert.ok(today <= CFG.cap);

    // At the provider: at most the cap through this inbox today, each message once.
    await sleep(2_000);
    // Every message of this world goes through the inbox (the leads name only it).
    const mine = world.sendgrid.accepted;
    const keys = mine.map(sendgridKey);
    assert.equal(new Set(keys).size, keys.length, 'no message accepted twice');
    assert.ok(mine.length <= CFG.cap, `${mine.length} sent through ${INBOX} today, cap ${CFG.cap}`);
    assert.equal(mine.length, today, 'every slot of today was used once');
    assert.equal(world.worker.crashes.length, 0, world.worker.crashes.map((c) => c.reason).join('\n'));
    process.stderr.write(
      `[inbox-grant-kills] ${JSON.stringify({ mode: MODE, leads: CFG.leads, cap: CFG.cap, kills: world.worker.kills, grantedToday: after.grantedToday, sentToday: mine.length, slots: slots.length })}\n`,
    );
  });
});
