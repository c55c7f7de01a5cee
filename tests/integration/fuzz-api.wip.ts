// IN PROGRESS (hardening issue: fault suite and fuzzing). Not run by npm test yet: it is named
// .wip.ts until it passes reliably (see the issue's note for what it found); rename to .test.ts.
// Property-based fuzzing of the whole HTTP surface against real servers (Temporal dev server and
// PostgreSQL, through app.inject): every route's body, query and path parameters, the provider
// webhooks (validly signed, so the fuzz reaches what the signature protects, and forged) and the
// signed links. For every request:
// - the status is never 5xx, and every non-2xx answer is application/problem+json with a detail;
// - it completes within REQUEST_MS;
// - a refused write (4xx) writes nothing: row counts of every table are unchanged, except the one
//   audit_log row every write attempt leaves by design (and the quarantine row of an ADF document
//   that could not become a lead, which is what that route is for);
// - an accepted lead (202) is readable once a lead worker runs (the last test).
// No worker runs during the fuzz, so nothing else writes while rows are counted. FUZZ_RUNS scales
// the runs, FUZZ_SEED / FUZZ_PATH replay a failure (tests/helpers/fuzz/support.ts).
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import twilio from 'twilio';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { addSalesperson, claimOutbox, createApiKey, saveHandover, setHandoverAckToken, upsertLead } from '../../db/index.js';
import { publicUrl } from '../../domain/links.js';
import { ackToken, signUnsubscribeToken, unsubscribeToken } from '../../domain/tokens/signed-token.js';
import { submitLead } from '../../temporal/lead-client.js';
import { createLeadWorker } from '../../workers/lead-worker.js';
import { fuzzOptions, hugeString, nastyString, preview, withDeadline } from '../helpers/fuzz/support.js';
import { TEST_LEAD_ID_SECRET, testDataConverter, testIdentity } from '../helpers/codec.js';
import { makeLeadInput } from '../helpers/leads.js';
import { testServices } from '../helpers/services.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { uniqueName } from '../helpers/temporal.js';

const SECRET = 'fuzz-link-secret-0123456789abcdef0123';
const PUBLIC_URL = 'https://leadflow.example.com/';
const TWILIO_TOKEN = 'twilio-auth-token-fuzz';
/** One request may take this long (a body of several MB included). */
const REQUEST_MS = 5000;
/** An e-mail of tens of KB is parsed and classified in milliseconds: this leaves 20x headroom for a slow CI machine. */
const GROWN_MS = 2000;
const TABLES = [
  'leads',
  'lead_events',
  'quarantine',
  'suppressions',
  'salespeople',
  'provider_events',
  'outbox',
  'handovers',
  'api_keys',
  'audit_log',
] as const;
type Table = (typeof TABLES)[number];
type Counts = Record<Table, number>;
type Res = LightMyRequestResponse;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
interface Req {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}
/** How many rows a table may gain (negative: lose) in one exchange: [min, max]. */
type Writes = Partial<Record<Table, [number, number]>>;

// ---- text on the wire --------------------------------------------------------------------

/** UTF-8 of `s`, except that a lone surrogate becomes its 3-byte CESU form (not valid UTF-8). */
function wtf8(s: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    parts.push(cp >= 0xd800 && cp <= 0xdfff ? Buffer.from([0xed, 0xa0 | ((cp >> 6) & 0x1f), 0x80 | (cp & 0x3f)]) : Buffer.from(ch));
  }
  return Buffer.concat(parts);
}

/** Percent-encodes everything but unreserved characters (lone surrogates as invalid UTF-8). */
const pct = (s: string): string =>
  [...wtf8(s)]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

/** Percent-encodings that broke decoders: NUL, invalid and overlong UTF-8, truncated escapes, a surrogate. */
const BAD_ESCAPES = [
  '%00',
  '%C3%28',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%C0%80',
  '%F8%88%80%80%80',
  '%EF%BF%BF',
  '%FF',
  '%u0041',
  '%2',
  '%%',
  '%0D%0A',
  '%2F',
  '%2E%2E',
  '%5C',
];
const PRINTABLE = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i));

/** A printable-ASCII string (what can legally appear raw in a request target or a header). */
const ascii = (maxLength: number) => fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength });
/** A header value a real client can send. */
const headerValue = fc.string({ unit: fc.constantFrom(...PRINTABLE, ' ', '\t'), maxLength: 80 }).map((s) => s.trim());

