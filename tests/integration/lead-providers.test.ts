// The whole loop on real parts: API → lead workflow (dev server) → real openai / @sendgrid/mail /
// twilio clients → local stand-ins → signed provider webhooks → API → lead workflow signals →
// lead state. Also one-click unsubscribe, needs_attention → retry, and pause/resume over the API.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { buildApp } from '../../api/app.js';
import { appDepsFromConfig } from '../../bin/lib/app-deps.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey, findSuppression, listLeadEvents } from '../../db/index.js';
import { leadHandle } from '../../temporal/lead-client.js';
import { freePort } from '../../temporal/net.js';
import { leadServicesFromConfig } from '../../wiring/services.js';
import type { LeadState } from '../../workflows/lead/contract.js';
import { startOpenAI } from '../helpers/standins/openai.js';
import { startSendGrid } from '../helpers/standins/sendgrid.js';
import { startTwilio } from '../helpers/standins/twilio.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { uniqueName } from '../helpers/temporal.js';

const TW = { sid: 'AC00000000000000000000000000000001', token: 'tw-token', from: '+14155550000' };
const AI_DRAFT = {
  subject: 'Your 2024 Subaru Outback',
  body: 'Hi Jane, the 2024 Subaru Outback is here and ready for a test drive. When suits you? — Acme Motors',
};

