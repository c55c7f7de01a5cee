// The codec server the Temporal Web UI decrypts payloads through: /codec/decode and /codec/encode
// with an API key, /codec/t/<token>/... with the codec access token, CORS for the UI's origin only,
// never open, and the token never in a log line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey } from '../../db/index.js';
import { AesGcmCodec, ENCRYPTED_ENCODING, type PayloadKey } from '../../temporal/codec.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';

const UI = 'http://127.0.0.1:8233';
const TOKEN = randomBytes(32).toString('base64url');
const WRONG = randomBytes(32).toString('base64url');
const current: PayloadKey = { id: 'k2', key: randomBytes(32) };
const previous: PayloadKey = { id: 'k1', key: randomBytes(32) };

type JsonPayload = { metadata?: Record<string, string>; data?: string };
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const meta = (p: JsonPayload | undefined, k: string) => Buffer.from(p?.metadata?.[k] ?? '', 'base64').toString('utf8');
const value = (p: JsonPayload | undefined): unknown => JSON.parse(Buffer.from(p?.data ?? '', 'base64').toString('utf8'));

describe('codec server for the Web UI', () => {
  let stack: DevStack;
  let app: FastifyInstance;
  let read: Record<string, string>;
  const logLines: string[] = [];

  before(async () => {
    stack = await startDevStack();
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    });
    app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: stack.tdb.db,
      temporal: stack.env.client,
      logger: createLogger('info', 'api', sink),
      codec: { keys: [current, previous], accessTokens: [TOKEN], allowedOrigins: [UI] },
    });
    read = { authorization: `Bearer ${(await createApiKey(stack.tdb.db, 'codec-read', ['read'])).key}` };
  });
  after(async () => {
    await app?.close();
    await stack?.stop();
  });

  const post = (url: string, payloads: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      payload: JSON.stringify({ payloads }),
    });
  const payloadsOf = (res: LightMyRequestResponse) => {
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ payloads: JsonPayload[] }>().payloads;
  };
  const problem = (res: LightMyRequestResponse, status: number) => {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    return res.json<{ detail: string; instance: string; keyId?: string }>();
  };
  const lead = { email: 'jane@example.com', firstName: 'Jane', nested: { phone: '+14155550123' } };
  const encryptedWith = async (keys: PayloadKey[], v: unknown) => toJson((await new AesGcmCodec(keys).encode([defaultPayloadConverter.toPayload(v)]))[0]!);

  test('decode turns what the workers encrypted (with an older key too) into the plaintext JSON', async () => {
    const byOld = await encryptedWith([previous], lead);
    const byNew = await encryptedWith([current], 'second');
    assert.equal(meta(byOld, 'encoding'), ENCRYPTED_ENCODING);
    assert.ok(!Buffer.from(byOld.data!, 'base64').toString('latin1').includes('jane@'), 'the stored form is ciphertext');
    const plain = toJson(defaultPayloadConverter.toPayload(42));
    const out = payloadsOf(await post('/codec/decode', [byOld, byNew, plain], read));
    assert.equal(out.length, 3);
    assert.equal(meta(out[0], 'encoding'), 'json/plain');
    assert.deepEqual(value(out[0]), lead);
    assert.equal(value(out[1]), 'second');
    assert.deepEqual(out[2], plain, 'a payload that is not ours passes through as sent');
  });

  test('encode encrypts with the newest key, and decode reads it back', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload({ typedInTheUi: true }));
    const [enc] = payloadsOf(await post('/codec/encode', [plain], read));
    assert.equal(meta(enc, 'encoding'), ENCRYPTED_ENCODING);
    assert.equal(meta(enc, 'encryption-key-id'), 'k2');
    const [dec] = payloadsOf(await post('/codec/decode', [enc], read));
    assert.deepEqual(dec, plain);
  });

  test('never open: no credential, an unknown key or a wrong token is a 401', async () => {
    const enc = await encryptedWith([current], lead);
    for (const url of ['/codec/decode', '/codec/encode']) {
      const none = problem(await post(url, [enc]), 401);
      assert.match(none.detail, /API key|access token/);
      problem(await post(url, [enc], { authorization: 'Bearer lf_not-a-key' }), 401);
    }
    const wrong = problem(await post(`/codec/t/${WRONG}/decode`, [enc]), 401);
    assert.ok(!JSON.stringify(wrong).includes(WRONG), 'the problem does not echo the presented token');
    assert.equal(wrong.instance, '/codec/t/[redacted]/decode');
    problem(await post('/codec/t//decode', [enc]), 401);
  });

  test('the access token works in the path (the dev UI) and as a bearer; an API key works in the path too', async () => {
    const enc = await encryptedWith([current], lead);
    assert.deepEqual(value(payloadsOf(await post(`/codec/t/${TOKEN}/decode`, [enc]))[0]), lead);
    assert.deepEqual(value(payloadsOf(await post('/codec/decode', [enc], { authorization: `Bearer ${TOKEN}` }))[0]), lead);
    const [reEnc] = payloadsOf(await post(`/codec/t/${TOKEN}/encode`, [toJson(defaultPayloadConverter.toPayload('x'))]));
    assert.equal(meta(reEnc, 'encryption-key-id'), 'k2');
    const key = read.authorization!.replace('Bearer ', '');
    assert.deepEqual(value(payloadsOf(await post(`/codec/t/${key}/decode`, [enc]))[0]), lead);
  });

  test('an unknown key id or a tampered payload is a 400 naming the key; a malformed body a 400', async () => {
    const stranger = await encryptedWith([{ id: 'gone-2024', key: randomBytes(32) }], lead);
    const unknown = problem(await post('/codec/decode', [stranger], read), 400);
    assert.match(unknown.detail, /"gone-2024"/);
    assert.equal(unknown.keyId, 'gone-2024');
    const tampered = await encryptedWith([current], lead);
    const bytes = Buffer.from(tampered.data!, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    const bad = problem(await post(`/codec/t/${TOKEN}/decode`, [{ ...tampered, data: bytes.toString('base64') }]), 400);
    assert.match(bad.detail, /"k2"/);
    assert.ok(!JSON.stringify(bad).includes(TOKEN));
    problem(await app.inject({ method: 'POST', url: '/codec/decode', headers: { ...read, 'content-type': 'application/json' }, payload: '{"payloads":' }), 400);
    problem(await app.inject({ method: 'POST', url: '/codec/decode', headers: { ...read, 'content-type': 'application/json' }, payload: '{"items":[]}' }), 400);
    problem(await post('/codec/decode', [{ data: 'not base64!' }], read), 400);
    problem(await post('/codec/decode', 'nope', read), 400);
  });

  test('CORS: a preflight from the UI origin is allowed without a key; another origin gets no CORS headers', async () => {
    for (const url of ['/codec/decode', `/codec/t/${TOKEN}/decode`, `/codec/t/${WRONG}/encode`]) {
      const ok = await app.inject({
        method: 'OPTIONS',
        url,
        headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
      });
      assert.equal(ok.statusCode, 204, ok.body);
      assert.equal(ok.headers['access-control-allow-origin'], UI);
      const allowed = String(ok.headers['access-control-allow-headers'])
        .split(',')
        .map((h) => h.trim().toLowerCase());
      for (const h of ['content-type', 'authorization', 'x-namespace']) assert.ok(allowed.includes(h), `${h} allowed: ${allowed.join(',')}`);
      assert.match(String(ok.headers['access-control-allow-methods']), /POST/);

      const other = await app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      assert.equal(other.headers['access-control-allow-headers'], undefined);
    }
    const enc = await encryptedWith([current], lead);
    const fromUi = await post(`/codec/t/${TOKEN}/decode`, [enc], { origin: UI });
    assert.equal(fromUi.headers['access-control-allow-origin'], UI);
    const fromElsewhere = await post(`/codec/t/${TOKEN}/decode`, [enc], { origin: 'https://evil.example' });
    assert.equal(fromElsewhere.headers['access-control-allow-origin'], undefined);
    const refused = await post('/codec/decode', [enc], { origin: UI });
    problem(refused, 401);
    assert.equal(refused.headers['access-control-allow-origin'], UI, 'a refusal is readable by the UI');
  });

  test('OpenAPI documents the bearer form only', async () => {
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(doc.statusCode, 200);
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    assert.ok(paths.includes('/codec/decode') && paths.includes('/codec/encode'), paths.join(' '));
    assert.ok(!paths.some((p) => p.startsWith('/codec/t/')));
  });

  test('the token never reaches the logs (request lines show the path redacted)', async () => {
    await post(`/codec/t/${TOKEN}/decode`, [await encryptedWith([current], lead)]);
    await app.inject({ method: 'GET', url: `/codec/t/${TOKEN}/nowhere` });
    const logs = logLines.join('');
    assert.ok(logs.includes('/codec/t/[redacted]/decode'), 'codec requests are logged');
    assert.ok(!logs.includes(TOKEN), 'the access token is never logged');
    assert.ok(!logs.includes(WRONG), 'nor a wrong one');
    assert.ok(!logs.includes('jane@example.com'), 'nor a decrypted payload');
  });
});
