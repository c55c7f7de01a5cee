// Twilio signs the exact URL it calls, so behind a proxy that mounts the API under a path prefix
// the webhook must rebuild that URL with the prefix (issue 11, finding 12). The round trip here
// uses no hand-made URL: the status callback is the one the production SMS sender (wiring/
// services.ts → activities/twilio/sender.ts) handed the Twilio stand-in, signed with twilio's own
// code as Twilio would, and delivered with the prefix stripped as the proxy would.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { buildApp } from '../../api/app.js';
import { appDepsFromConfig } from '../../bin/lib/app-deps.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { countProviderEvents } from '../../db/index.js';
import { leadServicesFromConfig, type LeadServices } from '../../wiring/services.js';
import { startTwilio } from '../helpers/standins/twilio.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

const TW = { sid: 'AC00000000000000000000000000000011', token: 'tw-prefix-token', from: '+14155550011' };
const PREFIX = '/leadflow';
const PUBLIC = `https://crm.example.com${PREFIX}/`;

describe('Twilio status callback behind a path prefix (API_PUBLIC_URL with a path)', () => {
  let tw: Awaited<ReturnType<typeof startTwilio>>;
  let tdb: TestDb;
  let app: FastifyInstance;
  let services: LeadServices;
  let dataDir = '';

  before(async () => {
    [tw, tdb, dataDir] = await Promise.all([
      startTwilio({ accountSid: TW.sid, authToken: TW.token }),
      openTestDb(),
      mkdtemp(path.join(os.tmpdir(), 'leadflow-twilio-prefix-')),
    ]);
    const config = loadConfig({
      LEADFLOW_DATA_DIR: dataDir,
      API_PUBLIC_URL: PUBLIC,
      TWILIO_ACCOUNT_SID: TW.sid,
      TWILIO_AUTH_TOKEN: TW.token,
      TWILIO_BASE_URL: tw.url,
      TWILIO_FROM: TW.from,
      LOG_LEVEL: 'silent',
    });
    services = await leadServicesFromConfig(config);
    // No lead exists for the callback, so the webhook stores the event and signals nothing: a
    // lazy connection that is never used keeps Temporal out of this test.
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    app = await buildApp(await appDepsFromConfig(config, tdb.db, temporal, createLogger('silent')));
  });
  after(async () => {
    await app?.close();
    await Promise.all([tw?.close(), tdb?.close()]);
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  /** The parameters Twilio POSTs to a status callback. */
  const statusParams = (sid: string, status: string) => ({
    AccountSid: TW.sid,
    ApiVersion: '2010-04-01',
    MessageSid: sid,
    SmsSid: sid,
    MessageStatus: status,
    SmsStatus: status,
    To: '+15555550111',
    From: TW.from,
  });

  /** What the proxy forwards: the same request with the prefix taken off the path. */
  const behindProxy = (publicUrl: string) => {
    const u = new URL(publicUrl);
    assert.ok(u.pathname.startsWith(`${PREFIX}/`), `the callback keeps the prefix: ${publicUrl}`);
    return `${u.pathname.slice(PREFIX.length)}${u.search}`;
  };

  const deliver = (url: string, params: Record<string, string>, signature: string) =>
    app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    });

  test('the URL the sender gave Twilio, signed by twilio and stripped of the prefix by the proxy, is accepted', async () => {
    const leadId = 'lead:abcdefghijklmnopqrstuvwxyz';
    const sent = await services.transports.sms.send({
      idempotencyKey: `${leadId}:step:2`,
      leadId,
      step: 2,
      channel: 'sms',
      to: '+15555550111',
      subject: null,
      text: 'Hi from the prefix test',
    });
    const callback = tw.accepted.find((m) => m.sid === sent.providerMessageId)?.statusCallback ?? '';
    const u = new URL(callback);
    assert.equal(`${u.origin}${u.pathname}`, `${PUBLIC}webhooks/twilio/status`);
    assert.deepEqual(Object.fromEntries(u.searchParams), { lead_id: leadId, step: '2', idempotencyKey: `${leadId}:step:2` });
    // Registry inboxes' SMS senders get their callback from the same builder.
    assert.equal(services.inboxRegistry?.twilioStatusCallbackUrl, `${PUBLIC}webhooks/twilio/status`);

    const params = statusParams(sent.providerMessageId ?? '', 'delivered');
    const signature = twilio.getExpectedTwilioSignature(TW.token, callback, params);
    assert.ok(twilio.validateRequest(TW.token, signature, callback, params), 'twilio itself accepts its signature for that URL');
    const before = await countProviderEvents(tdb.db, 'twilio');
    const res = await deliver(behindProxy(callback), params, signature);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 1, duplicates: 0, signalled: 0 });
    assert.equal(await countProviderEvents(tdb.db, 'twilio'), before + 1);
  });

  test('a signature over the URL without the prefix is refused: the check really covers the prefix', async () => {
    const leadId = 'lead:zyxwvutsrqponmlkjihgfedcba';
    const sent = await services.transports.sms.send({
      idempotencyKey: `${leadId}:step:1`,
      leadId,
      step: 1,
      channel: 'sms',
      to: '+15555550111',
      subject: null,
      text: 'Hi again',
    });
    const callback = tw.accepted.find((m) => m.sid === sent.providerMessageId)?.statusCallback ?? '';
    const forwarded = behindProxy(callback);
    const params = statusParams(sent.providerMessageId ?? '', 'delivered');
    const unprefixed = twilio.getExpectedTwilioSignature(TW.token, `https://crm.example.com${forwarded}`, params);
    const res = await deliver(forwarded, params, unprefixed);
    assert.equal(res.statusCode, 403, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  });
});
