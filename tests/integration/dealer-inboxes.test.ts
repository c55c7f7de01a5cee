// A dealer's inbound ADF lead goes out from the dealer's inboxes (DEALER_INBOXES), end to end: the
// ingest path every source shares, the real lead worker on the dev server, the rotation over the
// dealer's registry inboxes; and the start-up check that names an inbox the registry lacks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../config/logger.js';
import { insertInbox, listOutbox } from '../../db/index.js';
import { unknownDealerInboxes } from '../../intake/dealer-inboxes.js';
import { createIngestor } from '../../intake/ingest.js';
import { queryLeadState, stopLead } from '../../temporal/lead-client.js';
import { TRANSACTIONAL_POLICY } from '../../workflows/inbox/contract.js';
import { adfXml } from '../helpers/adf.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { recordingTransport } from '../helpers/recording-transport.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { uniqueName } from '../helpers/temporal.js';

describe("a dealer's inboxes for its inbound leads (dev server, real PostgreSQL)", () => {
  let stack: DevStack;
  const taskQueue = uniqueName('dealer-inboxes');
  const email = recordingTransport();
  before(async () => {
    stack = await startDevStack({ leadWorker: { taskQueue, services: { transports: { email, sms: recordingTransport() } } } });
  });
  after(async () => {
    await stack?.stop();
  });

  async function addInbox(id: string): Promise<void> {
    await insertInbox(stack.tdb.db, {
      id,
      kind: 'smtp',
      channel: 'email',
      address: `${id}@dealer.example`,
      displayName: null,
      policy: TRANSACTIONAL_POLICY,
      settings: {},
      secretsEnc: null,
      verifiedAt: new Date(),
    });
  }

  test("an ADF lead for the dealer (its vendor) is sent from one of the dealer's inboxes, not the implicit one", async () => {
    const [a, b] = [uniqueName('tm-a'), uniqueName('tm-b')];
    await addInbox(a);
    await addInbox(b);
    const ingest = createIngestor({
      client: stack.env.client,
      db: stack.tdb.db,
      log: createLogger('silent'),
      leadIdSecret: TEST_LEAD_ID_SECRET,
      taskQueue,
      // adfXml's vendor is "Test Motors".
      dealerInboxes: { 'test-motors': [a, b] },
    });
    const result = await ingest(Buffer.from(adfXml()), { source: 'http', sourceRef: null, arrivalKey: uniqueName('arrival'), receivedAt: new Date() });
    assert.equal(result.status, 'accepted');
    const leadId = result.leads[0]!.leadId;
    try {
      const rows = await eventually('the first message sent', async () => {
        const sent = (await listOutbox(stack.tdb.db, { limit: 500, offset: 0 })).filter((r) => r.lead_id === leadId && r.status === 'sent');
        return sent.length > 0 ? sent : undefined;
      });
      assert.ok([a, b].includes(rows[0]!.inbox_id ?? ''), `sent from ${rows[0]!.inbox_id}`);
      assert.equal((await queryLeadState(stack.env.client, leadId)).inboxId, rows[0]!.inbox_id);
    } finally {
      await stopLead(stack.env.client, leadId, { reason: 'test done', by: 'test' });
    }
  });

  test('the start-up check names each inbox DEALER_INBOXES lists that the registry lacks (the implicit ones exist)', async () => {
    const known = uniqueName('known');
    await addInbox(known);
    const unknown = await unknownDealerInboxes(stack.tdb.db, { 'honda-north': [known, 'hn-typo'], autotrader: ['default', 'at-gone'] });
    assert.deepEqual(unknown, ['honda-north: hn-typo', 'autotrader: at-gone']);
    assert.deepEqual(await unknownDealerInboxes(stack.tdb.db, {}), []);
  });
});
