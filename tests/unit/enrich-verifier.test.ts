// The external e-mail verifier adapter against a local HTTP stand-in that speaks the documented
// contract (POST {email} with a bearer key -> {status}), plus its failure modes: 5xx, garbage,
// a server that never answers, and nobody listening.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createEnrichActivities } from '../../activities/enrich/index.js';
import { createEmailVerifier } from '../../activities/enrich/verifier.js';

const API_KEY = 'test-key-123';

interface Seen {
  method: string;
  path: string;
  auth: string | undefined;
  type: string | undefined;
  body: unknown;
}

/** Routes by the local part of the address being verified, so each test picks its behaviour. */
function standIn(seen: Seen[]) {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      const body = JSON.parse(text) as { email: string };
      seen.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, type: req.headers['content-type'], body });
      if (req.headers.authorization !== `Bearer ${API_KEY}`) {
        res.writeHead(401).end('{"error":"unauthorized"}');
        return;
      }
      const reply = (status: number, payload: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(payload);
      const local = body.email.split('@')[0];
      switch (local) {
        case 'good':
          return reply(200, JSON.stringify({ status: 'deliverable', score: 0.98 }));
        case 'gone':
          return reply(200, JSON.stringify({ status: 'invalid' }));
        case 'catchall':
          return reply(200, JSON.stringify({ status: 'catch-all' }));
        case 'odd':
          return reply(200, JSON.stringify({ status: 'greylisted' }));
        case 'nostatus':
          return reply(200, JSON.stringify({ result: 'ok' }));
        case 'garbage':
          return reply(200, '<html>not json</html>');
        case 'crash':
          return reply(500, '{"error":"internal"}');
        case 'hang':
          return; // never answers: the adapter's timeout must cut it
        default:
          return reply(200, JSON.stringify({ status: 'unknown' }));
      }
    });
  });
}

describe('e-mail verifier adapter', () => {
  const seen: Seen[] = [];
  let server: Server;
  let url = '';

  before(async () => {
    server = standIn(seen);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verify`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('ok: sends the documented request and maps the status', async () => {
    const verify = createEmailVerifier({ url, apiKey: API_KEY });
    assert.deepEqual(await verify('good@example.com'), { status: 'deliverable', raw: 'deliverable' });
    assert.deepEqual(seen.at(-1), {
      method: 'POST',
      path: '/v1/verify',
      auth: `Bearer ${API_KEY}`,
      type: 'application/json',
      body: { email: 'good@example.com' },
    });
  });

  test('vendor synonyms map; unrecognised answers are unknown with the text kept', async () => {
    const verify = createEmailVerifier({ url, apiKey: API_KEY });
    assert.deepEqual(await verify('gone@example.com'), { status: 'undeliverable', raw: 'invalid' });
    assert.deepEqual(await verify('catchall@example.com'), { status: 'risky', raw: 'catch-all' });
    assert.deepEqual(await verify('odd@example.com'), { status: 'unknown', raw: 'greylisted' });
    assert.deepEqual(await verify('nostatus@example.com'), { status: 'unknown', raw: 'no status in response' });
  });

  test('500, 401 and a non-JSON body give unknown, never a throw', async () => {
    const verify = createEmailVerifier({ url, apiKey: API_KEY });
    assert.deepEqual(await verify('crash@example.com'), { status: 'unknown', raw: 'http 500' });
    assert.deepEqual(await verify('garbage@example.com'), { status: 'unknown', raw: 'invalid json' });
    assert.deepEqual(await createEmailVerifier({ url, apiKey: 'wrong' })('good@example.com'), { status: 'unknown', raw: 'http 401' });
  });

  test('timeout: a server that never answers is cut off', async () => {
    const verify = createEmailVerifier({ url, apiKey: API_KEY, timeoutMs: 150 });
    const started = performance.now();
    assert.deepEqual(await verify('hang@example.com'), { status: 'unknown', raw: 'timeout' });
    assert.ok(performance.now() - started < 2_000);
  });

  test('nobody listening: unknown', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const verify = createEmailVerifier({ url: `http://127.0.0.1:${port}/`, apiKey: API_KEY });
    assert.deepEqual(await verify('good@example.com'), { status: 'unknown', raw: 'request failed' });
  });

  test('enrichLead asks the verifier only when the domain can take mail', async () => {
    const resolveMx = async (domain: string) => {
      if (domain === 'example.com') return [{ exchange: 'mx.example.com', priority: 10 }];
      throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
    };
    const { enrichLead } = createEnrichActivities({ resolveMx, verifier: { url, apiKey: API_KEY } });
    const before = seen.length;
    const good = await enrichLead({ email: 'good@example.com', phone: null, vehicles: [] });
    assert.deepEqual(good.email?.verifier, { status: 'deliverable', raw: 'deliverable' });
    const dead = await enrichLead({ email: 'good@no-such-domain.example', phone: null, vehicles: [] });
    assert.deepEqual([dead.email?.mx, dead.email?.verifier], ['none', null]);
    assert.equal(seen.length, before + 1);
  });
});
