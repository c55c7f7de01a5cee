// Property-based fuzzing of what is read, and of anything else a client can send, against real
// servers (tests/helpers/fuzz/api-world.ts): every list and read route with any query string,
// leads, quarantine items, inboxes and campaigns by any id, the detail of a lead whose workflow no
// worker polls, the codec server the Temporal Web UI decrypts through (any credential, origin and
// payloads), and any method on any path with any headers and body. Each answer passes the checks of
// tests/helpers/fuzz/api-exchange.ts (never 5xx, problem+json, in time, a refusal writes nothing).
// FUZZ_RUNS scales the runs, FUZZ_SEED / FUZZ_PATH replay a failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LEAD_STATE_QUERY_MS } from '../../api/routes/leads.js';
import { withType, type Method } from '../helpers/fuzz/api-exchange.js';
import { useApiFuzz } from '../helpers/fuzz/api-world.js';
import { anyBody } from '../helpers/fuzz/bodies.js';
import { CODEC_TOKEN, UI_ORIGIN } from '../helpers/fuzz/api-world.js';
import { codecBody, encryptedPayloads } from '../helpers/fuzz/registry-bodies.js';
import { fuzzOptions, preview } from '../helpers/fuzz/support.js';
import { contentType, headerValue, pathParam, pct, queryString, routable } from '../helpers/fuzz/wire.js';