/** A URL component: properly encoded hostile text, raw ASCII, or broken escapes. */
const component = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: nastyString(maxLength).map(pct), weight: 4 },
    // Raw, minus what would end the segment (a backslash is a slash to URL parsers).
    { arbitrary: ascii(maxLength).map((s) => s.replace(/[?#/\\&=]/g, '')), weight: 2 },
    { arbitrary: fc.array(fc.oneof(fc.constantFrom(...BAD_ESCAPES), ascii(4).map(pct)), { minLength: 1, maxLength: 5 }).map((p) => p.join('')), weight: 2 },
    { arbitrary: fc.integer({ min: 101, max: 2100 }).map((n) => 'x'.repeat(n)), weight: 1 },
  );

/**
 * Whether the router can match this request target: every path segment decodes and none is longer
 * than the app's maxParamLength. The router refuses the others (400, 414) before any route, hook
 * or audit row, like a 404.
 */
const routable = (url: string): boolean =>
  (url.split('?')[0] ?? '').split('/').every((seg) => {
    try {
      decodeURIComponent(seg);
      return seg.length <= 1500;
    } catch {
      return false;
    }
  });

/** One path segment standing for an id or a token. */
const pathParam: fc.Arbitrary<string> = component(60).filter((s) => s !== '' && s !== '.' && s !== '..');

const QUERY_KEYS = [
  'limit',
  'offset',
  'status',
  'campaign',
  'tier',
  'q',
  'lead',
  'lead_id',
  'step',
  'stauts',
  '__proto__',
  'constructor',
  'limit[]',
  'a[b]',
  '',
];
const QUERY_VALUES = [
  '0',
  '1',
  '50',
  '500',
  '501',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  ' 1',
  '1 ',
  '+1',
  '2147483648',
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999',
  '1e20',
  'NaN',
  'Infinity',
  'true',
  'null',
  '',
  'hot',
  'warm',
  'cold',
  'open',
  'resolved',
  'received',
  'lead:fuzz:x',
  '%',
  '100%25',
  '_',
];

/** A query string: known and unknown keys, repeated keys, valid, hostile and broken values. */
const queryString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 1 },
  {
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...QUERY_KEYS).map(pct), component(12)),
          fc.oneof(fc.constantFrom(...QUERY_VALUES).map(pct), component(40)),
          fc.constantFrom('=', '', '=='),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((pairs) => `?${pairs.map(([k, v, eq]) => (eq === '' ? k : `${k}${eq}${v}`)).join('&')}`),
    weight: 8,
  },
  { arbitrary: fc.constantFrom('?', '?&&&', '?=', '?&=&', '?limit=1&limit=2', '?offset=1e400', '?q=%00', '?q=%C3%28', `?q=${'a'.repeat(5000)}`), weight: 1 },
  // The paging pair alone, with edge numbers: what reaches the database's LIMIT and OFFSET.
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...QUERY_VALUES), fc.constantFrom(...QUERY_VALUES), fc.boolean())
      .map(([limit, offset, both]) => (both ? `?limit=${pct(limit)}&offset=${pct(offset)}` : `?offset=${pct(offset)}`)),
    weight: 2,
  },
);

// ---- bodies ------------------------------------------------------------------------------

const WRONG_TYPES: unknown[] = [0, -1, 1.5, 1e308, true, false, null, [], {}, [1, 'a'], { a: 1 }, '', ' ', '0', 'true', 'null', '[]', '{}'];
/** A nested value `depth` levels deep (the API refuses deeper than 32). */
const nested = (depth: number, leaf: unknown, arrays: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { d: v };
  return v;
};
const deepValue = fc.tuple(fc.integer({ min: 20, max: 60 }), fc.boolean()).map(([d, arrays]) => nested(d, 'x', arrays));
const nastyKeyObject = fc.dictionary(nastyString(10), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });

/** A value that does not fit a field: wrong type, hostile or huge text, nesting, any JSON. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...WRONG_TYPES), weight: 3 },
  { arbitrary: nastyString(60), weight: 4 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
  { arbitrary: deepValue, weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 2 },
);

/** Mostly the valid value, sometimes a bad one (so only a few whole bodies are valid). */
const field = <T>(valid: fc.Arbitrary<T>, validWeight = 4): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: validWeight }, { arbitrary: badValue, weight: 1 });
/** A body object with, sometimes, extra members. */
const withExtras = (base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(base, fc.option(nastyKeyObject, { freq: 4 })).map(([b, extra]) => (extra === null ? b : { ...b, ...extra }));

const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/), fc.constantFrom('example.com', 'example.net', 'mail.example.org'))
  .map(([l, d]) => `${l.replace(/\.+$/, '')}@${d}`);
const phone = fc.constantFrom('+14155550123', '+1 415 555 0124', '(415) 555-0125', '+442071838750', '+33142685300');

