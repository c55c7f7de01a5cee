// Property-based fuzzing of the actions people take, against real servers
// (tests/helpers/fuzz/api-world.ts): the operator routes (lead signals stop, pause, resume, retry;
// salespeople created, marked away, removed; inboxes created, changed, paused, resumed; suppressions
// added and released; campaigns defined, changed, steered, fed prospect lists and previewed; the
// emergency stop and resume, acknowledged by a worker serving only the control workflow) with any
// id and body, and the signed links a lead or
// a salesperson follows (GET and POST /unsubscribe/:token and /handover/ack/:token) with any token
// (link-shaped, real ones mutated by one character, real ones) and any body. Each answer passes the
// checks of tests/helpers/fuzz/api-exchange.ts (never 5xx, problem+json, in time, a refusal writes
// nothing but its audit row); what a link confirms is an HTML page. FUZZ_RUNS scales the runs,
// FUZZ_SEED / FUZZ_PATH replay a failure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { withType, type Method } from '../helpers/fuzz/api-exchange.js';
import { useApiFuzz } from '../helpers/fuzz/api-world.js';
import { anyBody, email, field, phone, withExtras } from '../helpers/fuzz/bodies.js';
import * as rb from '../helpers/fuzz/registry-bodies.js';
import { fuzzOptions, preview } from '../helpers/fuzz/support.js';
import { contentType, pathParam, pct, queryString, routable } from '../helpers/fuzz/wire.js';

