// The SendGrid adapter through the real @sendgrid/mail client against the v3 stand-in: the exact
// request it sends, and how each kind of refusal is classified for the lead workflow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PermanentSendError, TransientSendError } from '../../activities/send/errors.js';
import { createSendGridSender, type SendGridMessage } from '../../activities/sendgrid/sender.js';
import { startSendGrid } from '../helpers/standins/sendgrid.js';

const KEY = 'SG.provider-test-key';
type StandIn = Awaited<ReturnType<typeof startSendGrid>>;

const message = (over: Partial<SendGridMessage> = {}): SendGridMessage => ({
  to: 'ana.buyer@example.com',
  from: { email: 'sales@dealer.example', name: 'Dealer Sales' },
  replyTo: 'replies@dealer.example',
  subject: 'Your 2024 Honda Civic',
  text: 'Hi Ana, the Civic is available.',
  html: '<p>Hi Ana, the Civic is available.</p>',
  headers: { 'List-Unsubscribe': '<https://dealer.example/u/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  customArgs: { leadId: 'lead-42', step: '1' },
  idempotencyKey: 'lead-42:step-1',
  ...over,
});

describe('SendGrid sender', () => {
  let sg: StandIn;
  before(async () => {
    sg = await startSendGrid({ apiKey: KEY });
  });
  after(async () => {
    await sg.close();
  });
  const lastBody = () => JSON.parse(sg.requests.at(-1)?.body ?? 'null') as Record<string, unknown>;

  test('sends the v3 mail/send shape and returns X-Message-Id', async () => {
    const sender = createSendGridSender({ apiKey: KEY, baseUrl: sg.url });
    const result = await sender.send(message());
    assert.match(result.providerMessageId ?? '', /^[A-Za-z0-9_-]{22}$/);
    const req = sg.requests.at(-1);
    assert.equal(req?.method, 'POST');
    assert.equal(req?.path, '/v3/mail/send');
    assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(lastBody(), {
      from: { email: 'sales@dealer.example', name: 'Dealer Sales' },
      subject: 'Your 2024 Honda Civic',
      personalizations: [{ to: [{ email: 'ana.buyer@example.com' }] }],
      content: [
        { type: 'text/plain', value: 'Hi Ana, the Civic is available.' },
        { type: 'text/html', value: '<p>Hi Ana, the Civic is available.</p>' },
      ],
      reply_to: { email: 'replies@dealer.example' },
      headers: { 'List-Unsubscribe': '<https://dealer.example/u/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      custom_args: { leadId: 'lead-42', step: '1', idempotency_key: 'lead-42:step-1' },
    });
  });

  test('sandbox mode is sent as mail_settings and yields no message ID', async () => {
    const sender = createSendGridSender({ apiKey: KEY, baseUrl: sg.url, sandbox: true });
    assert.deepEqual(await sender.send(message()), { providerMessageId: null });
    assert.deepEqual(lastBody().mail_settings, { sandbox_mode: { enable: true } });
  });

  test('a 400 for an invalid address is permanent and names the field', async () => {
    const sender = createSendGridSender({ apiKey: KEY, baseUrl: sg.url });
    const err = await sender.send(message({ to: 'not-an-address' })).catch((e: unknown) => e);
    assert.ok(err instanceof PermanentSendError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'personalizations.0.to.0.email');
    assert.match(err.providerMessage, /valid address/);
    assert.equal(err.name, 'PermanentSendError');
  });

  test('a bad API key (401) is permanent', async () => {
    const sender = createSendGridSender({ apiKey: 'SG.wrong', baseUrl: sg.url });
    const err = await sender.send(message()).catch((e: unknown) => e);
    assert.ok(err instanceof PermanentSendError, String(err));
    assert.equal(err.status, 401);
    assert.match(err.providerMessage, /authorization grant/);
  });

  test('429 with Retry-After is transient and carries the wait', async () => {
    sg.faults.push({ status: 429, retryAfter: 7 });
    const err = await createSendGridSender({ apiKey: KEY, baseUrl: sg.url })
      .send(message())
      .catch((e: unknown) => e);
    assert.ok(err instanceof TransientSendError, String(err));
    assert.equal(err.status, 429);
    assert.equal(err.retryAfterMs, 7000);
  });

  test('500 and 503 are transient; 413 is permanent; faults are consumed in order', async () => {
    sg.faults.push({ status: 500 }, { status: 503 }, { status: 413 });
    const sender = createSendGridSender({ apiKey: KEY, baseUrl: sg.url });
    const errors = [];
    for (let i = 0; i < 4; i++)
      errors.push(
        await sender.send(message()).then(
          (r) => r,
          (e: unknown) => e,
        ),
      );
    assert.ok(errors[0] instanceof TransientSendError && errors[0].status === 500 && errors[0].retryAfterMs === null);
    assert.ok(errors[1] instanceof TransientSendError && errors[1].status === 503);
    assert.ok(errors[2] instanceof PermanentSendError && errors[2].status === 413);
    assert.match((errors[3] as { providerMessageId: string }).providerMessageId, /^[A-Za-z0-9_-]{22}$/);
  });

  test('nothing listening is a transient network error', async () => {
    const dead = await startSendGrid({ apiKey: KEY });
    await dead.close();
    const err = await createSendGridSender({ apiKey: KEY, baseUrl: dead.url })
      .send(message())
      .catch((e: unknown) => e);
    assert.ok(err instanceof TransientSendError, String(err));
    assert.equal(err.code, 'ECONNREFUSED');
  });

  test('the stand-in refuses what SendGrid refuses: non-string custom_args, missing content, no recipients', async () => {
    const post = (body: unknown) =>
      fetch(`${sg.url}/v3/mail/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { errors: Array<{ field: string | null }> } }));
    const base = {
      personalizations: [{ to: [{ email: 'a@example.com' }] }],
      from: { email: 'sales@dealer.example' },
      subject: 's',
      content: [{ type: 'text/plain', value: 't' }],
    };
    const fields = async (body: unknown) => {
      const r = await post(body);
      assert.equal(r.status, 400);
      return r.body.errors.map((e) => e.field);
    };
    assert.deepEqual(await fields({ ...base, custom_args: { step: 1 } }), ['custom_args.step']);
    assert.deepEqual(await fields({ ...base, content: [] }), ['content']);
    assert.deepEqual(await fields({ ...base, personalizations: [{ to: [] }] }), ['personalizations.0.to']);
    assert.deepEqual(await fields({ ...base, from: { email: 'nope' } }), ['from.email']);
    // A template carries its own subject and content.
    const { subject: _s, content: _c, ...templated } = base;
    assert.equal(
      (
        await fetch(`${sg.url}/v3/mail/send`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ ...templated, template_id: 'd-123' }),
        })
      ).status,
      202,
    );
  });
});
