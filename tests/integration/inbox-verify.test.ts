// The login check before an inbox is stored, for the HTTP providers: SendGrid's GET /v3/scopes and
// Twilio's account fetch against their stand-ins (the real client libraries), each failure naming
// the field an operator must fix.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyInboxConnection } from '../../activities/inboxes/verify.js';
import { freePort } from '../../temporal/net.js';
import { startSendGrid } from '../helpers/standins/sendgrid.js';
import { startTwilio } from '../helpers/standins/twilio.js';
import type { StandIn } from '../helpers/standins/http.js';

const SID = `AC${'1'.repeat(32)}`;

describe('inbox verification: SendGrid and Twilio', () => {
  let sg: StandIn;
  let narrow: StandIn;
  let tw: StandIn;
  before(async () => {
    [sg, narrow, tw] = await Promise.all([
      startSendGrid({ apiKey: 'SG.good' }),
      startSendGrid({ apiKey: 'SG.narrow', scopes: ['stats.read'] }),
      startTwilio({ accountSid: SID, authToken: 'tw-token' }),
    ]);
  });
  after(async () => {
    await Promise.all([sg?.close(), narrow?.close(), tw?.close()]);
  });

  const sendgrid = (apiKey: string, baseUrl: string) => verifyInboxConnection('sendgrid', { sendgrid: { apiKey, baseUrl } }, { timeoutMs: 3000 });
  const twilio = (accountSid: string, authToken: string, baseUrl: string) =>
    verifyInboxConnection('sms', { twilio: { accountSid, authToken, baseUrl } }, { timeoutMs: 3000 });

  test('SendGrid: a key with mail.send passes; a refused key, a key without the scope and no answer name their field', async () => {
    assert.equal(await sendgrid('SG.good', sg.url), null);
    assert.equal((await sendgrid('SG.bad', sg.url))?.field, 'sendgrid.apiKey');
    assert.match((await sendgrid('SG.narrow', narrow.url))?.message ?? '', /mail\.send/);
    assert.equal((await sendgrid('SG.good', `http://127.0.0.1:${await freePort()}`))?.field, 'sendgrid.baseUrl');
  });

  test('Twilio: the account fetch passes; a wrong token or unknown account names its field', async () => {
    assert.equal(await twilio(SID, 'tw-token', tw.url), null);
    assert.equal((await twilio(SID, 'wrong', tw.url))?.field, 'twilio.authToken');
    assert.equal((await twilio(`AC${'2'.repeat(32)}`, 'tw-token', tw.url))?.field, 'twilio.authToken', 'Twilio authenticates before it looks the account up');
    assert.equal((await twilio(SID, 'tw-token', `http://127.0.0.1:${await freePort()}`))?.field, 'twilio.baseUrl');
  });
});