describe('lead workflow with real provider clients and signed webhooks', () => {
  let stack: DevStack;
  let app: FastifyInstance;
  let dataDir: string;
  let sg: Awaited<ReturnType<typeof startSendGrid>>;
  let tw: Awaited<ReturnType<typeof startTwilio>>;
  let ai: Awaited<ReturnType<typeof startOpenAI>>;
  let headers: Record<string, string>;
  let publicUrl: string;

  before(async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}/`;
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadflow-providers-'));
    [sg, tw, ai] = await Promise.all([
      startSendGrid({
        apiKey: 'SG.test-key',
        eventWebhook: {
          url: `${publicUrl}webhooks/sendgrid`,
          privateKey: keys.privateKey,
          outcome: (to) =>
            to.startsWith('bounce-')
              ? [{ event: 'bounce', type: 'bounce', bounce_classification: 'Invalid Address', reason: '550 5.1.1 no such user' }]
              : [{ event: 'delivered' }],
        },
      }),
      startTwilio({ accountSid: TW.sid, authToken: TW.token }),
      startOpenAI({ apiKey: 'sk-test', defaultContent: JSON.stringify(AI_DRAFT) }),
    ]);
    const config = loadConfig({
      LEADFLOW_DATA_DIR: dataDir,
      API_PUBLIC_URL: publicUrl,
      SENDER_EMAIL: 'sales@acme.test',
      LEADFLOW_SENDER_NAME: 'Acme Motors',
      SENDER_POSTAL_ADDRESS: '1 Main St, Springfield',
      SENDGRID_API_KEY: 'SG.test-key',
      SENDGRID_BASE_URL: sg.url,
      SENDGRID_WEBHOOK_PUBLIC_KEY: keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      TWILIO_ACCOUNT_SID: TW.sid,
      TWILIO_AUTH_TOKEN: TW.token,
      TWILIO_BASE_URL: tw.url,
      TWILIO_FROM: TW.from,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${ai.url}/v1`,
    });
    // Everything from configuration except DNS: the MX lookup uses the offline fake from testServices.
    const { resolveMx: _dns, ...services } = await leadServicesFromConfig(config);
    stack = await startDevStack({ leadWorker: { services } });
    app = await buildApp(await appDepsFromConfig(config, stack.tdb.db, stack.env.client, createLogger('silent')));
    await app.listen({ host: '127.0.0.1', port });
    headers = { authorization: `Bearer ${(await createApiKey(stack.tdb.db, 'ops', ['read', 'write'])).key}` };
  });
  after(async () => {
    await app?.close();
    await stack?.stop();
    await Promise.all([sg, tw, ai].map((s) => s?.close()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    fetch(new URL(url, publicUrl), {
      method,
      headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  async function submit(contact: Record<string, string | null>): Promise<string> {
    const res = await api('POST', '/leads', {
      source: 'dealer-website',
      externalId: uniqueName('pp'),
      contact: { firstName: 'Jane', lastName: 'Doe', ...contact },
      payload: { vehicle: { year: 2024, make: 'Subaru', model: 'Outback' } },
    });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { leadId: string }).leadId;
  }
  async function stateOf(leadId: string, ok: (s: LeadState) => boolean, what: string): Promise<LeadState> {
    let last: LeadState | null = null;
    for (let i = 0; i < 300; i++) {
      const res = await api('GET', `/leads/${encodeURIComponent(leadId)}`);
      if (res.status === 200) last = ((await res.json()) as { state: LeadState | null }).state;
      if (last !== null && ok(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`${leadId}: never ${what}; last state ${JSON.stringify(last)}`);
  }
  const mailTo = async (address: string) => {
    for (let i = 0; i < 200 && !sg.accepted.some((m) => m.to === address); i++) await new Promise((r) => setTimeout(r, 50));
    const mail = sg.accepted.find((m) => m.to === address);
    assert.ok(mail, `SendGrid never received mail to ${address}`);
    return mail;
  };

  test('AI draft sent once through SendGrid with unsubscribe headers; the signed delivered event reaches the lead; one-click unsubscribe ends it', async () => {
    const address = `${uniqueName('jane')}@example.com`;
    const leadId = await submit({ email: address });
    const mail = await mailTo(address);
    const body = mail.body as { subject: string; headers: Record<string, string>; custom_args: Record<string, string>; content: Array<{ value: string }> };
    assert.equal(body.subject, AI_DRAFT.subject);
    assert.match(body.content[0]?.value ?? '', /^Hi Jane, the 2024 Subaru Outback is here[\s\S]*1 Main St, Springfield$/);
    assert.deepEqual(
      { lead: body.custom_args.lead_id, step: body.custom_args.step, key: body.custom_args.idempotency_key },
      { lead: leadId, step: '1', key: `${leadId}:step:1` },
    );
    assert.equal(body.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    // The lean path writes the lead's timeline at its next wait, a moment after the send returns.
    let drafted: Awaited<ReturnType<typeof listLeadEvents>>[number] | undefined;
    for (let i = 0; i < 100 && drafted === undefined; i++) {
      drafted = (await listLeadEvents(stack.tdb.db, leadId)).find((e) => e.type === 'drafted');
      if (drafted === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(drafted?.detail.path, 'ai');

    await stateOf(leadId, (s) => s.timeline?.some((t) => t.type === 'delivered') === true, 'saw the delivered webhook');
    const unsubscribeUrl = /^<([^>]+)>$/.exec(body.headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    assert.ok(unsubscribeUrl.startsWith(`${publicUrl}unsubscribe/`));
    assert.equal((await fetch(unsubscribeUrl)).status, 200, 'GET shows a confirmation page');
    assert.equal(await findSuppression(stack.tdb.db, address), undefined, 'and does not unsubscribe by itself');
    const tampered = await fetch(`${unsubscribeUrl.slice(0, -2)}xx`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(tampered.status, 404);
    const res = await fetch(unsubscribeUrl, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 200);
    assert.equal((await leadHandle(stack.env.client, leadId).result()).status, 'unsubscribed');
    assert.equal((await findSuppression(stack.tdb.db, address))?.reason, 'unsubscribe');
    assert.equal(sg.accepted.filter((m) => m.to === address).length, 1);
  });

  test('a hard bounce from the SendGrid event webhook ends the lead and suppresses the address', async () => {
    const address = `bounce-${uniqueName('x')}@example.com`;
    const leadId = await submit({ email: address });
    assert.equal((await leadHandle(stack.env.client, leadId).result()).status, 'bounced');
    const list = (await (await api('GET', '/suppressions')).json()) as { items: Array<{ address: string; reason: string }> };
    assert.deepEqual(list.items.find((i) => i.address === address)?.reason, 'hard_bounce');
  });

  test('SMS through Twilio: the signed status callback and an inbound STOP reach the lead', async () => {
    const phone = '+14155552671';
    const leadId = await submit({ email: null, phone });
    const forLead = () =>
      tw.requests.map((r) => new URLSearchParams(r.body)).find((f) => new URL(f.get('StatusCallback') ?? 'x:/').searchParams.get('lead_id') === leadId);
    for (let i = 0; i < 200 && forLead() === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    const sent = forLead() ?? new URLSearchParams();
    assert.equal(sent.get('To'), phone);
    assert.equal(sent.get('From'), TW.from);
    const callback = sent.get('StatusCallback') ?? '';
    assert.equal(new URL(callback).searchParams.get('lead_id'), leadId);

    const post = async (url: string, params: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        body: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(TW.token, url, params) },
      });
    const status = await post(callback, { MessageSid: 'SM0001', MessageStatus: 'delivered', To: phone });
    assert.equal(status.status, 200, await status.clone().text());
    await stateOf(leadId, (s) => s.timeline?.some((t) => t.type === 'delivered') === true, 'saw the SMS delivered callback');
    const inbound = await post(`${publicUrl}webhooks/twilio/inbound`, { MessageSid: 'SM0002', From: phone, To: TW.from, Body: 'STOP' });
    assert.equal(inbound.status, 200);
    assert.equal((await leadHandle(stack.env.client, leadId).result()).status, 'unsubscribed');
    assert.equal((await findSuppression(stack.tdb.db, phone))?.channel, 'sms');
  });

  test('a permanent SendGrid 400 puts the lead in needs_attention; the API retry with a fixed address sends; pause and resume work', async () => {
    sg.faults.push({ status: 400, code: 'personalizations.0.to.0.email', message: 'Does not contain a valid address.' });
    const leadId = await submit({ email: `${uniqueName('typo')}@example.com` });
    const stuck = await stateOf(leadId, (s) => s.status === 'needs_attention', 'needs_attention');
    assert.match(stuck.attention ?? '', /Does not contain a valid address/);
    const fixed = `${uniqueName('fixed')}@example.com`;
    assert.equal((await api('POST', `/leads/${encodeURIComponent(leadId)}/retry`, { email: 'not-an-email' })).status, 400);
    assert.equal((await api('POST', `/leads/${encodeURIComponent(leadId)}/retry`, { email: fixed })).status, 202);
    await mailTo(fixed);
    await stateOf(leadId, (s) => s.status === 'waiting' && s.stepsSent === 1, 'waiting after the retry');
    assert.equal((await api('POST', `/leads/${encodeURIComponent(leadId)}/pause`, { reason: 'dealer on holiday' })).status, 202);
    await stateOf(leadId, (s) => s.status === 'paused', 'paused');
    assert.equal((await api('POST', `/leads/${encodeURIComponent(leadId)}/resume`, {})).status, 202);
    await stateOf(leadId, (s) => s.status === 'waiting', 'waiting after resume');
    const outbox = (await (await api('GET', `/outbox?lead=${encodeURIComponent(leadId)}`)).json()) as { items: Array<{ status: string; recipient: string }> };
    assert.deepEqual(outbox.items.map((i) => i.status).sort(), ['failed', 'sent']);
    assert.equal((await api('POST', `/leads/${encodeURIComponent(leadId)}/stop`, { reason: 'test done' })).status, 202);
    assert.equal((await leadHandle(stack.env.client, leadId).result()).status, 'stopped');
    assert.equal((await api('POST', '/leads/lead%3Anope/pause', { reason: 'x' })).status, 404);
  });
});