/** POST /leads bodies: schema-shaped, each field sometimes replaced by a bad value. */
const leadBody = withExtras(
  fc.record(
    {
      source: field(fc.constantFrom('fuzz', 'web', 'Fuzz Dealer', 'İstanbul')),
      externalId: field(fc.option(fc.stringMatching(/^[A-Za-z0-9-]{1,24}$/))),
      campaignId: field(fc.option(fc.constantFrom('spring', 'c-1', 'Summer Sale'))),
      contact: fc.oneof(
        {
          arbitrary: fc.record(
            {
              firstName: field(fc.option(fc.constantFrom('Jane', 'Zoë', 'محمد', '李'))),
              lastName: field(fc.option(fc.constantFrom('Doe', "O'Brien"))),
              email: field(fc.option(email)),
              phone: field(fc.option(phone)),
            },
            { requiredKeys: [] },
          ),
          weight: 6,
        },
        { arbitrary: badValue, weight: 1 },
      ),
      payload: field(
        fc.oneof(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
          deepValue.map((d) => ({ d })),
          nastyKeyObject,
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

/** Any body at all: JSON of anything, bytes, invalid UTF-8 inside JSON, deep or truncated JSON. */
const anyBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 3 },
  {
    arbitrary: fc.anything({ maxDepth: 3 }).map((v) => {
      try {
        return JSON.stringify(v) ?? '';
      } catch {
        return '';
      }
    }),
    weight: 1,
  },
  { arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), weight: 2 },
  {
    arbitrary: fc
      .tuple(nastyString(20), fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([k, b]) =>
        Buffer.concat([Buffer.from(`{"source":"x","contact":{"email":"a@b.example"},"${k.replace(/["\\]/g, '')}":"`), Buffer.from(b), Buffer.from('"}')]),
      ),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"a":'))
      .map(([n, open]) => `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}`),
    weight: 1,
  },
  {
    arbitrary: fc.tuple(leadBody, fc.nat()).map(([b, cut]) => {
      const s = JSON.stringify(b);
      return s.slice(0, cut % (s.length + 1));
    }),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'null',
      '""',
      '[]',
      '{}',
      '\ufeff{}',
      '{"__proto__":{"source":"x"}}',
      '{"constructor":{"prototype":{}}}',
      '1e400',
      '{"a":1,"a":2}',
    ),
    weight: 1,
  },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;;',
  'application/vnd.api+json',
  'application/problem+json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'text/xml',
  'message/rfc822',
  'application/x-adf+xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  'json',
  ';',
  '',
];
/** A content type: a real one, a near miss, printable garbage, or none. */
const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 6 },
  { arbitrary: headerValue, weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);

// ---- the suite ---------------------------------------------------------------------------

const ADF_DIR = path.resolve(import.meta.dirname, '../fixtures/adf');
const MAIL_DIR = path.resolve(import.meta.dirname, '../fixtures/mail');
const ADF_CORPUS = fs
  .readdirSync(ADF_DIR)
  .filter((f) => f.endsWith('.xml'))
  .map((f) => fs.readFileSync(path.join(ADF_DIR, f)));
const MAIL_CORPUS = fs
  .readdirSync(MAIL_DIR)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => fs.readFileSync(path.join(MAIL_DIR, f)));

