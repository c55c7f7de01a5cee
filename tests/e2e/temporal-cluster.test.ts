// Temporal's own server (go.temporal.io/server v1.32.1, built from the Go module proxy by
// temporal/provision/temporal-server.ts) over PostgreSQL, from deploy/temporal/config.yaml: the
// shape of a production cluster, not the dev server. Against it: two `leadflow worker`
// processes, the API (in this process, so the SendGrid stand-in's signed webhooks reach it),
// GreenMail's IMAP for replies and a salesperson for the handovers. Leads go through to a first
// message and, for half of them, a reply; then the Temporal server is restarted (SIGTERM, down,
// started again over the same databases) while second steps wait on their timers and replies are
// being routed, and every lead must continue: each step accepted exactly once at SendGrid, each
// reply routed once, each dossier sent, both worker processes doing work.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addSalesperson, createApiKey, listLeadEvents, listQuarantined } from '../../db/index.js';
import { submitLead } from '../../temporal/lead-client.js';
import type { LeadState, SequenceStep } from '../../workflows/lead/contract.js';
import { testIdentity } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { makeLeadInput } from '../helpers/leads.js';
import { checkDeliveries, lostLeads, notSentRows, outboxRows, sendgridKey, sendgridReceived, stepKeys } from '../helpers/chaos/counts.js';
import { sleep } from '../helpers/chaos/report.js';
import { inboxStatus, replyWhenFirstSent, type ReplyingLead } from '../helpers/chaos/replies.js';
import { retrying, useChaosWorld } from '../helpers/chaos/scenario.js';
import { settleLeads } from '../helpers/chaos/settle.js';
import { startRestartableCluster, type ClusterHandle } from '../helpers/chaos/temporal-cluster.js';
import { WorkerProcess } from '../helpers/chaos/worker.js';
import { freePort } from '../../temporal/net.js';

const LEADS = 12;
const STEPS: SequenceStep[] = [{ delay: 0 }, { delay: '25 seconds' }];
const SEED = Date.now() % 1_000_000;