describe('API fuzzing: operator routes and signed links', () => {
  // The emergency stop answers only once a worker acknowledges it; nothing here sends afterwards.
  const f = useApiFuzz({ controlWorker: true });
  /** Often an id that exists (seeded, or made by the property), otherwise any path segment. */
  const idFrom = (known: () => string[]) =>
    fc
      .oneof({ arbitrary: fc.constant(''), weight: 3 }, { arbitrary: pathParam, weight: 2 })
      .chain((p) => (p === '' && known().length > 0 ? fc.constantFrom(...known()).map(pct) : fc.constant(p)));
  // Mostly what a real operator sends (an admin key, JSON), so the handlers are reached, not only the guards.
  const key = fc.constantFrom<'admin' | 'write' | 'read'>('admin', 'admin', 'admin', 'admin', 'write', 'read');
  const jsonType = fc.oneof({ arbitrary: fc.constant('application/json'), weight: 5 }, { arbitrary: contentType, weight: 1 });
  const jsonOrAny = (shaped: fc.Arbitrary<string>) => fc.oneof({ arbitrary: shaped, weight: 5 }, { arbitrary: anyBody, weight: 1 });

  test('operator signals: POST /leads/:id/{stop,pause,resume,retry} with any id and body', async () => {
    const action = fc.constantFrom('stop', 'pause', 'resume', 'retry');
    const shaped = (a: string) =>
      withExtras(
        a === 'resume'
          ? fc.constant({})
          : a === 'retry'
            ? fc.record({ email: field(email), phone: field(fc.oneof(phone, fc.constantFrom('123', '+1'))) }, { requiredKeys: [] })
            : fc.record({ reason: field(fc.constantFrom('sold', 'duplicate', 'x'.repeat(500))) }, { requiredKeys: [] }),
      ).map((b) => JSON.stringify(b));
    const targets = f.targets.map(pct);
    const scenario = action.chain((a) =>
      fc.record({
        action: fc.constant(a),
        id: fc.oneof({ arbitrary: fc.constantFrom(...targets), weight: 2 }, { arbitrary: pathParam, weight: 3 }),
        body: fc.oneof({ arbitrary: shaped(a), weight: 4 }, { arbitrary: anyBody, weight: 1 }),
        type: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 4 }, { arbitrary: contentType, weight: 1 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const url = `/leads/${s.id}/${s.action}`;
        const res = await f.exchange({ method: 'POST', url, headers: withType(s.type, f.auth.write), payload: s.body }, { auditRow: routable(url) });
        if (res.statusCode === 202) assert.ok(targets.includes(s.id), `202 for a lead that does not run: ${s.id}`);
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('salespeople: POST, PATCH and DELETE with any id and body', async () => {
    const repEmail = fc.constantFrom('rep0@example.com', 'REP0@example.com', 'new.rep@example.com', 'New.Rep@Example.com', 'x@example.com');
    const newRep = withExtras(
      fc.record(
        {
          name: field(fc.constantFrom('Ann', 'Zoë', 'x'.repeat(200))),
          email: field(repEmail, 6),
          managerEmail: field(fc.option(repEmail)),
          team: field(fc.option(fc.constantFrom('north', 'İ'))),
        },
        { requiredKeys: [] },
      ),
    ).map((b) => JSON.stringify(b));
    // Sometimes one that exists (the seeded ones, and those this property created), mostly any.
    const id = fc
      .oneof({ arbitrary: fc.constant(''), weight: 1 }, { arbitrary: pathParam, weight: 2 })
      .chain((p) => (p === '' && f.salespeople.length > 0 ? fc.constantFrom(...f.salespeople) : fc.constant(p)));
    const away = withExtras(fc.record({ away: field(fc.boolean()) }, { requiredKeys: [] })).map((b) => JSON.stringify(b));
    const op = fc.oneof(
      fc.record({
        method: fc.constant('POST' as const),
        id: fc.constant(null),
        body: fc.oneof({ arbitrary: newRep, weight: 4 }, { arbitrary: anyBody, weight: 1 }),
      }),
      fc.record({ method: fc.constant('PATCH' as const), id, body: fc.oneof({ arbitrary: away, weight: 4 }, { arbitrary: anyBody, weight: 1 }) }),
      fc.record({ method: fc.constant('DELETE' as const), id, body: fc.constant(null) }),
    );
    await fc.assert(
      fc.asyncProperty(op, fc.constantFrom<'admin' | 'write'>('admin', 'admin', 'admin', 'write'), async (o, who) => {
        const url = o.id === null ? '/salespeople' : `/salespeople/${o.id}`;
        const res = await f.exchange(
          {
            method: o.method,
            url,
            headers: o.body === null ? f.auth[who] : { ...f.auth[who], 'content-type': 'application/json' },
            ...(o.body !== null && { payload: o.body }),
          },
          {
            auditRow: routable(url),
            writes: (status) => (status === 201 ? { salespeople: [1, 1] } : status === 204 ? { salespeople: [-1, -1] } : {}),
          },
        );
        if (res.statusCode === 201) f.salespeople.push(res.json<{ id: string }>().id);
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('token links: GET and POST /unsubscribe/:token and /handover/ack/:token with any token', async () => {
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const linkShaped = fc.string({ unit: fc.constantFrom(...b64), minLength: 24, maxLength: 24 });
    const real = fc.constantFrom(...f.validTokens.unsubscribe, ...f.validTokens.ack);
    const token = fc.oneof(
      { arbitrary: linkShaped, weight: 2 },
      {
        arbitrary: fc
          .tuple(fc.string({ unit: fc.constantFrom(...b64), maxLength: 60 }), fc.string({ unit: fc.constantFrom(...b64), maxLength: 44 }))
          .map(([a, b]) => `${a}.${b}`),
        weight: 2,
      },
      {
        arbitrary: fc
          .tuple(real, fc.nat(), fc.constantFrom('', '!', '=', '*', 'A', '%20', '.', '%00', '%2E'))
          .map(([t, at, s]) => (s === '' ? `${t.slice(0, at % t.length)}${t.slice((at % t.length) + 1)}` : `${t}${s}`)),
        weight: 2,
      },
      { arbitrary: real, weight: 1 },
      { arbitrary: pathParam, weight: 3 },
    );
    const link = fc.record({
      route: fc.constantFrom('/unsubscribe/', '/handover/ack/'),
      token,
      method: fc.constantFrom<Method>('GET', 'POST', 'POST', 'HEAD'),
      body: fc.option(fc.oneof(fc.constant('List-Unsubscribe=One-Click'), anyBody), { freq: 2 }),
      type: fc.oneof(fc.constant('application/x-www-form-urlencoded'), contentType),
      qs: fc.option(queryString, { freq: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(link, async (l) => {
        const hasBody = l.method === 'POST' && l.body !== null;
        const res = await f.exchange(
          { method: l.method, url: `${l.route}${l.token}${l.qs ?? ''}`, headers: hasBody ? withType(l.type) : {}, ...(hasBody && { payload: l.body ?? '' }) },
          {
            // Unsubscribing writes its suppression and the lead's event (once per lead and address).
            writes: (status) => (status === 200 && l.method === 'POST' ? { suppressions: [0, 1], lead_events: [0, 1] } : {}),
          },
        );
        assert.ok([200, 400, 404, 414, 415].includes(res.statusCode), `${res.statusCode} for ${l.method} ${l.route}${l.token}: ${preview(res.body)}`);
        if (res.statusCode === 200 && l.method !== 'HEAD') assert.match(String(res.headers['content-type']), /^text\/html/);
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('inboxes and suppressions: create, change, pause, resume, add and release with any id and body', async () => {
    const inboxId = idFrom(() => f.inboxIds);
    const suppressionId = idFrom(() => f.suppressionIds);
    const op = fc.oneof(
      fc.record({ method: fc.constant('POST' as const), url: fc.constant('/inboxes'), body: jsonOrAny(rb.inboxBody) }),
      fc.record({ method: fc.constant('PATCH' as const), url: inboxId.map((i) => `/inboxes/${i}`), body: jsonOrAny(rb.inboxPatch) }),
      fc.record({ method: fc.constant('POST' as const), url: inboxId.map((i) => `/inboxes/${i}/pause`), body: jsonOrAny(rb.pauseBody) }),
      fc.record({ method: fc.constant('POST' as const), url: inboxId.map((i) => `/inboxes/${i}/resume`), body: jsonOrAny(fc.constantFrom('{}', '{"x":1}')) }),
      fc.record({ method: fc.constant('POST' as const), url: fc.constant('/suppressions'), body: jsonOrAny(rb.suppressionBody) }),
      fc.record({
        method: fc.constant('DELETE' as const),
        url: fc.tuple(suppressionId, fc.constantFrom('', '?reason=mistake', '?reason=', '?why=x')).map(([i, q]) => `/suppressions/${i}${q}`),
        body: rb.releaseBody,
      }),
    );
    const writes = (method: string, url: string) => (status: number) => {
      if (url === '/inboxes') return status === 201 ? { inboxes: [1, 1] as [number, number] } : {};
      if (method === 'PATCH') return status === 200 ? { inboxes: [0, 0] as [number, number] } : {};
      if (url === '/suppressions') return status === 201 ? { suppressions: [1, 1] as [number, number] } : {};
      if (method === 'DELETE') return status === 200 ? { suppressions: [-1, -1] as [number, number], suppression_releases: [1, 1] as [number, number] } : {};
      return {}; // pause and resume signal the inbox's workflow; the database is not theirs to change
    };
    await fc.assert(
      fc.asyncProperty(op, key, jsonType, async (o, who, type) => {
        const headers = o.body === null ? f.auth[who] : withType(type, f.auth[who]);
        const res = await f.exchange(
          { method: o.method, url: o.url, headers, ...(o.body !== null && { payload: o.body }) },
          { auditRow: routable(o.url), writes: writes(o.method, o.url.split('?')[0] ?? '') },
        );
        if (res.statusCode === 201 && o.url === '/inboxes') f.inboxIds.push(res.json<{ id: string }>().id);
        if (res.statusCode === 201 && o.url === '/suppressions') f.suppressionIds.push(res.json<{ id: string }>().id);
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('campaigns: define, change, steer, import prospect lists and preview with any id and body', async () => {
    const id = idFrom(() => f.campaignIds);
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('create' as const),
        url: fc.constant('/campaigns'),
        method: fc.constant('POST' as const),
        body: jsonOrAny(rb.campaignBody),
      }),
      fc.record({
        kind: fc.constant('change' as const),
        url: id.map((i) => `/campaigns/${i}`),
        method: fc.constant('PATCH' as const),
        body: jsonOrAny(rb.campaignBody),
      }),
      fc.record({
        kind: fc.constant('steer' as const),
        url: fc.tuple(id, fc.constantFrom('start', 'pause', 'resume', 'cancel')).map(([i, a]) => `/campaigns/${i}/${a}`),
        method: fc.constant('POST' as const),
        body: rb.actionBody,
      }),
      fc.record({
        kind: fc.constant('preview' as const),
        url: id.map((i) => `/campaigns/${i}/preview`),
        method: fc.constant('POST' as const),
        body: jsonOrAny(rb.previewBody),
      }),
    );
    const scenario = fc.oneof(
      { arbitrary: fc.record({ op, ifMatch: rb.ifMatch, upload: fc.constant(null) }), weight: 3 },
      {
        arbitrary: fc.record({
          op: id.map((i) => ({ kind: 'import' as const, url: `/campaigns/${i}/prospects`, method: 'POST' as const, body: null })),
          ifMatch: fc.constant(null),
          upload: rb.prospectUpload,
        }),
        weight: 1,
      },
    );
    await fc.assert(
      fc.asyncProperty(scenario, key, async ({ op: o, ifMatch, upload }, who) => {
        const url = upload === null ? o.url : `${o.url}${upload.query}`;
        const headers: Record<string, string> = { ...f.auth[who] };
        if (o.body !== null) headers['content-type'] = 'application/json';
        if (upload !== null && upload.type !== '') headers['content-type'] = upload.type;
        if (upload?.key != null) headers['idempotency-key'] = upload.key;
        if (ifMatch !== null) headers['if-match'] = ifMatch;
        const payload = upload?.body ?? o.body;
        const res = await f.exchange(
          { method: o.method, url, headers, ...(payload !== null && { payload }) },
          {
            auditRow: routable(url),
            writes: (status) =>
              o.kind === 'create'
                ? status === 201
                  ? { campaigns: [1, 1] }
                  : {}
                : o.kind === 'import'
                  ? status === 201
                    ? { campaign_imports: [1, 1], campaign_prospects: [0, 10], campaigns: [0, 0] }
                    : {}
                  : (o.kind === 'change' || o.kind === 'steer') && status === 200
                    ? { campaigns: [0, 0] }
                    : {},
          },
        );
        if (res.statusCode === 201 && o.kind === 'create') f.campaignIds.push(res.json<{ id: string }>().id);
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('the emergency stop and resume with any body and key are acknowledged or refused; sending is left running', async () => {
    const op = fc.oneof(
      fc.record({ url: fc.constant('/control/emergency-stop'), body: jsonOrAny(rb.stopBody) }),
      fc.record({ url: fc.constant('/control/resume'), body: jsonOrAny(rb.resumeBody) }),
    );
    const who = fc.constantFrom<'admin' | 'write' | 'read' | 'none'>('admin', 'admin', 'admin', 'admin', 'write', 'read', 'none');
    try {
      await fc.assert(
        fc.asyncProperty(op, who, jsonType, async (o, w, type) => {
          const res = await f.exchange(
            { method: 'POST', url: o.url, headers: withType(type, w === 'none' ? {} : f.auth[w]), payload: o.body },
            // An acknowledged command changes the stop's row and audits itself besides the API's own row.
            { auditRow: true, writes: (status) => (status === 200 ? { sending_control: [0, 0], audit_log: [1, 2] } : {}) },
          );
          if (res.statusCode === 200) assert.equal(res.json<{ stopped: boolean }>().stopped, o.url === '/control/emergency-stop', preview(res.body));
        }),
        fuzzOptions(80, 20_000),
      );
    } finally {
      const resumed = await f.app.inject({ method: 'POST', url: '/control/resume', headers: f.auth.admin, payload: { ramp: null } });
      assert.equal(resumed.statusCode, 200, resumed.body);
      assert.equal(resumed.json<{ stopped: boolean }>().stopped, false);
    }
  });

  test('summary; every lead the fuzz got accepted (202) becomes readable once a worker runs', (t) => f.acceptedBecomeReadable(t));
});
