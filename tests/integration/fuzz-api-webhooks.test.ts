// Property-based fuzzing of the provider webhooks against real servers
// (tests/helpers/fuzz/api-world.ts): SendGrid's Event Webhook and Twilio's status callbacks and
// inbound SMS, validly signed (so the fuzz reaches what the signatures protect) with bodies and
// parameters of any shape, and unsigned, forged, tampered or stale, which must be refused and store
// nothing. Each answer passes the checks of tests/helpers/fuzz/api-exchange.ts (never 5xx,
// problem+json, in time, a refusal writes nothing). FUZZ_RUNS scales the runs, FUZZ_SEED /
// FUZZ_PATH replay a failure.
import assert from 'node:assert/strict';
import { randomUUID, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import twilio from 'twilio';
import { publicUrl } from '../../domain/links.js';
import type { Req } from '../helpers/fuzz/api-exchange.js';
import { PUBLIC_URL, TWILIO_TOKEN, useApiFuzz, type ApiFuzzWorld } from '../helpers/fuzz/api-world.js';
import { anyBody, asBuffer, email, field, phone, withExtras } from '../helpers/fuzz/bodies.js';
import { fuzzOptions, hugeString, nastyString, preview } from '../helpers/fuzz/support.js';
import { BAD_ESCAPES, headerValue, pct, queryString } from '../helpers/fuzz/wire.js';

describe('API fuzzing: provider webhooks', () => {
  const f = useApiFuzz();

  const sgHeaders = (body: Buffer, o: { key?: ApiFuzzWorld['sgKeys']; ts?: string } = {}) => {
    const ts = o.ts ?? String(Math.floor(Date.now() / 1000));
    const sig = sign('sha256', Buffer.concat([Buffer.from(ts), body]), (o.key ?? f.sgKeys).privateKey).toString('base64');
    return { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': sig, 'x-twilio-email-event-webhook-timestamp': ts };
  };
  const SG_EVENTS = [
    'delivered',
    'open',
    'click',
    'bounce',
    'dropped',
    'deferred',
    'processed',
    'spamreport',
    'unsubscribe',
    'group_unsubscribe',
    'group_resubscribe',
  ];
  const sgEvent = withExtras(
    fc.record(
      {
        sg_event_id: field(fc.oneof(fc.uuid(), nastyString(30)), 8),
        event: field(fc.constantFrom(...SG_EVENTS), 8),
        lead_id: fc.option(
          fc.oneof(
            fc.nat({ max: 1 }).map((i) => f.targets[i] ?? ''),
            nastyString(30),
          ),
          { freq: 2 },
        ),
        email: fc.option(fc.oneof(email, nastyString(30))),
        timestamp: fc.option(fc.oneof(fc.integer(), fc.string())),
        step: fc.option(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('1', '2.5', 'x', '1e3'), nastyString(5))),
        type: fc.option(fc.constantFrom('bounce', 'blocked', 'x')),
        reason: fc.option(fc.oneof(nastyString(80), hugeString)),
        bounce_classification: fc.option(fc.constantFrom('reputation', 'content', 'technical', 'Mailbox Unavailable', 'x')),
        sg_message_id: fc.option(nastyString(30)),
      },
      { requiredKeys: [] },
    ),
  );

  test('SendGrid webhook: validly signed bodies of any shape', async () => {
    const body = fc.oneof(
      { arbitrary: fc.array(sgEvent, { maxLength: 4 }).map((e) => Buffer.from(JSON.stringify(e))), weight: 6 },
      { arbitrary: anyBody.map(asBuffer), weight: 2 },
      // Escapes JSON.stringify never writes: a NUL or a lone surrogate spelled by hand.
      {
        arbitrary: fc
          .tuple(fc.constantFrom('\\u0000', '\\ud800', '\\udfff', '\\u0000\\u0000'), fc.constantFrom('sg_event_id', 'event', 'reason', 'nested'))
          .map(([esc, at]) =>
            Buffer.from(
              at === 'nested'
                ? `[{"sg_event_id":"${randomUUID()}","event":"open","extra":{"k":"a${esc}b"}}]`
                : `[{"sg_event_id":"${randomUUID()}","event":"open",${JSON.stringify(at)}:"a${esc}b"}]`,
            ),
          ),
        weight: 1,
      },
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        let events = 0;
        try {
          const parsed: unknown = JSON.parse(raw.toString('utf8'));
          events = Array.isArray(parsed) ? parsed.length : 0;
        } catch {
          /* not JSON: refused */
        }
        const res = await f.exchange(
          { method: 'POST', url: '/webhooks/sendgrid', headers: sgHeaders(raw), payload: raw },
          {
            writes: (status) => (status === 200 ? { provider_events: [0, events], lead_events: [0, events] } : {}),
          },
        );
        assert.ok(
          res.statusCode === 200 || res.statusCode === 400,
          `a signed delivery is stored or refused as malformed, not ${res.statusCode}: ${preview(res.body)}`,
        );
        if (res.statusCode === 200) {
          // Every event of an acknowledged batch is accounted for: stored, a duplicate, or refused by name.
          const r = res.json<{ accepted: number; duplicates: number; refused?: unknown[] }>();
          assert.equal(r.accepted + r.duplicates + (r.refused?.length ?? 0), events, `events of ${preview(raw)}: ${preview(res.body)}`);
        }
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('SendGrid webhook: unsigned, forged, tampered and stale deliveries are refused and store nothing', async () => {
    const forgery = fc.record({
      body: fc.oneof(
        fc.array(sgEvent, { minLength: 1, maxLength: 2 }).map((e) => Buffer.from(JSON.stringify(e))),
        anyBody.map(asBuffer),
      ),
      how: fc.constantFrom('unsigned', 'other-key', 'tampered', 'stale', 'future', 'bad-ts', 'garbage-sig', 'no-ts'),
      ts: fc.oneof(fc.constantFrom('', '-1', '1e3', ' 1', '0x10', '99999999999999999999', 'NaN'), headerValue),
      sig: headerValue,
    });
    await fc.assert(
      fc.asyncProperty(forgery, async (fg) => {
        const now = Math.floor(Date.now() / 1000);
        const h: Record<string, string> = sgHeaders(
          fg.body,
          fg.how === 'other-key'
            ? { key: f.otherKeys }
            : fg.how === 'stale'
              ? { ts: String(now - 3600) }
              : fg.how === 'future'
                ? { ts: String(now + 3600) }
                : {},
        );
        let payload = fg.body;
        if (fg.how === 'unsigned') delete h['x-twilio-email-event-webhook-signature'];
        if (fg.how === 'no-ts') delete h['x-twilio-email-event-webhook-timestamp'];
        if (fg.how === 'tampered') payload = Buffer.concat([fg.body, Buffer.from(' ')]);
        if (fg.how === 'bad-ts') h['x-twilio-email-event-webhook-timestamp'] = fg.ts;
        if (fg.how === 'garbage-sig') h['x-twilio-email-event-webhook-signature'] = fg.sig;
        const res = await f.exchange({ method: 'POST', url: '/webhooks/sendgrid', headers: h, payload });
        assert.ok(res.statusCode === 401 || res.statusCode === 403, `a ${fg.how} delivery answered ${res.statusCode}: ${preview(res.body)}`);
      }),
      fuzzOptions(120, 20_000),
    );
  });

  const TWILIO_PARAMS = ['MessageSid', 'MessageStatus', 'ErrorCode', 'From', 'To', 'Body', 'AccountSid', 'SmsSid', 'NumMedia'];
  const twilioParams = fc
    .tuple(
      fc.record(
        {
          MessageSid: field(fc.stringMatching(/^SM[0-9a-f]{32}$/), 6),
          MessageStatus: field(fc.constantFrom('delivered', 'undelivered', 'failed', 'sent', 'queued'), 6),
          ErrorCode: fc.option(fc.oneof(fc.constantFrom('21211', '21610', '30007', '30005', ''), nastyString(6))),
          From: fc.option(fc.oneof(fc.constant('__target__'), phone, nastyString(20))),
          To: fc.option(phone),
          Body: fc.option(fc.oneof(fc.constantFrom('STOP', 'stop ', 'yes please', 'Call me back'), nastyString(160), hugeString)),
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(fc.oneof(fc.constantFrom(...TWILIO_PARAMS), nastyString(10)), nastyString(40), { maxKeys: 3 }),
    )
    .map(([known, extra]) => {
      const entries: Array<[string, string]> = [];
      for (const [k, v] of Object.entries({ ...extra, ...known })) if (typeof v === 'string') entries.push([k, v === '__target__' ? f.targetPhone : v]);
      return entries;
    });
  /** The form body, as a client encodes it or as raw garbage; and the parameters the server will read from it. */
  const twilioForm = fc.oneof(
    { arbitrary: twilioParams.map((e) => new URLSearchParams(e).toString()), weight: 5 },
    {
      arbitrary: fc
        .tuple(
          twilioParams,
          fc.array(fc.constantFrom(...BAD_ESCAPES, '&', '=', '+', '&&', 'MessageSid=', 'MessageSid=%00', 'From=%00'), { minLength: 1, maxLength: 4 }),
        )
        .map(([e, junk]) => `${new URLSearchParams(e).toString()}&${junk.join('')}`),
      weight: 2,
    },
  );
  const twilioPath = fc.oneof(
    { arbitrary: fc.constant('/webhooks/twilio/inbound'), weight: 3 },
    {
      arbitrary: fc
        .tuple(
          fc.option(
            fc.oneof(
              fc.nat({ max: 1 }).map((i) => f.targets[i] ?? ''),
              nastyString(30),
            ),
          ),
          fc.option(fc.oneof(fc.constantFrom('1', '2', '0', '-1', 'x'), nastyString(6))),
          fc.option(queryString),
        )
        .map(([lead, step, extra]) => {
          const q = [lead === null ? '' : `lead_id=${pct(lead)}`, step === null ? '' : `step=${pct(step)}`, extra === null ? '' : extra.replace(/^\?/, '')]
            .filter((p) => p !== '')
            .join('&');
          return `/webhooks/twilio/status${q === '' ? '' : `?${q}`}`;
        }),
      weight: 3,
    },
  );
  const twilioRequest = (p: string, form: string, signature: string | null): Req => ({
    method: 'POST',
    url: p,
    payload: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== null && { 'x-twilio-signature': signature }) },
  });
  /** The URL Twilio was given (and signs), and the request target it then sends. */
  const twilioTarget = (p: string) => {
    const url = publicUrl(PUBLIC_URL, p);
    const u = new URL(url);
    return { url, target: `${u.pathname}${u.search}` };
  };

  test('Twilio webhooks: validly signed status callbacks and inbound SMS with any parameters', async () => {
    await fc.assert(
      fc.asyncProperty(twilioPath, twilioForm, async (p, form) => {
        const { url, target } = twilioTarget(p);
        const params = Object.fromEntries(new URLSearchParams(form));
        const res = await f.exchange(twilioRequest(target, form, twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params)), {
          writes: (status) => (status === 200 ? { provider_events: [0, 1], lead_events: [0, 1] } : {}),
        });
        assert.ok(
          res.statusCode === 200 || res.statusCode === 400,
          `a signed callback is stored or refused as incomplete, not ${res.statusCode}: ${preview(res.body)}`,
        );
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('Twilio webhooks: unsigned and forged requests are refused and store nothing', async () => {
    const how = fc.constantFrom('unsigned', 'other-token', 'other-url', 'other-params', 'garbage');
    await fc.assert(
      fc.asyncProperty(twilioPath, twilioForm, how, headerValue, async (p, form, h, garbage) => {
        const { url, target } = twilioTarget(p);
        const params = Object.fromEntries(new URLSearchParams(form));
        const signature =
          h === 'unsigned'
            ? null
            : h === 'other-token'
              ? twilio.getExpectedTwilioSignature('not-the-token', url, params)
              : h === 'other-url'
                ? twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `https://attacker.example${target}`, params)
                : h === 'other-params'
                  ? twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, { ...params, Injected: 'x' })
                  : garbage;
        const res = await f.exchange(twilioRequest(target, form, signature));
        // 400: the input checks refused the request target before the signature was looked at.
        assert.ok([400, 401, 403].includes(res.statusCode), `a ${h} request answered ${res.statusCode}: ${preview(res.body)}`);
      }),
      fuzzOptions(120, 20_000),
    );
  });

  test('summary; every lead the fuzz got accepted (202) becomes readable once a worker runs', (t) => f.acceptedBecomeReadable(t));
});