describe('on Temporal’s own server over PostgreSQL: two workers, the API, a server restart', () => {
  const world = useChaosWorld({ imap: true, temporal: startRestartableCluster, evidenceWindowSeconds: 30 }, (w) =>
    addSalesperson(w.db, { id: 'rep-cluster', name: 'Robin Rep', email: 'robin@cluster.test', managerEmail: 'boss@cluster.test', team: null }),
  );
  let second: WorkerProcess;
  before(async () => {
    // Its own metrics ports: two workers on one host, as two pods would have two addresses.
    const [sdk, own] = [await freePort(), await freePort()];
    second = new WorkerProcess({ ...world.w.workerEnv, TEMPORAL_SDK_METRICS_ADDRESS: `127.0.0.1:${sdk}`, WORKER_METRICS_ADDRESS: `127.0.0.1:${own}` });
    await second.start();
  });
  after(() => second?.stop(5_000));

  test(`${LEADS} leads and 2 by the API to a first message and replies; a server restart; every lead continues`, { timeout: 12 * 60_000 }, async () => {
    const { w } = world;
    const cluster = w.temporal as ClusterHandle;
    const leads: ReplyingLead[] = [];
    let submitted = false;
    const submitting = (async () => {
      for (let i = 0; i < LEADS; i++) {
        const email = `cluster-${SEED}-${i}@example.com`;
        const input = makeLeadInput({
          contact: { firstName: 'Pat', lastName: `Cluster${i}`, email, phone: null },
          sequence: STEPS,
          handover: { sla: '6 hours' },
        });
        const { leadId } = await retrying(() => submitLead(w.temporal.client, input, { identity: testIdentity }));
        leads.push({ leadId, email, replies: i % 2 === 0 });
        if (i % 4 === 3) await sleep(1_500);
      }
      submitted = true;
    })();
    // Two more through the API (the product's default sequence): the write path is the same against a cluster.
    const auth = { authorization: `Bearer ${(await createApiKey(w.db, 'cluster', ['write'])).key}` };
    const viaApi: string[] = [];
    for (const i of [0, 1]) {
      const res = await fetch(`${w.apiUrl}leads`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'web-form', contact: { firstName: 'Api', email: `cluster-api-${SEED}-${i}@example.com` } }),
      });
      assert.equal(res.status, 202, await res.clone().text());
      viaApi.push(((await res.json()) as { leadId: string }).leadId);
    }
    const replier = replyWhenFirstSent(w.db, w.mail!, leads, () => submitted, SEED);
    await submitting;

    // The restart lands while work is in flight: some first messages out, second steps on their timers.
    await eventually('a third of the first messages accepted', async () => w.sendgrid.accepted.length >= LEADS / 3, 3 * 60_000);
    const acceptedAtRestart = w.sendgrid.accepted.length;
    await cluster.restart(3_000);
    await replier.done;

    const expectedState = (l: ReplyingLead, s: LeadState) =>
      l.replies ? s.status === 'replied' : s.status === 'waiting' && s.stepsSent === STEPS.length && (s.nextSendAt ?? null) === null;
    const settled = await settleLeads(
      w.temporal.client,
      leads,
      expectedState,
      6 * 60_000,
      (l, s) => `${l.leadId}: ${s?.status ?? '?'} steps=${s?.stepsSent ?? '?'}`,
    );
    if (settled.error !== null) throw new Error(`${settled.error.message}\nTemporal server's last lines:\n${cluster.output.join('\n')}`);

    const replied = leads.filter((l) => l.replies);
    const dossierKeys = replied.map((l) => `handover:${l.leadId}:dossier`);
    const leadIds = [...leads.map((l) => l.leadId), ...viaApi];
    await eventually(
      'every dossier out, the API leads’ first messages out, every outbox row settled',
      async () => {
        const got = new Set(w.sendgrid.accepted.map(sendgridKey));
        return [...dossierKeys, ...viaApi.map((id) => `${id}:step:1`)].every((k) => got.has(k)) && notSentRows(await outboxRows(w.db, leadIds)).length === 0;
      },
      3 * 60_000,
    );
    const expected = [
      ...leads.flatMap((l) => stepKeys(l.leadId, settled.states.get(l.leadId)?.stepsSent ?? 0)),
      ...dossierKeys,
      ...viaApi.map((id) => `${id}:step:1`),
    ];
    const email = checkDeliveries(expected, w.sendgrid.accepted.map(sendgridKey), sendgridReceived(w.sendgrid.requests));
    assert.equal(cluster.restarts, 1);
    assert.ok(acceptedAtRestart < email.expected, `the restart hit a run in progress (${acceptedAtRestart} of ${email.expected} accepted)`);
    assert.deepEqual(email.duplicates, [], 'no e-mail reached SendGrid twice');
    assert.deepEqual(email.missing, [], 'every step, first message and dossier was accepted');
    assert.deepEqual(email.unexpected, [], 'nothing else was sent');
    assert.deepEqual(await lostLeads(w.db, w.temporal.client, leadIds), [], 'every lead has its row and its workflow');
    const routed = await Promise.all(replied.map(async (l) => (await listLeadEvents(w.db, l.leadId)).filter((e) => e.type === 'email.reply').length));
    assert.deepEqual(
      routed,
      replied.map(() => 1),
      'every reply routed to its lead exactly once',
    );
    assert.equal((await listQuarantined(w.db, { limit: 50, offset: 0 })).length, 0, 'no reply lost its lead');
    assert.equal((await inboxStatus(w.mail!)).unseen, 0, 'every reply in the mailbox was processed');

    // Both worker processes took activity tasks (from the histories' ActivityTaskStarted identities).
    const identities = new Set<string>();
    for (const id of leadIds) {
      const history = await w.temporal.client.workflow.getHandle(id).fetchHistory();
      for (const e of history.events ?? []) if (e.activityTaskStartedEventAttributes?.identity) identities.add(e.activityTaskStartedEventAttributes.identity);
    }
    const pids = [w.worker.pid, second.pid].map(String);
    assert.deepEqual(
      pids.filter((pid) => ![...identities].some((i) => i.startsWith(`${pid}@`))),
      [],
      `both worker processes ran activities (identities: ${[...identities].join(', ')})`,
    );
    assert.deepEqual([w.worker.crashes, second.crashes], [[], []], 'neither worker died');
  });
});
