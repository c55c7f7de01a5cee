// HTTP ingest end to end on the real dev server and PostgreSQL: API keys and scopes, ADF and JSON
// leads, idempotent duplicates vs resends, and the quarantine (list, raw bytes, retry).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { defaultPayloadConverter } from '@temporalio/common';
import type { LeadInput } from '../../workflows/lead/contract.js';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey, getLead, listApiKeys, quarantine, revokeApiKey } from '../../db/index.js';
import { queryLeadState } from '../../temporal/lead-client.js';
import { adfEmail, adfXml } from '../helpers/adf.js';
import { uniqueName } from '../helpers/temporal.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import type { TestDb } from '../helpers/test-db.js';
import { TEST_LEAD_ID_SECRET, testDataConverter } from '../helpers/codec.js';
import { opaqueLeadId } from '../../temporal/lead-ids.js';

describe('HTTP ingest, API keys and quarantine', () => {
  let stack: DevStack;
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let app: FastifyInstance;
  const keys: Record<'read' | 'write', string> = { read: '', write: '' };

  before(async () => {
    stack = await startDevStack({ leadWorker: {} });
    ({ env, tdb } = stack);
    app = await buildApp({ leadIdSecret: TEST_LEAD_ID_SECRET, db: tdb.db, temporal: env.client, logger: createLogger('silent') });
    keys.read = (await createApiKey(tdb.db, 'reader', ['read'])).key;
    keys.write = (await createApiKey(tdb.db, 'writer', ['write'])).key;
  });
  after(async () => {
    await app?.close();
    await stack?.stop();
  });

  const postAdf = (body: string | Buffer, key = keys.write, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/leads/adf',
      payload: body,
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${key}`, ...headers },
    });

  async function arrivals(leadId: string, want: number): Promise<number> {
    let n = 0;
    for (let i = 0; i < 100; i++) {
      n = (await queryLeadState(env.client, leadId)).arrivals;
      if (n >= want) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return n;
  }

  test('no key is 401, a read key on a write route is 403, a revoked key is 401', async () => {
    const none = await app.inject({ method: 'POST', url: '/leads/adf', payload: adfXml(), headers: { 'content-type': 'application/xml' } });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal((await postAdf(adfXml(), keys.read)).statusCode, 403);
    assert.equal((await postAdf(adfXml(), 'lf_not-a-key')).statusCode, 401);
    const temp = await createApiKey(tdb.db, 'temp', ['write']);
    assert.equal((await app.inject({ method: 'GET', url: '/quarantine', headers: { 'x-api-key': temp.key } })).statusCode, 200);
    assert.ok((await listApiKeys(tdb.db)).find((k) => k.id === temp.id)?.last_used_at instanceof Date, 'use of a key is noted');
    await revokeApiKey(tdb.db, temp.id);
    assert.equal((await app.inject({ method: 'GET', url: '/quarantine', headers: { 'x-api-key': temp.key } })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health needs no key');
  });

  test('an ADF post starts one lead; the same document again is the same arrival; a resend is a new one', async () => {
    const id = uniqueName('adf');
    const res = await postAdf(adfXml({ id }));
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json<{ status: string; leads: Array<{ leadId: string }> }>();
    assert.equal(body.status, 'accepted');
    const leadId = body.leads[0]!.leadId;
    assert.equal(leadId, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`));
    assert.equal((await postAdf(adfXml({ id }))).json<{ leads: Array<{ leadId: string }> }>().leads[0]!.leadId, leadId);
    assert.equal(await arrivals(leadId, 1), 1, 'a repeated identical post is one arrival');
    await postAdf(adfXml({ id, status: 'resend', comments: 'Following up' }));
    assert.equal(await arrivals(leadId, 2), 2, 'a resend is a second arrival of the same lead');
    const row = await getLead(tdb.db, leadId);
    assert.equal(row?.email, `${id}@example.com`);
    assert.equal((row?.payload as { adf: { vehicles: Array<{ price: number }> } }).adf.vehicles[0]?.price, 38990);
  });

  test('a whole lead e-mail with the ADF attached is accepted as message/rfc822', async () => {
    const id = uniqueName('eml');
    const res = await postAdf(await adfEmail(adfXml({ id })), keys.write, { 'content-type': 'message/rfc822' });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json<{ leads: Array<{ leadId: string }> }>().leads[0]!.leadId, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`));
  });

  test('malformed XML is 422 naming the problem, quarantined whole, listed, downloadable and retriable', async () => {
    const broken = adfXml().replace('</customer>', '</custmer>');
    const res = await postAdf(broken);
    assert.equal(res.statusCode, 422);
    const problem = res.json<{ detail: string; quarantineId: string; code: string }>();
    assert.equal(problem.code, 'bad-adf');
    assert.match(problem.detail, /not well-formed XML.*line \d+, column \d+/);
    const list = await app.inject({ method: 'GET', url: '/quarantine?status=open', headers: { authorization: `Bearer ${keys.read}` } });
    assert.ok(list.json<{ items: Array<{ id: string }> }>().items.some((i) => i.id === problem.quarantineId));
    const raw = await app.inject({ method: 'GET', url: `/quarantine/${problem.quarantineId}/raw`, headers: { authorization: `Bearer ${keys.read}` } });
    assert.equal(raw.body, broken, 'the original bytes are kept exactly');
    const retry = await app.inject({ method: 'POST', url: `/quarantine/${problem.quarantineId}/retry`, headers: { authorization: `Bearer ${keys.write}` } });
    assert.equal(retry.statusCode, 422, 'still broken: it stays quarantined');
    // A problem like every other 4xx (it was the bare intake outcome; found by the fuzzer), the outcome in its extensions.
    assert.match(String(retry.headers['content-type']), /^application\/problem\+json/);
    const still = retry.json<{ status: number; detail: string; outcome: string; code: string; quarantineId: string; leads: unknown[] }>();
    assert.deepEqual([still.status, still.outcome, still.code, still.quarantineId, still.leads], [422, 'quarantined', 'bad-adf', problem.quarantineId, []]);
    assert.match(still.detail, /^still quarantined: .*not well-formed XML/);
    const after = await app.inject({ method: 'GET', url: `/quarantine/${problem.quarantineId}`, headers: { authorization: `Bearer ${keys.read}` } });
    assert.equal(after.json<{ retries: number; status: string }>().retries, 1);
    assert.equal(after.json<{ status: string }>().status, 'open');
  });

  test("a quarantined item that today's code can read is re-ingested by retry and resolved", async () => {
    const id = uniqueName('fixed');
    // As if an older parser had refused it: the stored bytes are valid for the current one.
    const { id: qid } = await quarantine(tdb.db, {
      source: 'http',
      sourceRef: 'old',
      contentType: 'application/xml',
      raw: Buffer.from(adfXml({ id })),
      reason: 'parser bug',
      errorCode: 'bad-adf',
    });
    const retry = await app.inject({ method: 'POST', url: `/quarantine/${qid}/retry`, headers: { authorization: `Bearer ${keys.write}` } });
    assert.equal(retry.statusCode, 200, retry.body);
    const item = await app.inject({ method: 'GET', url: `/quarantine/${qid}`, headers: { authorization: `Bearer ${keys.read}` } });
    assert.deepEqual(item.json<{ status: string; lead_ids: string[] }>().lead_ids, [opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`)]);
    assert.equal(item.json<{ status: string }>().status, 'resolved');
    assert.equal(
      (await app.inject({ method: 'POST', url: `/quarantine/${crypto.randomUUID()}/retry`, headers: { authorization: `Bearer ${keys.write}` } })).statusCode,
      404,
    );
  });

  test('a prospect with no id, e-mail or phone is quarantined with the reason', async () => {
    const res = await postAdf(adfXml({ email: null, phone: null }).replace(/<id [^>]*>[^<]*<\/id>/, ''));
    assert.equal(res.statusCode, 422);
    assert.equal(res.json<{ code: string }>().code, 'unidentifiable-prospect');
  });

  test('JSON leads: field errors name the field; an Idempotency-Key makes a retry the same arrival', async () => {
    const auth = { authorization: `Bearer ${keys.write}` };
    const bad = await app.inject({ method: 'POST', url: '/leads', headers: auth, payload: { source: 'web', contact: { email: 'not-an-email' } } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field),
      ['/contact/email'],
    );
    const missing = await app.inject({ method: 'POST', url: '/leads', headers: auth, payload: { contact: {} } });
    assert.equal(missing.statusCode, 400);
    assert.match(JSON.stringify(missing.json()), /source/);
    const email = `${uniqueName('json')}@example.com`;
    const payload = { source: 'web-form', contact: { firstName: 'Ana', email: email.toUpperCase() } };
    const first = await app.inject({ method: 'POST', url: '/leads', headers: { ...auth, 'idempotency-key': 'k-1' }, payload });
    assert.equal(first.statusCode, 202, first.body);
    const { leadId } = first.json<{ leadId: string }>();
    assert.equal(leadId, opaqueLeadId(TEST_LEAD_ID_SECRET, `web-form:email:${email}`));
    await app.inject({ method: 'POST', url: '/leads', headers: { ...auth, 'idempotency-key': 'k-1' }, payload });
    assert.equal(await arrivals(leadId, 1), 1);
  });

  test("JSON leads: recipientTimeZone must be an IANA zone and reaches the lead's input canonical", async () => {
    const auth = { authorization: `Bearer ${keys.write}` };
    const contact = { email: `${uniqueName('tz')}@example.com` };
    const bad = await app.inject({ method: 'POST', url: '/leads', headers: auth, payload: { source: 'web', contact, recipientTimeZone: 'Central' } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field),
      ['/recipientTimeZone'],
    );
    const res = await app.inject({ method: 'POST', url: '/leads', headers: auth, payload: { source: 'web', contact, recipientTimeZone: 'america/chicago' } });
    assert.equal(res.statusCode, 202, res.body);
    // The lead's input as its workflow got it: the start event, decrypted with the test key.
    const history = await env.client.workflow.getHandle(res.json<{ leadId: string }>().leadId).fetchHistory();
    let payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    for (const codec of testDataConverter.payloadCodecs ?? []) payloads = await codec.decode(payloads);
    const input = defaultPayloadConverter.fromPayload<LeadInput>(payloads[0]!);
    assert.equal(input.recipientTimeZone, 'America/Chicago');
  });
});
