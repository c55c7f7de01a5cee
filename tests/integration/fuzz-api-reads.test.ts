// Property-based fuzzing of what is read, and of anything else a client can send, against real
// servers (tests/helpers/fuzz/api-world.ts): every list and read route with any query string,
// leads and quarantine items by any id, the detail of a lead whose workflow no worker polls, and
// any method on any path with any headers and body. Each answer passes the checks of
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
import { fuzzOptions } from '../helpers/fuzz/support.js';
import { contentType, headerValue, pathParam, pct, queryString, routable } from '../helpers/fuzz/wire.js';

describe('API fuzzing: reads and anything else', () => {
  const f = useApiFuzz();

  test('lists and read routes: any query string', async () => {
    const route = fc.constantFrom('/leads', '/quarantine', '/audit', '/outbox', '/suppressions', '/salespeople', '/health', '/metrics', '/docs/json');
    const who = fc.constantFrom<'admin' | 'read'>('admin', 'admin', 'read');
    await fc.assert(
      fc.asyncProperty(route, queryString, who, fc.constantFrom<Method>('GET', 'GET', 'GET', 'HEAD'), async (r, qs, w, method) => {
        const res = await f.exchange({ method, url: `${r}${qs}`, headers: f.auth[w] });
        if (res.statusCode === 200 && method === 'GET' && !['/health', '/metrics', '/docs/json'].includes(r)) {
          const b = res.json<{ items?: unknown[]; limit?: number }>();
          assert.ok(Array.isArray(b.items), `${r}${qs}: no items`);
          if (b.limit !== undefined) assert.ok(b.items.length <= b.limit, `${r}${qs}: more items than the limit`);
        }
      }),
      fuzzOptions(350, 20_000),
    );
  });

  test('path parameters: leads and quarantine items by any id', async () => {
    const route = fc.constantFrom(
      { method: 'GET' as const, tpl: '/leads/:id' },
      { method: 'GET' as const, tpl: '/quarantine/:id' },
      { method: 'GET' as const, tpl: '/quarantine/:id/raw' },
      { method: 'POST' as const, tpl: '/quarantine/:id/retry' },
      { method: 'HEAD' as const, tpl: '/leads/:id' },
    );
    // Not the target leads: their detail waits for the state query (the next property).
    const id = fc.oneof(
      { arbitrary: pathParam, weight: 5 },
      { arbitrary: fc.constantFrom(f.quarantineId, randomUUID(), randomUUID().toUpperCase(), `${randomUUID()}x`).map(pct), weight: 2 },
    );
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
                ? { quarantine: [0, 1], salespeople: [-1, 1], suppressions: [0, 1], lead_events: [0, 1], provider_events: [0, 1] }
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
