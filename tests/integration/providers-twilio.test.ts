// The Twilio SMS adapter through the real `twilio` client (its 2010-04-01 domain re-pointed at
// the stand-in): the form it posts, the SM sid it returns, and the error classification.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PermanentSendError, TransientSendError, UnknownOutcomeSendError } from '../../activities/send/errors.js';
import { createTwilioSender, type TwilioConfig } from '../../activities/twilio/sender.js';
import { startTwilio } from '../helpers/standins/twilio.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'tw-provider-token';
type StandIn = Awaited<ReturnType<typeof startTwilio>>;

describe('Twilio sender', () => {
  let tw: StandIn;
  let config: TwilioConfig;
  before(async () => {
    tw = await startTwilio({ accountSid: SID, authToken: TOKEN, unsubscribed: ['+15005550009'] });
    config = { accountSid: SID, authToken: TOKEN, baseUrl: tw.url, from: '+15005550006', statusCallbackUrl: 'https://hooks.dealer.example/twilio/status' };
  });
  after(async () => {
    await tw.close();
  });
  const sms = {
    to: '+14155550123',
    body: 'Hi Ana, the Civic is available. Reply STOP to opt out.',
    idempotencyKey: 'lead-42:step-2',
    statusCallbackParams: { leadId: 'lead-42', step: '2' },
  };
  const failure = (cfg: TwilioConfig, over: Partial<typeof sms> = {}) =>
    createTwilioSender(cfg)
      .send({ ...sms, ...over })
      .then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );

  test('posts the form Twilio expects and returns the SM sid', async () => {
    const result = await createTwilioSender(config).send(sms);
    assert.match(result.providerMessageId, /^SM[0-9a-f]{32}$/);
    assert.equal(result.status, 'queued');
    const req = tw.requests.at(-1);
    assert.equal(req?.method, 'POST');
    assert.equal(req?.path, `/2010-04-01/Accounts/${SID}/Messages.json`);
    assert.equal(req?.headers.authorization, 'Basic ' + Buffer.from(`${SID}:${TOKEN}`).toString('base64'));
    assert.equal(req?.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = Object.fromEntries(new URLSearchParams(req?.body));
    assert.deepEqual(form, {
      To: '+14155550123',
      From: '+15005550006',
      Body: sms.body,
      StatusCallback: 'https://hooks.dealer.example/twilio/status?leadId=lead-42&step=2&idempotencyKey=lead-42%3Astep-2',
    });
  });

  test('a messaging service replaces From', async () => {
    const result = await createTwilioSender({
      accountSid: SID,
      authToken: TOKEN,
      baseUrl: tw.url,
      messagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    }).send(sms);
    assert.equal(result.status, 'accepted');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(tw.requests.at(-1)?.body)), {
      To: '+14155550123',
      Body: sms.body,
      MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    });
  });

  test('21211 invalid To and 21610 unsubscribed are permanent with their codes', async () => {
    const invalid = await failure(config, { to: '555-0123' });
    assert.ok(invalid instanceof PermanentSendError, String(invalid));
    assert.equal(invalid.code, 21211);
    assert.equal(invalid.status, 400);
    const stopped = await failure(config, { to: '+15005550009' });
    assert.ok(stopped instanceof PermanentSendError, String(stopped));
    assert.equal(stopped.code, 21610);
    assert.match(stopped.providerMessage, /unsubscribed recipient/);
  });

  test('a wrong auth token is permanent (20003)', async () => {
    const err = await failure({ ...config, authToken: 'wrong' });
    assert.ok(err instanceof PermanentSendError, String(err));
    assert.equal(err.code, 20003);
    assert.equal(err.status, 401);
  });

  test('429 with Retry-After is transient with the wait; without it still transient', async () => {
    tw.faults.push({ status: 429, retryAfter: 3 }, { status: 429 });
    const withWait = await failure(config);
    assert.ok(withWait instanceof TransientSendError, String(withWait));
    assert.equal(withWait.code, 20429);
    assert.equal(withWait.retryAfterMs, 3000);
    const without = await failure(config);
    assert.ok(without instanceof TransientSendError, String(without));
    assert.equal(without.code, 20429);
    assert.equal(without.retryAfterMs, null);
  });

  test('5xx is transient, then the next request succeeds', async () => {
    tw.faults.push({ status: 500 }, { status: 503 });
    const e500 = await failure(config);
    const e503 = await failure(config);
    assert.ok(e500 instanceof TransientSendError && e500.status === 500, String(e500));
    assert.ok(e503 instanceof TransientSendError && e503.status === 503, String(e503));
    assert.match((await createTwilioSender(config).send(sms)).providerMessageId, /^SM/);
  });

  test('a timeout after the request left is an unknown outcome, not a transient refusal', async () => {
    tw.faults.push({ status: 500, delayMs: 2000 });
    const err = await failure({ ...config, timeoutMs: 200 });
    assert.ok(err instanceof UnknownOutcomeSendError, String(err));
    assert.equal(err.name, 'SendOutcomePending');
  });
});