describe('API fuzzing: reads and anything else', () => {
  const f = useApiFuzz();

  test('lists and read routes: any query string', async () => {
    const route = fc.constantFrom(
      '/leads',
      '/quarantine',
      '/audit',
      '/outbox',
      '/suppressions',
      '/salespeople',
      '/inboxes',
      '/campaigns',
      '/stats',
      '/control',
      '/health',
      '/metrics',
      '/docs/json',
    );
    const unlisted = ['/health', '/metrics', '/docs/json', '/stats', '/control'];
    const who = fc.constantFrom<'admin' | 'read'>('admin', 'admin', 'read');
    await fc.assert(
      fc.asyncProperty(route, queryString, who, fc.constantFrom<Method>('GET', 'GET', 'GET', 'HEAD'), async (r, qs, w, method) => {
        const res = await f.exchange({ method, url: `${r}${qs}`, headers: f.auth[w] });
        if (res.statusCode === 200 && method === 'GET' && !unlisted.includes(r)) {
          const b = res.json<{ items?: unknown[]; limit?: number }>();
          assert.ok(Array.isArray(b.items), `${r}${qs}: no items`);
          if (b.limit !== undefined) assert.ok(b.items.length <= b.limit, `${r}${qs}: more items than the limit`);
        }
      }),
      fuzzOptions(350, 20_000),
    );
  });

  test('path parameters: leads, quarantine items, inboxes and campaigns by any id', async () => {
    const route = fc.constantFrom(
      { method: 'GET' as const, tpl: '/leads/:id' },
      { method: 'GET' as const, tpl: '/quarantine/:id' },
      { method: 'GET' as const, tpl: '/quarantine/:id/raw' },
      { method: 'POST' as const, tpl: '/quarantine/:id/retry' },
      { method: 'HEAD' as const, tpl: '/leads/:id' },
      { method: 'GET' as const, tpl: '/inboxes/:id' },
      { method: 'GET' as const, tpl: '/inboxes/:id/health' },
      { method: 'GET' as const, tpl: '/campaigns/:id' },
      { method: 'HEAD' as const, tpl: '/campaigns/:id' },
      { method: 'GET' as const, tpl: '/campaigns/:id/stats' },
      { method: 'GET' as const, tpl: `/campaigns/${f.campaignIds[1] ?? ''}/imports/:id` },
    );
    // Not the target leads: their detail waits for the state query (the next property). The running
    // campaign's detail waits up to a second for its workflow, which no worker polls.
    const known = () => [f.quarantineId, ...f.inboxIds, ...f.campaignIds, f.importId, randomUUID(), randomUUID().toUpperCase(), `${randomUUID()}x`];
    const id = fc.oneof({ arbitrary: pathParam, weight: 5 }, { arbitrary: fc.constantFrom(...known()).map(pct), weight: 2 });
    await fc.assert(
      fc.asyncProperty(route, id, queryString, async (r, i, qs) => {
        const url = `${r.tpl.replace(':id', i)}${qs}`;
        await f.exchange({ method: r.method, url, headers: f.auth.write }, { auditRow: r.method === 'POST' && routable(url) });
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('GET /leads/:id of a stored lead whose workflow no worker polls (a worker down or backlogged) answers in time', async () => {
    // The detail reads the lead's live state with a workflow query; the DB view must answer without it.
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1 }), fc.constantFrom<Method>('GET', 'HEAD'), async (i, method) => {
        const res = await f.exchange({ method, url: `/leads/${pct(f.targets[i] ?? '')}`, headers: f.auth.read }, { maxMs: LEAD_STATE_QUERY_MS + 2000 });
        assert.equal(res.statusCode, 200, `the stored view of a target lead: ${res.body}`);
        if (method === 'GET') assert.match(res.json<{ stateError: string | null }>().stateError ?? '', /^live state unavailable/);
      }),
      fuzzOptions(4, 15_000),
    );
  });

  test('codec server: decode and encode with any credential, origin and payloads', async () => {
    const encrypted = await encryptedPayloads([{ leadId: 'lead:x', email: 'jane@example.com' }, 'plain text', 42]);
    const mutate = (t: string) => fc.nat().map((at) => `${t.slice(0, at % t.length)}${t.slice((at % t.length) + 1)}`);
    const credential = fc.oneof(
      fc.constantFrom(CODEC_TOKEN, (f.auth.read.authorization ?? '').slice(7), (f.auth.admin.authorization ?? '').slice(7)),
      mutate(CODEC_TOKEN),
      fc.constantFrom('', 'Bearer', `${CODEC_TOKEN}x`),
      pathParam,
    );
    const req = fc.record({
      form: fc.constantFrom('header', 'x-api-key', 'path', 'none'),
      credential,
      op: fc.constantFrom('decode', 'encode', 'decode', 'other/x'),
      method: fc.constantFrom<Method>('POST', 'POST', 'POST', 'OPTIONS', 'GET'),
      origin: fc.option(fc.constantFrom(UI_ORIGIN, 'http://evil.example', 'null', 'http://127.0.0.1:8233.evil.example'), { freq: 2 }),
      body: fc.oneof({ arbitrary: codecBody(encrypted), weight: 5 }, { arbitrary: anyBody, weight: 1 }),
      type: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 5 }, { arbitrary: contentType, weight: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(req, async (r) => {
        const secret = r.form === 'path' ? pct(r.credential) : r.credential;
        const url = r.form === 'path' ? `/codec/t/${secret}/${r.op}` : `/codec/${r.op}`;
        const headers: Record<string, string> = {};
        if (r.form === 'header' && r.credential !== '') headers.authorization = `Bearer ${r.credential}`;
        if (r.form === 'x-api-key' && r.credential !== '') headers['x-api-key'] = r.credential;
        if (r.origin !== null) headers.origin = r.origin;
        const hasBody = r.method === 'POST';
        const res = await f.exchange({ method: r.method, url, headers: hasBody ? withType(r.type, headers) : headers, ...(hasBody && { payload: r.body }) });
        const allowed = res.headers['access-control-allow-origin'];
        if (allowed !== undefined) assert.equal(allowed, UI_ORIGIN, `CORS granted to ${r.origin ?? '(no origin)'}`);
        // The credential in a path is a secret: no answer quotes it (a short one could occur by chance).
        if (r.form === 'path' && secret.length >= 16 && res.statusCode >= 400)
          assert.ok(!res.body.includes(secret), `the answer quotes the path credential: ${preview(res.body)}`);
        if (res.statusCode === 200) {
          const sent = (JSON.parse(typeof r.body === 'string' ? r.body : r.body.toString()) as { payloads: unknown[] }).payloads;
          assert.equal(res.json<{ payloads: unknown[] }>().payloads.length, sent.length, 'one payload out per payload in');
        }
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('any method on any path, with any headers and body', async () => {
    const method = fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');
    const prefix = fc.constantFrom(
      '',
      '/leads',
      '/leads/adf',
      '/quarantine',
      '/salespeople',
      '/webhooks',
      '/webhooks/twilio',
      '/unsubscribe',
      '/handover/ack',
      '/inboxes',
      '/suppressions',
      '/control',
      '/codec',
      '/codec/t',
      '/campaigns',
      '/stats',
      '/docs',
      '/audit',
      '/outbox',
      '/health',
      '/metrics',
    );
    const url = fc
      .tuple(prefix, fc.array(pathParam, { maxLength: 3 }), fc.boolean(), queryString)
      .map(([p, segs, slash, qs]) => `${p}${segs.map((s) => `/${s}`).join('')}${slash ? '/' : ''}${qs}` || '/');
    const authHeader = fc.oneof(
      fc.constantFrom(f.auth.admin, f.auth.write, f.auth.read, {}),
      fc
        .tuple(
          fc.constantFrom('authorization', 'x-api-key'),
          fc.oneof(headerValue, fc.constantFrom('Bearer', 'Bearer ', 'bearer  x', 'Basic Zm9vOmJhcg==', `Bearer ${'a'.repeat(5000)}`)),
        )
        .map(([k, v]) => ({ [k]: v })),
    );
    await fc.assert(
      fc.asyncProperty(method, url, authHeader, contentType, fc.option(anyBody, { freq: 2 }), async (m, u, a, type, body) => {
        const hasBody = body !== null && m !== 'GET' && m !== 'HEAD';
        await f.exchange(
          { method: m, url: u, headers: hasBody ? withType(type, a) : a, ...(hasBody && { payload: body }) },
          {
            // Whatever it reached, it succeeded as that route would: at most one lead's worth of writes.
            writes: (status) =>
              status < 300
                ? {
                    quarantine: [0, 1],
                    salespeople: [-1, 1],
                    suppressions: [-1, 1],
                    suppression_releases: [0, 1],
                    lead_events: [0, 1],
                    provider_events: [0, 1],
                    inboxes: [0, 1],
                    campaigns: [0, 1],
                    campaign_imports: [0, 1],
                    campaign_prospects: [0, 1000],
                  }
                : status === 422
                  ? { quarantine: [0, 1] }
                  : {},
          },
        );
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('summary; every lead the fuzz got accepted (202) becomes readable once a worker runs', (t) => f.acceptedBecomeReadable(t));
});