describe('API fuzzing', () => {
  let stack: DevStack;
  let app: FastifyInstance;
  const logLines: string[] = [];
  const auth: Record<'read' | 'write' | 'admin', Record<string, string>> = { read: {}, write: {}, admin: {} };
  const sgKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** Leads with a row and a (never polled) workflow: what signals, webhooks and links point at. */
  const targets: string[] = [];
  let targetPhone = '';
  const salespeople: string[] = [];
  let quarantineId = '';
  const validTokens: { unsubscribe: string[]; ack: string[] } = { unsubscribe: [], ack: [] };
  /** Leads the API accepted (202), with the request that made each: checked readable at the end. */
  const accepted = new Map<string, string>();
  const stats = { requests: 0, byStatus: {} as Record<string, number>, slowestMs: 0 };

  before(async () => {
    stack = await startDevStack();
    const db = stack.tdb.db;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        logLines.push(chunk.toString());
        if (logLines.length > 2000) logLines.splice(0, 1000);
        cb();
      },
    });
    app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db,
      temporal: stack.env.client,
      logger: createLogger('warn', 'api', sink),
      unsubscribeSecret: SECRET,
      // The limits would otherwise answer 429 to most of the fuzz.
      rateLimitPerMinute: 10_000_000,
      rateLimitPerAddressPerMinute: 10_000_000,
      webhooks: {
        sendgridPublicKey: sgKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        sendgridMaxAgeSeconds: 600,
        twilioAuthToken: TWILIO_TOKEN,
        publicUrl: PUBLIC_URL,
      },
    });
    for (const scope of ['read', 'write', 'admin'] as const)
      auth[scope] = { authorization: `Bearer ${(await createApiKey(db, `fuzz-${scope}`, [scope])).key}` };

    for (let i = 0; i < 2; i++) {
      const input = makeLeadInput({
        contact: { firstName: 'Target', lastName: String(i), email: `${uniqueName('target')}@example.com`, phone: `+1415555${String(1000 + i)}` },
      });
      const { leadId } = await submitLead(stack.env.client, input, { identity: testIdentity });
      await upsertLead(db, {
        id: leadId,
        source: input.source,
        external_id: input.externalId,
        email: input.contact.email,
        phone: input.contact.phone,
        payload: {},
      });
      targets.push(leadId);
      targetPhone = input.contact.phone ?? '';
      const address = input.contact.email ?? '';
      const token = unsubscribeToken(SECRET, { leadId, address });
      await claimOutbox(db, {
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
      validTokens.unsubscribe.push(token, signUnsubscribeToken(SECRET, { leadId, address }));
      const rep = await addSalesperson(db, { id: randomUUID(), name: `Rep ${i}`, email: `rep${i}@example.com`, managerEmail: null, team: null });
      salespeople.push(rep.id);
      const handoverId = `handover:${leadId}`;
      await saveHandover(db, { id: handoverId, leadId, salespersonId: rep.id, status: 'assigned' });
      const ack = ackToken(SECRET, handoverId);
      await setHandoverAckToken(db, handoverId, ack, new Date(Date.now() + 86_400_000));
      validTokens.ack.push(ack);
    }
    const q = await app.inject({
      method: 'POST',
      url: '/leads/adf',
      headers: { ...auth.write, 'content-type': 'application/xml' },
      payload: '<adf><prospect></adf>',
    });
    quarantineId = q.json<{ quarantineId: string }>().quarantineId;
  });

  after(async () => {
    await app?.close();
    await stack?.stop();
  });

  async function counts(): Promise<Counts> {
    const cols = TABLES.map((t) => sql`(select count(*) from ${sql.table(t)})::int as ${sql.ref(t)}`);
    const { rows } = await sql<Counts>`select ${sql.join(cols)}`.execute(stack.tdb.db);
    const row = rows[0];
    assert.ok(row !== undefined);
    return row;
  }

  /** The server's log lines about one request (its id is in a 5xx problem's detail). */
  const logFor = (res: Res): string => {
    const id = /request ([0-9a-f-]{36})/.exec(res.body)?.[1];
    const lines = id === undefined ? logLines.slice(-5).filter((l) => l.includes('"level":50')) : logLines.filter((l) => l.includes(id));
    return lines
      .map((l) => {
        try {
          const o = JSON.parse(l) as { msg?: string; err?: { type?: string; message?: string; stack?: string } };
          return `${o.msg ?? ''}: ${o.err?.stack ?? o.err?.message ?? l}`;
        } catch {
          return l;
        }
      })
      .join('\n')
      .slice(0, 3000);
  };

  const describeReq = (req: Req) =>
    `${req.method} ${preview(req.url, 200)} content-type=${req.headers?.['content-type'] ?? '(none)'} body=${req.payload === undefined ? '(none)' : preview(req.payload, 400)}`;

  /**
   * Sends one request and checks what every answer must satisfy. `writes` says what an answer
   * with that status may have written (by default nothing, so a refusal writes nothing), besides
   * the request's own audit row: exactly one for a write route behind a key (`auditRow`), at most
   * one for any other write. `maxMs` tightens the time bound.
   */
  async function exchange(req: Req, o: { writes?: (status: number) => Writes; auditRow?: boolean; maxMs?: number } = {}): Promise<Res> {
    const before = await counts();
    const start = performance.now();
    const res = await withDeadline(`${req.method} ${preview(req.url, 80)}`, REQUEST_MS + 1000, () =>
      app.inject({
        method: req.method,
        url: req.url,
        headers: req.headers ?? {},
        ...(req.payload !== undefined && { payload: req.payload }),
      }),
    );
    const ms = performance.now() - start;
    const afterCounts = await counts();
    stats.requests++;
    stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
    stats.slowestMs = Math.max(stats.slowestMs, ms);
    const what = describeReq(req);
    const deltas =
      TABLES.filter((t) => afterCounts[t] !== before[t])
        .map((t) => `${t} ${afterCounts[t] - before[t] > 0 ? '+' : ''}${afterCounts[t] - before[t]}`)
        .join(', ') || 'nothing';
    if (res.statusCode >= 500)
      assert.fail(`${res.statusCode} for ${what}\n  answer: ${preview(res.body, 300)}\n  written before it failed: ${deltas}\n  server log: ${logFor(res)}`);
    const bound = o.maxMs ?? REQUEST_MS;
    assert.ok(ms < bound, `took ${ms.toFixed(0)} ms (bound ${bound} ms): ${what}`);
    if (res.statusCode === 422 && req.method === 'POST' && /^\/quarantine\/[^/?]+\/retry/.test(req.url)) {
      // Documented exception (api/schemas/quarantine.ts IngestOutcome): a retry that still fails answers the intake's outcome.
      const outcome = res.json<{ status?: unknown; reason?: unknown }>();
      assert.ok(
        typeof outcome.status === 'string' && typeof outcome.reason === 'string',
        `a 422 retry outcome without status and reason: ${preview(res.body)}`,
      );
    } else if (res.statusCode >= 400 && req.method !== 'HEAD') {
      assert.match(
        String(res.headers['content-type']),
        /^application\/problem\+json/,
        `${res.statusCode} is not problem+json for ${what}: ${preview(res.body)}`,
      );
      const p = res.json<{ status?: unknown; detail?: unknown }>();
      assert.ok(typeof p.detail === 'string' && p.detail.length > 0, `${res.statusCode} problem without a detail for ${what}: ${preview(res.body)}`);
      assert.equal(p.status, res.statusCode, `problem status for ${what}`);
    }
    const allowed: Writes = o.writes?.(res.statusCode) ?? {};
    const isWrite = !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
    for (const t of TABLES) {
      const delta = afterCounts[t] - before[t];
      // A request no route matched (404 "no route") leaves no audit row, like the router's own refusals.
      const matched = !(res.statusCode === 404 && res.body.includes('no route for'));
      const [min, max] = t === 'audit_log' ? (o.auditRow === true && isWrite && matched ? [1, 1] : [0, isWrite ? 1 : 0]) : (allowed[t] ?? [0, 0]);
      if (delta < min || delta > max) {
        assert.fail(
          `${t} changed by ${delta} (allowed ${min}..${max}; all changes: ${deltas}) on a ${res.statusCode} for ${what}\n  answer: ${preview(res.body, 300)}${t === 'audit_log' ? `\n  server log: ${logFor(res)}` : ''}`,
        );
      }
    }
    return res;
  }

  const asBuffer = (b: string | Buffer): Buffer => (typeof b === 'string' ? Buffer.from(b) : b);
  const withType = (type: string | null, h: Record<string, string> = {}) => (type === null ? h : { ...h, 'content-type': type });

  test('POST /leads: schema-shaped bodies with mutated fields', async () => {
    await fc.assert(
      fc.asyncProperty(leadBody, fc.option(ascii(40)), async (body, key) => {
        const payload = JSON.stringify(body);
        const res = await exchange(
          {
            method: 'POST',
            url: '/leads',
            headers: { ...auth.write, 'content-type': 'application/json', ...(key !== null && { 'idempotency-key': key }) },
            payload,
          },
          { auditRow: true },
        );
        if (res.statusCode === 202) accepted.set(res.json<{ leadId: string }>().leadId, payload);
        else assert.ok([400, 413].includes(res.statusCode), `${res.statusCode} for ${preview(payload)}: ${preview(res.body)}`);
      }),
      fuzzOptions(300, 20_000),
    );
  });

  test('POST /leads: any body under any content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody,
        contentType,
        fc.constantFrom<'write' | 'read' | 'none' | 'bogus'>('write', 'write', 'write', 'read', 'none', 'bogus'),
        async (payload, type, who) => {
          const key = who === 'none' ? {} : who === 'bogus' ? { 'x-api-key': 'not-a-key' } : auth[who];
          const res = await exchange({ method: 'POST', url: '/leads', headers: withType(type, key), payload }, { auditRow: true });
          if (res.statusCode === 202) accepted.set(res.json<{ leadId: string }>().leadId, preview(payload, 2000));
        },
      ),
      fuzzOptions(250, 20_000),
    );
  });

  test('POST /leads/adf: mutated ADF documents and e-mails, random bytes, any content type', async () => {
    const adfType = fc.oneof(
      {
        arbitrary: fc.constantFrom(
          'application/xml',
          'text/xml',
          'application/x-adf+xml',
          'application/adf+xml',
          'message/rfc822',
          'application/xml; charset=utf-16',
        ),
        weight: 5,
      },
      { arbitrary: contentType, weight: 1 },
    );
    const splice = fc.record({
      at: fc.nat(),
      cut: fc.nat({ max: 64 }),
      text: fc.oneof(
        nastyString(24),
        fc.constantFrom(
          '<',
          '&',
          ']]>',
          '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
          '\u0000',
          '<\u0000',
          '\u0000>',
          '<prospect>',
          '</adf>',
          '\r\n\r\n',
          'Content-Type: \r\n',
          '--',
        ),
      ),
    });
    const document = fc
      .oneof(
        { arbitrary: fc.tuple(fc.constantFrom(...ADF_CORPUS), fc.array(splice, { maxLength: 3 })), weight: 3 },
        { arbitrary: fc.tuple(fc.constantFrom(...MAIL_CORPUS), fc.array(splice, { maxLength: 3 })), weight: 3 },
        {
          arbitrary: fc.tuple(
            fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)),
            fc.constant([]),
          ),
          weight: 1,
        },
      )
      .map(([doc, splices]) =>
        splices.reduce((b, s) => {
          const at = s.at % (b.length + 1);
          return Buffer.concat([b.subarray(0, at), Buffer.from(s.text), b.subarray(Math.min(b.length, at + s.cut))]);
        }, doc),
      );
    await fc.assert(
      fc.asyncProperty(document, adfType, fc.option(ascii(30), { freq: 3 }), async (payload, type, key) => {
        const res = await exchange(
          { method: 'POST', url: '/leads/adf', headers: withType(type, { ...auth.write, ...(key !== null && { 'idempotency-key': key }) }), payload },
          {
            auditRow: true,
            // What cannot become a lead is quarantined whole (422, or a 202 for a partial document).
            writes: (status) => (status === 422 || status === 202 ? { quarantine: [0, 1] } : {}),
          },
        );
        if (res.statusCode === 202) for (const l of res.json<{ leads: Array<{ leadId: string }> }>().leads) accepted.set(l.leadId, preview(payload, 2000));
        if (res.statusCode === 422)
          assert.match(res.json<{ quarantineId?: string }>().quarantineId ?? '', /^[0-9a-f-]{36}$/, 'a 422 names its quarantined item');
      }),
      fuzzOptions(300, 20_000),
    );
  });

  test(`POST /leads/adf: e-mails grown by tens of KB (blank lines, whitespace, long lines) are answered within ${GROWN_MS} ms`, async () => {
    // An e-mail without ADF is routed as a possible answer to one of our messages, which classifies it (reply text, intent).
    // Each run is sized to a few tens of KB; the words of a quote header ("on ... at ... wrote:") stay
    // shorter, as a slow parse of them blocks this process for as long as it lasts.
    const run: fc.Arbitrary<[string, number]> = fc.oneof(
      { arbitrary: fc.tuple(fc.constantFrom('\n', '\r\n', '\r\n '), fc.integer({ min: 2000, max: 14_000 })), weight: 3 },
      { arbitrary: fc.tuple(fc.constantFrom(' ', '\t', '5', 'a', 'x y ', '-- \n', '\n\n> '), fc.integer({ min: 5000, max: 60_000 })), weight: 2 },
      { arbitrary: fc.tuple(fc.constant('on at '), fc.integer({ min: 200, max: 1000 })), weight: 1 },
    );
    const grown = fc.record({ mail: fc.constantFrom(...MAIL_CORPUS), run }).map(({ mail, run: [unit, count] }) => ({ mail, unit, count }));
    await fc.assert(
      fc.asyncProperty(grown, async ({ mail, unit, count }) => {
        // Text after the run keeps it inside the body (trailing blank lines are trimmed by the parser).
        const payload = Buffer.concat([mail, Buffer.from(`${unit.repeat(count)}\r\nThanks\r\n`)]);
        await exchange(
          { method: 'POST', url: '/leads/adf', headers: { ...auth.write, 'content-type': 'message/rfc822' }, payload },
          {
            auditRow: true,
            maxMs: GROWN_MS,
            writes: (status) => (status === 422 || status === 202 ? { quarantine: [0, 1] } : {}),
          },
        );
      }),
      fuzzOptions(40, 25_000),
    );
  });

  test('bodies of megabytes on every write route: refused (413 or another 4xx), nothing written', async () => {
    // Sizes, not bytes, are generated: a counterexample prints as a few words instead of megabytes.
    const big = fc.record({
      route: fc.constantFrom(
        '/leads',
        '/leads/adf',
        '/salespeople',
        '/webhooks/sendgrid',
        '/webhooks/twilio/inbound',
        '/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAA',
        '/leads/x/stop',
      ),
      kind: fc.constantFrom('lead-json', 'raw'),
      mb: fc.constantFrom(1, 3, 5.01),
      type: fc.constantFrom('application/json', 'application/xml', 'application/x-www-form-urlencoded', 'text/plain'),
    });
    await fc.assert(
      fc.asyncProperty(big, async (b) => {
        const bytes = Math.round(b.mb * 1024 * 1024);
        const payload =
          b.kind === 'raw'
            ? Buffer.alloc(bytes, 0x61)
            : JSON.stringify({ source: 'fuzz', contact: { email: 'big@example.com' }, payload: { blob: 'x'.repeat(bytes) } });
        const res = await exchange(
          { method: 'POST', url: b.route, headers: { ...auth.admin, 'content-type': b.type }, payload },
          {
            writes: (status) => (b.route === '/leads/adf' && status === 422 ? { quarantine: [0, 1] } : {}),
          },
        );
        assert.ok(res.statusCode >= 400, `${b.mb} MB to ${b.route} answered ${res.statusCode}`);
      }),
      fuzzOptions(30, 20_000),
    );
  });

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
    const scenario = action.chain((a) =>
      fc.record({
        action: fc.constant(a),
        id: fc.oneof({ arbitrary: fc.constantFrom(...targets).map(pct), weight: 2 }, { arbitrary: pathParam, weight: 3 }),
        body: fc.oneof({ arbitrary: shaped(a), weight: 4 }, { arbitrary: anyBody, weight: 1 }),
        type: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 4 }, { arbitrary: contentType, weight: 1 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const url = `/leads/${s.id}/${s.action}`;
        const res = await exchange({ method: 'POST', url, headers: withType(s.type, auth.write), payload: s.body }, { auditRow: routable(url) });
        if (res.statusCode === 202) assert.ok(targets.map(pct).includes(s.id), `202 for a lead that does not run: ${s.id}`);
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
    const id = fc
      .oneof({ arbitrary: fc.constant(''), weight: 1 }, { arbitrary: pathParam, weight: 2 })
      .chain((p) => (p === '' && salespeople.length > 0 ? fc.constantFrom(...salespeople) : fc.constant(p)));
    const op = fc.oneof(
      fc.record({
        method: fc.constant('POST' as const),
        id: fc.constant(null),
        body: fc.oneof({ arbitrary: newRep, weight: 4 }, { arbitrary: anyBody, weight: 1 }),
      }),
      fc.record({
        method: fc.constant('PATCH' as const),
        id,
        body: fc.oneof(
          { arbitrary: withExtras(fc.record({ away: field(fc.boolean()) }, { requiredKeys: [] })).map((b) => JSON.stringify(b)), weight: 4 },
          { arbitrary: anyBody, weight: 1 },
        ),
      }),
      fc.record({ method: fc.constant('DELETE' as const), id, body: fc.constant(null) }),
    );
    await fc.assert(
      fc.asyncProperty(op, fc.constantFrom<'admin' | 'write'>('admin', 'admin', 'admin', 'write'), async (o, who) => {
        const url = o.id === null ? '/salespeople' : `/salespeople/${o.id}`;
        const res = await exchange(
          {
            method: o.method,
            url,
            headers: o.body === null ? auth[who] : { ...auth[who], 'content-type': 'application/json' },
            ...(o.body !== null && { payload: o.body }),
          },
          {
            auditRow: routable(url),
            writes: (status) => (status === 201 ? { salespeople: [1, 1] } : status === 204 ? { salespeople: [-1, -1] } : {}),
          },
        );
        if (res.statusCode === 201) salespeople.push(res.json<{ id: string }>().id);
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('lists and read routes: any query string', async () => {
    const route = fc.constantFrom('/leads', '/quarantine', '/audit', '/outbox', '/suppressions', '/salespeople', '/health', '/metrics', '/docs/json');
    await fc.assert(
      fc.asyncProperty(
        route,
        queryString,
        fc.constantFrom<'admin' | 'read'>('admin', 'admin', 'read'),
        fc.constantFrom<Method>('GET', 'GET', 'GET', 'HEAD'),
        async (r, qs, who, method) => {
          const res = await exchange({ method, url: `${r}${qs}`, headers: auth[who] });
          if (res.statusCode === 200 && method === 'GET' && !['/health', '/metrics', '/docs/json'].includes(r)) {
            const b = res.json<{ items?: unknown[]; limit?: number }>();
            assert.ok(Array.isArray(b.items), `${r}${qs}: no items`);
            if (b.limit !== undefined) assert.ok(b.items.length <= b.limit, `${r}${qs}: more items than the limit`);
          }
        },
      ),
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
    const id = fc.oneof(
      { arbitrary: pathParam, weight: 5 },
      { arbitrary: fc.constantFrom(quarantineId, randomUUID(), randomUUID().toUpperCase(), `${randomUUID()}x`).map(pct), weight: 2 },
    );
    await fc.assert(
      fc.asyncProperty(route, id, queryString, async (r, i, qs) => {
        const url = `${r.tpl.replace(':id', i)}${qs}`;
        await exchange({ method: r.method, url, headers: auth.write }, { auditRow: r.method === 'POST' && routable(url) });
      }),
      fuzzOptions(250, 20_000),
    );
  });

  test('GET /leads/:id of a stored lead whose workflow no worker polls (a worker down or backlogged) answers in time', async () => {
    // The detail reads the lead's live state with a workflow query; the DB view must answer without it.
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1 }), fc.constantFrom<Method>('GET', 'HEAD'), async (i, method) => {
        await exchange({ method, url: `/leads/${pct(targets[i] ?? '')}`, headers: auth.read });
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
      fc.constantFrom(auth.admin, auth.write, auth.read, {}),
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
        await exchange(
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

  // ---- webhooks ----------------------------------------------------------------------------

  const sgHeaders = (body: Buffer, o: { key?: typeof sgKeys; ts?: string } = {}) => {
    const ts = o.ts ?? String(Math.floor(Date.now() / 1000));
    const sig = sign('sha256', Buffer.concat([Buffer.from(ts), body]), (o.key ?? sgKeys).privateKey).toString('base64');
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
            fc.nat({ max: 1 }).map((i) => targets[i] ?? ''),
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
        const res = await exchange(
          { method: 'POST', url: '/webhooks/sendgrid', headers: sgHeaders(raw), payload: raw },
          {
            writes: (status) => (status === 200 ? { provider_events: [0, events], lead_events: [0, events] } : {}),
          },
        );
        assert.ok(
          res.statusCode === 200 || res.statusCode === 400,
          `a signed delivery is stored or refused as malformed, not ${res.statusCode}: ${preview(res.body)}`,
        );
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
      fc.asyncProperty(forgery, async (f) => {
        const now = Math.floor(Date.now() / 1000);
        const h: Record<string, string> = sgHeaders(
          f.body,
          f.how === 'other-key' ? { key: otherKeys } : f.how === 'stale' ? { ts: String(now - 3600) } : f.how === 'future' ? { ts: String(now + 3600) } : {},
        );
        let payload = f.body;
        if (f.how === 'unsigned') delete h['x-twilio-email-event-webhook-signature'];
        if (f.how === 'no-ts') delete h['x-twilio-email-event-webhook-timestamp'];
        if (f.how === 'tampered') payload = Buffer.concat([f.body, Buffer.from(' ')]);
        if (f.how === 'bad-ts') h['x-twilio-email-event-webhook-timestamp'] = f.ts;
        if (f.how === 'garbage-sig') h['x-twilio-email-event-webhook-signature'] = f.sig;
        const res = await exchange({ method: 'POST', url: '/webhooks/sendgrid', headers: h, payload });
        assert.ok(res.statusCode === 401 || res.statusCode === 403, `a ${f.how} delivery answered ${res.statusCode}: ${preview(res.body)}`);
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
      for (const [k, v] of Object.entries({ ...extra, ...known })) if (typeof v === 'string') entries.push([k, v === '__target__' ? targetPhone : v]);
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
              fc.nat({ max: 1 }).map((i) => targets[i] ?? ''),
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
        const res = await exchange(twilioRequest(target, form, twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params)), {
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
        const res = await exchange(twilioRequest(target, form, signature));
        // 400: the input checks refused the request target before the signature was looked at.
        assert.ok([400, 401, 403].includes(res.statusCode), `a ${h} request answered ${res.statusCode}: ${preview(res.body)}`);
      }),
      fuzzOptions(120, 20_000),
    );
  });

  // ---- signed links ------------------------------------------------------------------------

  test('token links: GET and POST /unsubscribe/:token and /handover/ack/:token with any token', async () => {
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const linkShaped = fc.string({ unit: fc.constantFrom(...b64), minLength: 24, maxLength: 24 });
    const real = fc.constantFrom(...validTokens.unsubscribe, ...validTokens.ack);
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
        const res = await exchange(
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

  // ---- what was accepted is stored -----------------------------------------------------------

  test('every lead the fuzz got accepted (202) becomes readable once a worker runs', async (t) => {
    t.diagnostic(
      `${stats.requests} requests, by status ${JSON.stringify(stats.byStatus)}; slowest ${stats.slowestMs.toFixed(0)} ms; ${accepted.size} leads accepted`,
    );
    if (accepted.size === 0) return;
    const worker = await createLeadWorker({
      dataConverter: testDataConverter,
      connection: stack.env.nativeConnection,
      namespace: 'default',
      db: stack.tdb.db,
      services: testServices(),
    });
    const running = worker.run();
    try {
      const missing: string[] = [];
      const deadline = Date.now() + 60_000;
      for (const [leadId, input] of accepted) {
        for (;;) {
          const res = await app.inject({ method: 'GET', url: `/leads/${pct(leadId)}`, headers: auth.read });
          assert.ok(res.statusCode < 500, `GET /leads/${leadId} answered ${res.statusCode}: ${preview(res.body)}`);
          if (res.statusCode === 200) break;
          if (Date.now() > deadline) {
            missing.push(`${leadId} (accepted for ${input})`);
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.deepEqual(missing, [], 'accepted leads that never became readable');
    } finally {
      worker.shutdown();
      await running;
    }
  });
});
