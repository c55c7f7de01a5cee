// Provider webhooks with real signatures generated here: valid requests are stored once,
// replays are duplicates, and forged, tampered, stale or unsigned requests change nothing.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { countProviderEvents, listLeadEvents, upsertLead } from '../../db/index.js';
import { uniqueName } from '../helpers/temporal.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import type { TestDb } from '../helpers/test-db.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';

const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spkiB64 = (k: ReturnType<typeof ec>) => k.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const PUBLIC_URL = 'https://leadflow.example.com/';
const TOKEN = 'twilio-auth-token-test';

describe('provider webhooks', () => {
  let stack: DevStack;
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let app: FastifyInstance;
  const keys = ec();
  const leadId = `lead:test:id:${uniqueName('wh')}`;

  before(async () => {
    stack = await startDevStack();
    ({ env, tdb } = stack);
    await upsertLead(tdb.db, {
      id: leadId,
      source: 'test',
      external_id: null,
      campaign_id: null,
      first_name: null,
      last_name: null,
      email: 'a@example.com',
      phone: null,
      payload: {},
    });
    app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: tdb.db,
      temporal: env.client,
      logger: createLogger('silent'),
      webhooks: { sendgridPublicKey: spkiB64(keys), sendgridMaxAgeSeconds: 300, twilioAuthToken: TOKEN, publicUrl: PUBLIC_URL },
    });
  });
  after(async () => {
    await app?.close();
    await stack?.stop();
  });

  const signed = (body: string, o: { key?: ReturnType<typeof ec>; ts?: number } = {}) => {
    const ts = String(o.ts ?? Math.floor(Date.now() / 1000));
    const sig = sign('sha256', Buffer.concat([Buffer.from(ts), Buffer.from(body)]), (o.key ?? keys).privateKey).toString('base64');
    return { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': sig, 'x-twilio-email-event-webhook-timestamp': ts };
  };
  const sg = (body: string, headers: Record<string, string>) => app.inject({ method: 'POST', url: '/webhooks/sendgrid', payload: body, headers });

  test('SendGrid: a signed batch is stored once per sg_event_id and reaches the lead timeline; a replay is a duplicate', async () => {
    const body = JSON.stringify([
      { email: 'a@example.com', event: 'delivered', sg_event_id: 'ev-1', sg_message_id: 'm1', lead_id: leadId, timestamp: 1 },
      { email: 'a@example.com', event: 'bounce', type: 'bounce', reason: '550 5.1.1 unknown user', sg_event_id: 'ev-2', lead_id: leadId, timestamp: 2 },
    ]);
    const first = await sg(body, signed(body));
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { accepted: 2, duplicates: 0, signalled: 0 });
    const again = await sg(body, signed(body));
    assert.deepEqual(again.json(), { accepted: 0, duplicates: 2, signalled: 0 });
    const timeline = (await listLeadEvents(tdb.db, leadId)).filter((e) => e.event_key.startsWith('sendgrid:'));
    assert.deepEqual(
      timeline.map((e) => e.type),
      ['email.delivered', 'email.bounce'],
    );
    assert.equal((timeline[1]?.detail as { reason: string }).reason, '550 5.1.1 unknown user');
  });

  test('SendGrid: unsigned 401; forged, tampered and stale 403; none of them stores anything', async () => {
    const before = await countProviderEvents(tdb.db, 'sendgrid');
    const body = JSON.stringify([{ event: 'open', sg_event_id: uniqueName('forged'), email: 'x@example.com' }]);
    assert.equal((await sg(body, { 'content-type': 'application/json' })).statusCode, 401);
    assert.equal((await sg(body, signed(body, { key: ec() }))).statusCode, 403, 'signed with another key');
    const headers = signed(body);
    assert.equal((await sg(body.replace('open', 'click'), headers)).statusCode, 403, 'body changed after signing');
    const stale = await sg(body, signed(body, { ts: Math.floor(Date.now() / 1000) - 3600 }));
    assert.equal(stale.statusCode, 403);
    assert.match(stale.json<{ detail: string }>().detail, /300 s window/);
    assert.equal(await countProviderEvents(tdb.db, 'sendgrid'), before);
  });

  test('SendGrid: a signed body that is not an event array is 400 naming the problem', async () => {
    for (const body of ['{"event":"open"}', 'not json']) {
      const res = await sg(body, signed(body));
      assert.equal(res.statusCode, 400);
      assert.match(res.json<{ detail: string }>().detail, /JSON array of events|not JSON/);
    }
  });

  // SendGrid retries a whole batch on any non-2xx: one event it can never store must not hold the others back (found by the fuzzer: a 500).
  test('SendGrid: a signed batch stores its valid events and lists the ones it refuses (no sg_event_id, a NUL, an unpaired surrogate)', async () => {
    const before = await countProviderEvents(tdb.db, 'sendgrid');
    const good = uniqueName('ev-good');
    const body = `[{"event":"open"},{"sg_event_id":"a\\u0000b","event":"open"},{"sg_event_id":"${uniqueName('ev')}","event":"bounce","reason":"x\\ud800"},{"sg_event_id":"${good}","event":"delivered","lead_id":"${leadId}"}]`;
    for (const round of ['first delivery', 'retry']) {
      const res = await sg(body, signed(body));
      assert.equal(res.statusCode, 200, `${round}: ${res.body}`);
      assert.deepEqual(res.json(), {
        ...(round === 'retry' ? { accepted: 0, duplicates: 1 } : { accepted: 1, duplicates: 0 }),
        signalled: 0,
        refused: [
          { index: 0, field: '/0', message: 'event 0 lacks a string sg_event_id or event' },
          { index: 1, field: '/1/sg_event_id', message: 'event 1: [1].sg_event_id contains a NUL character (U+0000)' },
          { index: 2, field: '/2/reason', message: 'event 2: [2].reason contains an unpaired UTF-16 surrogate (not valid Unicode)' },
        ],
      });
    }
    assert.equal(await countProviderEvents(tdb.db, 'sendgrid'), before + 1);
    assert.ok((await listLeadEvents(tdb.db, leadId)).some((e) => e.event_key === `sendgrid:${good}`));
  });

  // Found by the fuzzer: a 2.7 KB event id overflowed the primary key's btree entry (a 500).
  test('SendGrid: an event or lead id too long to index is refused by name, the rest stored', async () => {
    const before = await countProviderEvents(tdb.db, 'sendgrid');
    const long = '\u{1F469}'.repeat(700);
    const body = JSON.stringify([
      { sg_event_id: long, event: 'open' },
      { sg_event_id: uniqueName('ev'), event: 'open', lead_id: long },
      { sg_event_id: uniqueName('ev-ok'), event: 'delivered' },
    ]);
    const res = await sg(body, signed(body));
    assert.equal(res.statusCode, 200, res.body);
    const answer = res.json<{ accepted: number; refused: Array<{ field: string; message: string }> }>();
    assert.equal(answer.accepted, 1);
    assert.deepEqual(
      answer.refused.map((r) => [r.field, r.message]),
      [
        ['/0/sg_event_id', 'event 0: sg_event_id is longer than 512 bytes'],
        ['/1/lead_id', 'event 1: lead_id is longer than 512 bytes'],
      ],
    );
    assert.equal(await countProviderEvents(tdb.db, 'sendgrid'), before + 1);
  });

  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const tw = (path: string, params: Record<string, string>, signature?: string) =>
    app.inject({
      method: 'POST',
      url: path,
      payload: form(params),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}) },
    });

  test('Twilio: a signed status callback is stored once per MessageSid+status and reaches the lead timeline', async () => {
    const path = `/webhooks/twilio/status?lead_id=${encodeURIComponent(leadId)}`;
    const params = { MessageSid: 'SM0123456789abcdef0123456789abcdef', MessageStatus: 'delivered', To: '+14155550100' };
    const sig = twilio.getExpectedTwilioSignature(TOKEN, new URL(path, PUBLIC_URL).toString(), params);
    assert.deepEqual((await tw(path, params, sig)).json(), { accepted: 1, duplicates: 0, signalled: 0 });
    assert.deepEqual((await tw(path, params, sig)).json(), { accepted: 0, duplicates: 1, signalled: 0 });
    const timeline = (await listLeadEvents(tdb.db, leadId)).filter((e) => e.event_key.startsWith('twilio:'));
    assert.deepEqual(
      timeline.map((e) => e.type),
      ['sms.delivered'],
    );
  });

  test('Twilio: unsigned 401, wrong token or URL 403, nothing stored; inbound answers empty TwiML', async () => {
    const before = await countProviderEvents(tdb.db, 'twilio');
    const path = '/webhooks/twilio/status';
    const params = { MessageSid: 'SMffffffffffffffffffffffffffffffff', MessageStatus: 'failed' };
    assert.equal((await tw(path, params)).statusCode, 401);
    assert.equal((await tw(path, params, twilio.getExpectedTwilioSignature('other-token', new URL(path, PUBLIC_URL).toString(), params))).statusCode, 403);
    assert.equal((await tw(path, params, twilio.getExpectedTwilioSignature(TOKEN, 'https://attacker.example/webhooks/twilio/status', params))).statusCode, 403);
    assert.equal(await countProviderEvents(tdb.db, 'twilio'), before);

    const inbound = { MessageSid: 'SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', From: '+14155550100', Body: 'STOP' };
    const res = await tw(
      '/webhooks/twilio/inbound',
      inbound,
      twilio.getExpectedTwilioSignature(TOKEN, new URL('/webhooks/twilio/inbound', PUBLIC_URL).toString(), inbound),
    );
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/xml/);
    assert.equal(res.body, '<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    assert.equal(await countProviderEvents(tdb.db, 'twilio'), before + 1);
  });

  test('Twilio: a signed request with a NUL in a parameter is 400 naming it, and stores nothing (found by the fuzzer: a 500)', async () => {
    const before = await countProviderEvents(tdb.db, 'twilio');
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/webhooks/twilio/inbound', { MessageSid: '\u0000' }, 'MessageSid'],
      ['/webhooks/twilio/inbound', { MessageSid: 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', From: '+1415\u00005550100', Body: 'hi' }, 'From'],
      ['/webhooks/twilio/status', { MessageSid: 'SMcccccccccccccccccccccccccccccccc', MessageStatus: 'deli\u0000vered' }, 'MessageStatus'],
    ];
    for (const [path, params, field] of cases) {
      const res = await tw(path, params, twilio.getExpectedTwilioSignature(TOKEN, new URL(path, PUBLIC_URL).toString(), params));
      assert.equal(res.statusCode, 400, `${path} ${field}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = res.json<{ detail: string; errors: Array<{ field: string }> }>();
      assert.equal(problem.detail, `form parameter ${field} contains a NUL character (U+0000)`);
      assert.deepEqual(
        problem.errors.map((e) => e.field),
        [field],
      );
    }
    assert.equal(await countProviderEvents(tdb.db, 'twilio'), before);
  });

  test("Twilio: a signed request whose event key is not in Twilio's shape is 400 naming it, and stores nothing (found by the fuzzer: a 500)", async () => {
    const before = await countProviderEvents(tdb.db, 'twilio');
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}'.repeat(20_000); // ~700 KB once encoded: past an index row
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/webhooks/twilio/status', { MessageSid: 'SMdddddddddddddddddddddddddddddddd', MessageStatus: family }, 'MessageStatus'],
      ['/webhooks/twilio/status', { MessageSid: 'SM'.repeat(40), MessageStatus: 'delivered' }, 'MessageSid'],
      ['/webhooks/twilio/inbound', { MessageSid: `SM-${'x'.repeat(10)}`, From: '+14155550100', Body: 'hi' }, 'MessageSid'],
    ];
    for (const [path, params, field] of cases) {
      const res = await tw(path, params, twilio.getExpectedTwilioSignature(TOKEN, new URL(path, PUBLIC_URL).toString(), params));
      assert.equal(res.statusCode, 400, `${path} ${field}: ${res.body.slice(0, 300)}`);
      const problem = res.json<{ detail: string; errors: Array<{ field: string }> }>();
      assert.match(problem.detail, new RegExp(`^form parameter ${field} is not a Twilio `));
      assert.deepEqual(
        problem.errors.map((e) => e.field),
        [field],
      );
    }
    // The callback's lead_id is the other index key: bounded by the query schema.
    const longLead = `/webhooks/twilio/status?lead_id=${'\u{1F469}'.repeat(1_000)}`;
    const params = { MessageSid: 'SMdddddddddddddddddddddddddddddddd', MessageStatus: 'delivered' };
    const res = await tw(encodeURI(longLead), params, twilio.getExpectedTwilioSignature(TOKEN, new URL(longLead, PUBLIC_URL).toString(), params));
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    assert.match(res.body, /lead_id/);
    assert.equal(await countProviderEvents(tdb.db, 'twilio'), before);
  });

  test('a webhook whose secret is not configured answers 404', async () => {
    const bare = await buildApp({ leadIdSecret: TEST_LEAD_ID_SECRET, db: tdb.db, temporal: env.client, logger: createLogger('silent') });
    try {
      assert.equal(
        (await bare.inject({ method: 'POST', url: '/webhooks/sendgrid', payload: '[]', headers: { 'content-type': 'application/json' } })).statusCode,
        404,
      );
    } finally {
      await bare.close();
    }
  });
});
