// What a hostile probe of the API found, each as a test that failed before its fix: NUL and
// invalid UTF-8 accepted (then never stored), unknown fields dropped silently, bodies too deep
// or too large answered 500, framework errors outside problem+json, no rate limit before
// authentication, malleable link tokens, a sniffable raw download, and a Twilio signature check
// that broke behind a path prefix.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { claimOutbox, createApiKey, listLeadEvents, upsertLead } from '../../db/index.js';
import { unsubscribeToken } from '../../domain/tokens/signed-token.js';
import { uniqueName } from '../helpers/temporal.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';

const SECRET = 'hardening-test-secret-0123456789abcdef';
const PREFIXED = 'https://crm.example.com/leadflow/';
const TWILIO_TOKEN = 'twilio-auth-token-hardening';

describe('API hardening', () => {
  let stack: DevStack;
  let app: FastifyInstance;
  let write: Record<string, string>;

  before(async () => {
    stack = await startDevStack();
    app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: stack.tdb.db,
      temporal: stack.env.client,
      logger: createLogger('silent'),
      unsubscribeSecret: SECRET,
      webhooks: { twilioAuthToken: TWILIO_TOKEN, publicUrl: PREFIXED },
    });
    write = { authorization: `Bearer ${(await createApiKey(stack.tdb.db, 'hardening', ['write'])).key}` };
  });
  after(async () => {
    await app?.close();
    await stack?.stop();
  });

  const postLead = (payload: string | object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/leads',
      headers: { ...write, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const lead = (extra: Record<string, unknown> = {}) => ({ source: 'probe', externalId: uniqueName('h'), contact: { email: 'probe@example.com' }, ...extra });
  const problem = (res: Awaited<ReturnType<typeof postLead>>) => {
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, res.body);
    return res.json<{ status: number; detail: string; errors?: Array<{ field: string; message?: string }> }>();
  };

  test('a NUL in a body field, a query parameter or a path is a 400 naming where', async () => {
    const inName = await postLead(lead({ contact: { email: 'probe@example.com', firstName: 'a\u0000b' } }));
    assert.equal(inName.statusCode, 400);
    assert.equal(problem(inName).errors?.[0]?.field, '/contact/firstName');
    const inPayload = await postLead(lead({ payload: { notes: ['ok', 'x\u0000'] } }));
    assert.equal(inPayload.statusCode, 400);
    assert.equal(problem(inPayload).errors?.[0]?.field, '/payload/notes/1');
    for (const url of ['/leads?q=a%00b', '/leads?status=%00', '/outbox?lead=x%00', '/leads/lead%3Ax%00', '/salespeople/%00']) {
      const res = await app.inject({ method: 'GET', url, headers: write });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.match(problem(res).detail, /NUL/);
    }
  });

  test('what the fuzzer found: an unbounded offset, a NUL quoted into a quarantine reason, a denied write without its audit row', async () => {
    for (const offset of ['1e20', '9223372036854775807']) {
      const res = await app.inject({ method: 'GET', url: `/leads?offset=${offset}`, headers: write });
      assert.equal(res.statusCode, 400, `offset ${offset}: ${res.body}`);
    }
    const adf = await app.inject({
      method: 'POST',
      url: '/leads/adf',
      headers: { ...write, 'content-type': 'application/xml' },
      payload: Buffer.from('<?adf version="1.0"?>\u0000<adf><prospect>'),
    });
    assert.ok(adf.statusCode === 422 || adf.statusCode === 400, `${adf.statusCode}: ${adf.body}`);
    const admin = { authorization: `Bearer ${(await createApiKey(stack.tdb.db, 'auditor', ['admin'])).key}` };
    assert.equal((await app.inject({ method: 'POST', url: '/leads/lead%3Anul%00x/stop', headers: write, payload: { reason: 'x' } })).statusCode, 400);
    const audit = (await app.inject({ method: 'GET', url: '/audit?limit=50', headers: admin })).json<{
      items: Array<{ target: string | null; status: number }>;
    }>().items;
    assert.ok(
      audit.some((e) => e.status === 400 && (e.target ?? '').includes('lead:nul')),
      'the refused write is audited',
    );
  });

  test('what the fuzzer found: paging numbers that are not finite (ajv coerces "Infinity" and skips its bounds) are a 400 naming them', async () => {
    for (const url of [
      '/leads?limit=Infinity',
      '/leads?limit=-Infinity&offset=0',
      '/leads?offset=1e400',
      '/quarantine?limit=1e999',
      '/outbox?offset=Infinity',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: write });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.match(problem(res).detail, /^query parameter "(limit|offset)" must be a finite number$/);
      assert.match(problem(res).errors?.[0]?.field ?? '', /^query\.(limit|offset)$/);
    }
  });

  test('what the fuzzer found: an e-mail whose In-Reply-To or References carry a NUL is kept as unmatched, not a 500', async () => {
    for (const header of ['In-Reply-To: <\u00003f2a9c@acme.test>', 'References: <a@acme.test> <b\u0000@acme.test>']) {
      const mail = `From: Jane <jane@example.com>\r\nTo: sales@acme.test\r\nSubject: Re: your offer\r\nMessage-ID: <m\u0000${uniqueName('nul')}@example.com>\r\n${header}\r\n\r\nYes, call me.\r\n`;
      const res = await app.inject({ method: 'POST', url: '/leads/adf', headers: { ...write, 'content-type': 'message/rfc822' }, payload: Buffer.from(mail) });
      assert.equal(res.statusCode, 422, `${header}: ${res.body}`);
      assert.equal(res.json<{ code: string }>().code, 'unmatched-inbound');
    }
  });

  test('invalid UTF-8 in a JSON body is a 400 naming the field, not a lead with U+FFFD', async () => {
    const body = Buffer.concat([
      Buffer.from(`{"source":"probe","externalId":"${uniqueName('u')}","contact":{"email":"p@example.com","lastName":"a`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    const res = await postLead(body.toString('latin1'), {});
    const raw = await app.inject({ method: 'POST', url: '/leads', headers: { ...write, 'content-type': 'application/json' }, payload: body });
    assert.equal(raw.statusCode, 400, raw.body);
    assert.equal(problem(raw).errors?.[0]?.field, '/contact/lastName');
    assert.equal(res.statusCode, 202, 'the same text sent as valid UTF-8 (latin1 re-encoded) is fine');
    const badQuery = await app.inject({ method: 'GET', url: '/leads?q=%C3%28', headers: write });
    assert.equal(badQuery.statusCode, 400);
    assert.equal(problem(badQuery).errors?.[0]?.field, 'query.q');
  });

  test('unknown body fields and query parameters are refused, not dropped', async () => {
    const res = await postLead(lead({ campaign: 'vip', isAdmin: true }));
    assert.equal(res.statusCode, 400);
    assert.match(JSON.stringify(problem(res)), /additional|campaign|isAdmin/i);
    const typo = await app.inject({ method: 'GET', url: '/leads?stauts=x', headers: write });
    assert.equal(typo.statusCode, 400);
    assert.match(JSON.stringify(problem(typo)), /stauts|additional/i);
  });

  test('a body nested 5,000 deep is a 400 and a 3 MB payload a 413, both before Temporal is called', async () => {
    const deep = `{"source":"probe","contact":{"email":"p@example.com"},"payload":{"d":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const d = await postLead(deep);
    assert.equal(d.statusCode, 400, d.body);
    assert.match(problem(d).detail, /nested deeper/);
    const big = await postLead(lead({ payload: { blob: 'x'.repeat(3 * 1024 * 1024) } }));
    assert.equal(big.statusCode, 413, big.body.slice(0, 300));
    problem(big);
  });

  test('framework errors are problem+json: bad URL, over-long parameter, unsupported media type', async () => {
    const badUrl = await app.inject({ method: 'GET', url: '/leads/%E0%A4%A', headers: write });
    assert.equal(badUrl.statusCode, 400);
    problem(badUrl);
    const long = await app.inject({ method: 'GET', url: `/leads/${'x'.repeat(2000)}`, headers: write });
    assert.equal(long.statusCode, 414);
    problem(long);
    const text = await app.inject({ method: 'POST', url: '/leads', headers: { ...write, 'content-type': 'text/plain' }, payload: 'hello' });
    assert.equal(text.statusCode, 415);
    problem(text);
  });

  test('identities that grow past their bound when lower-cased are refused at intake', async () => {
    const res = await postLead(lead({ campaignId: 'İ'.repeat(60) }));
    assert.equal(res.statusCode, 400);
    assert.equal(problem(res).errors?.[0]?.field, '/campaignId');
  });

  test('every answer carries the security headers; a quarantined original is served nosniff', async () => {
    const adf = await app.inject({
      method: 'POST',
      url: '/leads/adf',
      headers: { ...write, 'content-type': 'application/xml' },
      payload: '<html><script>alert(1)</script></html>',
    });
    assert.equal(adf.statusCode, 422);
    const id = adf.json<{ quarantineId: string }>().quarantineId;
    const raw = await app.inject({ method: 'GET', url: `/quarantine/${id}/raw`, headers: write });
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.headers['x-content-type-options'], 'nosniff');
    assert.ok(raw.headers['content-security-policy'], 'a CSP is set');
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).headers['x-content-type-options'], 'nosniff');
  });

  test('an unsubscribe token with anything appended is refused, and one lead unsubscribes once', async () => {
    const leadId = `lead:probe:id:${uniqueName('unsub')}`;
    const address = `${uniqueName('u')}@example.com`;
    await upsertLead(stack.tdb.db, { id: leadId, source: 'probe', email: address, payload: {} });
    const token = unsubscribeToken(SECRET, { leadId, address });
    assert.equal(token.length, 24);
    await claimOutbox(stack.tdb.db, {
      idempotencyKey: `${leadId}:step:1`,
      leadId,
      step: 1,
      channel: 'email',
      provider: 'local',
      recipient: address,
      subject: 's',
      body: 'b',
      unsubscribeToken: token,
    });
    for (const suffix of ['!', '=', '*', 'A', '%20']) {
      assert.equal((await app.inject({ method: 'POST', url: `/unsubscribe/${token}${suffix}` })).statusCode, 404, `suffix ${suffix}`);
    }
    for (let i = 0; i < 3; i++)
      assert.equal(
        (
          await app.inject({
            method: 'POST',
            url: `/unsubscribe/${token}`,
            payload: 'List-Unsubscribe=One-Click',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
        ).statusCode,
        200,
      );
    const events = (await listLeadEvents(stack.tdb.db, leadId)).filter((e) => e.type === 'unsubscribe');
    assert.equal(events.length, 1);
  });

  test('Twilio signatures verify behind a path prefix in API_PUBLIC_URL', async () => {
    const params = { MessageSid: `SM${uniqueName('t').replace(/\W/g, '')}`, MessageStatus: 'delivered', To: '+15555550100' };
    const path = '/webhooks/twilio/status?lead_id=lead%3Aprobe%3Aid%3Ax&step=1';
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PREFIXED}${path.slice(1)}`, params);
    const res = await app.inject({
      method: 'POST',
      url: path,
      payload: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    });
    assert.notEqual(res.statusCode, 403, res.body);
    assert.ok(res.statusCode < 300, res.body);
  });

  test('requests are limited by address before authentication, webhooks and links included', async () => {
    const limited = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: stack.tdb.db,
      temporal: stack.env.client,
      logger: createLogger('silent'),
      rateLimitPerMinute: 1000,
      rateLimitPerAddressPerMinute: 20,
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 25; i++)
        codes.push((await limited.inject({ method: 'GET', url: '/leads', headers: { authorization: 'Bearer not-a-key' } })).statusCode);
      assert.deepEqual(codes.slice(0, 20), Array(20).fill(401));
      assert.deepEqual(codes.slice(20), Array(5).fill(429), 'bad keys meet the address limit');
      const link = await limited.inject({ method: 'GET', url: '/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAA' });
      assert.equal(link.statusCode, 429, 'token links are limited too');
      assert.ok(Number(link.headers['retry-after']) > 0);
      const hook = await limited.inject({ method: 'POST', url: '/webhooks/sendgrid', payload: '[]', headers: { 'content-type': 'application/json' } });
      assert.equal(hook.statusCode, 429, 'and webhooks');
      const other = await limited.inject({ method: 'GET', url: '/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAA', remoteAddress: '127.0.0.9' });
      assert.equal(other.statusCode, 404, 'another address has its own bucket');
    } finally {
      await limited.close();
    }
  });
});
