// The drafter through the real openai SDK against the stand-in: the structured-output request,
// and every road to the template fallback (no key, API failure after retries, timeout, bad output).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { register } from 'prom-client';
import type { DraftContext } from '../../domain/messages/draft-types.js';
import { createDrafter, type DrafterConfig } from '../../activities/ai/drafter.js';
import { LIMITS } from '../../domain/messages/validate.js';
import { startOpenAI } from '../helpers/standins/openai.js';

const KEY = 'sk-provider-test';
type StandIn = Awaited<ReturnType<typeof startOpenAI>>;

const ctx = (over: Partial<DraftContext> = {}): DraftContext => ({
  channel: 'email',
  step: 1,
  lead: { firstName: 'Ana', lastName: 'Buyer', vehicles: [{ year: 2024, make: 'Honda', model: 'Civic' }], comments: 'Is it still available?' },
  dealerName: 'Harbor Honda',
  conversation: [{ from: 'lead', text: 'Is it still available?' }],
  ...over,
});
const json = (subject: string | null, body: string) => JSON.stringify({ subject, body });

describe('AI drafter', () => {
  let ai: StandIn;
  let openai: NonNullable<DrafterConfig['openai']>;
  before(async () => {
    ai = await startOpenAI({ apiKey: KEY });
    openai = { apiKey: KEY, baseUrl: `${ai.url}/v1`, model: 'gpt-4o-mini', timeoutMs: 2000, maxRetries: 2 };
  });
  after(async () => {
    await ai.close();
  });

  test('ai path: structured-output request, validated answer', async () => {
    ai.completions.push(json('Your 2024 Honda Civic', 'Hi Ana,\n\nYes, the Civic is still available. When would you like a test drive?\n\nHarbor Honda'));
    const draft = await createDrafter({ openai }).draft(ctx());
    assert.deepEqual(draft, {
      subject: 'Your 2024 Honda Civic',
      body: 'Hi Ana,\n\nYes, the Civic is still available. When would you like a test drive?\n\nHarbor Honda',
      path: 'ai',
    });
    const req = ai.requests.at(-1);
    assert.equal(req?.path, '/v1/chat/completions');
    assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
    const body = JSON.parse(req?.body ?? '{}') as {
      model: string;
      messages: Array<{ role: string; content: string }>;
      response_format: { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[] } } };
    };
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.response_format.type, 'json_schema');
    assert.equal(body.response_format.json_schema.strict, true);
    assert.deepEqual(body.response_format.json_schema.schema.required, ['subject', 'body']);
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['system', 'user'],
    );
    assert.match(body.messages[1]?.content ?? '', /"vehicleOfInterest":"2024 Honda Civic"/);
  });

  test('no key: template per channel with the variables filled', async () => {
    const drafter = createDrafter({});
    const email = await drafter.draft(ctx());
    assert.equal(email.path, 'template');
    assert.equal(email.reason, 'no_api_key');
    assert.equal(email.subject, 'Your 2024 Honda Civic enquiry at Harbor Honda');
    assert.match(email.body, /^Hi Ana,/);
    assert.match(email.body, /2024 Honda Civic/);
    const sms = await drafter.draft(ctx({ channel: 'sms', step: 2, lead: { firstName: null, lastName: null, vehicles: [], comments: null } }));
    assert.equal(sms.subject, null);
    assert.equal(sms.body, 'Hi there, are you still looking? Harbor Honda is happy to answer any questions. Reply STOP to opt out.');
    assert.ok(sms.body.length <= LIMITS.smsBody);
    // No vehicle named: texts written without one, never a stand-in noun in the vehicle's slot.
    const bare = { firstName: 'Ana', lastName: null, vehicles: [], comments: null };
    const first = await drafter.draft(ctx({ lead: bare }));
    assert.equal(first.subject, 'Your enquiry at Harbor Honda');
    assert.match(first.body, /^Hi Ana,\n\nThanks for getting in touch\./);
    assert.equal((await drafter.draft(ctx({ step: 2, lead: bare }))).subject, 'Following up on your enquiry at Harbor Honda');
    assert.doesNotMatch(`${first.subject}\n${first.body}`, /vehicle you asked about/);
  });

  test('AI 500 after retries: template with reason ai_error', async () => {
    const before = ai.requests.length;
    ai.faults.push({ status: 500 }, { status: 500 }, { status: 500 });
    const draft = await createDrafter({ openai }).draft(ctx());
    assert.equal(draft.path, 'template');
    assert.equal(draft.reason, 'ai_error');
    assert.match(draft.detail ?? '', /HTTP 500/);
    assert.equal(ai.requests.length - before, 3, 'the SDK tried once and retried twice');
  });

  test('429 then success: the SDK retry recovers and the AI path wins', async () => {
    const before = ai.requests.length;
    ai.faults.push({ status: 429 });
    ai.completions.push(json(null, 'Hi Ana, the Civic is here and ready for a test drive. Reply STOP to opt out.'));
    const draft = await createDrafter({ openai }).draft(ctx({ channel: 'sms' }));
    assert.equal(draft.path, 'ai');
    assert.equal(draft.subject, null);
    assert.equal(ai.requests.length - before, 2);
  });

  test('a bad key (401) is not retried and falls back', async () => {
    const before = ai.requests.length;
    const draft = await createDrafter({ openai: { ...openai, apiKey: 'sk-wrong' } }).draft(ctx());
    assert.equal(draft.reason, 'ai_error');
    assert.match(draft.detail ?? '', /HTTP 401/);
    assert.equal(ai.requests.length - before, 1);
  });

  test('output that misses the vehicle, says a banned phrase or is too long fails validation', async () => {
    const drafter = createDrafter({ openai });
    ai.completions.push(
      json('Your new car', 'Hi Ana, thanks for reaching out! When can you come by?'),
      json('Your 2024 Civic', 'Hi Ana, the Civic comes with guaranteed approval!'),
      json(null, `Hi Ana, the Civic ${'is great '.repeat(40)}`),
      'not json at all',
    );
    const missing = await drafter.draft(ctx());
    assert.equal(missing.path, 'template');
    assert.equal(missing.reason, 'validation');
    assert.match(missing.detail ?? '', /Civic/);
    assert.match(missing.body, /2024 Honda Civic/);
    assert.match((await drafter.draft(ctx())).detail ?? '', /banned phrase "guaranteed approval"/);
    assert.match((await drafter.draft(ctx({ channel: 'sms' }))).detail ?? '', /over the sms limit of 320/);
    assert.equal((await drafter.draft(ctx())).reason, 'validation');
  });

  test('a slow model times out to the template', async () => {
    ai.faults.push({ status: 500, delayMs: 1500 });
    const draft = await createDrafter({ openai: { ...openai, timeoutMs: 200, maxRetries: 0 } }).draft(ctx());
    assert.equal(draft.path, 'template');
    assert.equal(draft.reason, 'ai_timeout');
  });

  test('latency lands in the ai_response_latency_ms histogram on the default registry', async () => {
    const text = await register.getSingleMetricAsString('ai_response_latency_ms');
    assert.match(text, /ai_response_latency_ms_count\{outcome="ok",channel="email"\} [1-9]/);
    assert.match(text, /ai_response_latency_ms_count\{outcome="invalid",channel="email"\} [1-9]/);
    assert.match(text, /ai_response_latency_ms_count\{outcome="timeout",channel="email"\} 1/);
  });
});
