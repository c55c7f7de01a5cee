// Request bodies for the operator registries the API fuzzers reach (tests/integration/fuzz-api-*.test.ts):
// inboxes, suppressions, campaigns (definition, steering, prospect lists, previews), the emergency
// stop, and the codec server's payloads. Each is shaped like the route's contract with fields
// sometimes replaced by bad values (bodies.ts `field`), so the fuzz reaches past the schema into
// the handlers while most bodies are still wrong somewhere.
import fc from 'fast-check';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, parsePayloadKeys } from '../../../temporal/codec.js';
import { campaignSpec, prospectsCsv } from '../campaigns/harness.js';
import { TEST_PAYLOAD_KEYS } from '../codec.js';
import { badValue, email, field, phone, withExtras } from './bodies.js';
import { nastyString } from './support.js';

const json = (b: fc.Arbitrary<unknown>) => b.map((v) => JSON.stringify(v) ?? '');
const reason = field(fc.constantFrom('bounce spike', 'x', ' ', 'x'.repeat(501), 'İ'.repeat(300)));
const when = fc.constantFrom('2099-01-01T00:00:00Z', '2001-01-01T00:00:00Z', '2099-13-01T00:00:00Z', 'tomorrow', '+275760-09-13T00:00:00Z');

// Inboxes. The fuzz world's login check refuses any connection that mentions "refuse".
const host = fc.constantFrom('smtp.example.com', 'smtp.example.com', 'mail.example.net', 'refuse.example', '', 'x'.repeat(300));
/** Inner fields are mostly valid (weight 8): a body must get past the schema to reach the login check. */
const server = fc
  .tuple(
    fc.record(
      {
        host: field(host, 8),
        port: field(fc.constantFrom(587, 465, 25, 0, 65536), 8),
        secure: field(fc.boolean(), 8),
        user: field(fc.constantFrom('rep@dealer.example', 'rep'), 8),
      },
      { requiredKeys: ['host'] },
    ),
    // A password inline or by variable name; sometimes neither, or both (refused).
    fc.oneof(
      { arbitrary: fc.record({ password: field(fc.constantFrom('pw', 'pw', 'refuse', 'x'.repeat(5000)), 8) }), weight: 4 },
      { arbitrary: fc.record({ passwordEnv: field(fc.constantFrom('SMTP_PASSWORD', 'NOT_SET_ANYWHERE', '1BAD'), 8) }), weight: 2 },
      { arbitrary: fc.constant({}), weight: 1 },
      { arbitrary: fc.constant({ password: 'pw', passwordEnv: 'SMTP_PASSWORD' }), weight: 1 },
    ),
  )
  .map(([a, b]) => ({ ...a, ...b }));
const policy = fc.oneof(
  fc.record(
    {
      dailyCap: field(fc.constantFrom(1, 40, 0, 1e9)),
      ramp: field(fc.constantFrom([5, 10], [], [0], [1e9])),
      minGapSeconds: field(fc.constantFrom(0, 300, -1)),
      window: field(fc.constantFrom(null, { timeZone: 'America/Chicago' }, { startHour: 17, endHour: 9 }, { timeZone: 'Mars/Olympus' })),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(nastyString(12), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
const sections: Record<'smtp' | 'sendgrid' | 'sms', fc.Arbitrary<Record<string, unknown>>> = {
  smtp: fc.record(
    {
      smtp: field(server, 8),
      imap: field(
        server.map((x) => ({ ...x, mailbox: 'INBOX' })),
        2,
      ),
    },
    { requiredKeys: ['smtp'] },
  ),
  sendgrid: fc.record({
    sendgrid: field(
      fc.oneof(fc.record({ apiKey: field(fc.constantFrom('SG.x', 'refuse'), 8) }), fc.record({ apiKeyEnv: field(fc.constantFrom('SG_KEY', 'UNSET_KEY'), 8) })),
      8,
    ),
  }),
  sms: fc.record({
    twilio: field(
      fc.record(
        {
          accountSid: field(fc.constantFrom(`AC${'0'.repeat(32)}`, 'AC1'), 8),
          authToken: field(fc.constantFrom('tok', 'refuse'), 8),
          messagingServiceSid: field(fc.constantFrom(`MG${'a'.repeat(32)}`, 'MG1')),
        },
        { requiredKeys: ['accountSid', 'authToken'] },
      ),
      8,
    ),
  }),
};
/** A kind, an address of that kind and that kind's connection section, each sometimes wrong (or another kind's). */
export const inboxBody = json(
  withExtras(
    fc.constantFrom('smtp', 'sendgrid', 'sms').chain((kind) =>
      fc
        .tuple(
          fc.record(
            {
              id: field(
                fc.oneof(
                  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), weight: 3 },
                  { arbitrary: fc.constantFrom('fuzz-smtp', 'default', 'Rep', '-x', 'a'.repeat(64)), weight: 1 },
                ),
                8,
              ),
              kind: field(fc.constant(kind), 8),
              address: field(
                kind === 'sms'
                  ? fc.constantFrom('+15555550123', `MG${'a'.repeat(32)}`, 'rep@dealer.example')
                  : fc.oneof({ arbitrary: email, weight: 3 }, { arbitrary: phone, weight: 1 }),
                8,
              ),
              displayName: field(fc.constantFrom('Rep at Dealer', 'Zoë'), 8),
            },
            { requiredKeys: ['id', 'kind', 'address'] },
          ),
          fc.oneof({ arbitrary: sections[kind], weight: 6 }, { arbitrary: fc.constantFrom(...Object.values(sections)).chain((a) => a), weight: 1 }),
          // A policy now and then: most generated ones are refused, and they would hide the rest.
          fc.option(fc.record({ policy: field(policy) }), { freq: 3 }),
        )
        .map(([base, conn, p]) => ({ ...base, ...conn, ...p })),
    ),
  ),
);

/** Mostly one change at a time, as an operator makes them; sometimes several. */
export const inboxPatch = json(
  withExtras(
    fc.oneof(
      fc.record({ displayName: field(fc.constantFrom(null, 'New name', 'Zoë at Dealer'), 8) }),
      fc.record({ address: field(fc.oneof(email, phone), 8) }),
      fc.record({ policy: field(policy, 8) }),
      fc.record({
        smtp: field(
          server.map(({ host: _h, ...rest }) => rest),
          8,
        ),
      }),
      fc.record(
        { displayName: field(fc.constantFrom(null, 'New name')), address: field(email), policy: field(policy), smtp: field(server) },
        { requiredKeys: [] },
      ),
    ),
  ),
);
export const pauseBody = json(withExtras(fc.record({ reason, until: field(when) }, { requiredKeys: ['reason'] })));

// Suppressions.
export const suppressionBody = json(
  withExtras(
    fc.record({ address: field(fc.oneof(email, phone, fc.constantFrom('+15555550100', 'no-at-sign', ' x@example.com '))), reason }, { requiredKeys: [] }),
  ),
);
export const releaseBody = fc.option(json(withExtras(fc.record({ reason }, { requiredKeys: [] }))), { freq: 3 });

// Campaigns: the harness's valid spec with members replaced or removed.
const SPEC = campaignSpec() as unknown as Record<string, unknown>;
const specMember = fc.constantFrom(...Object.keys(SPEC), 'steps.0.variants', 'steps.0.delay', 'unknownMember');
export const campaignBody = json(
  fc.oneof(
    { arbitrary: fc.constant(SPEC), weight: 2 },
    {
      arbitrary: fc.array(fc.tuple(specMember, badValue), { minLength: 1, maxLength: 3 }).map((edits) => {
        const spec = structuredClone(SPEC);
        for (const [path, v] of edits) {
          const [head, i, tail] = path.split('.');
          const steps = spec.steps;
          const step = head === 'steps' && i !== undefined && Array.isArray(steps) ? (steps[Number(i)] as unknown) : undefined;
          // A member of the first step, unless an earlier edit replaced the steps with a bad value.
          if (head === 'steps' && tail !== undefined && (typeof step !== 'object' || step === null)) continue;
          const target = (step as Record<string, unknown> | undefined) ?? spec;
          const key = step !== undefined ? (tail ?? '') : path;
          if (v === undefined) delete target[key];
          else target[key] = v;
        }
        return spec;
      }),
      weight: 5,
    },
  ),
);
export const actionBody = fc.option(json(withExtras(fc.record({ reason: field(fc.constantFrom('quarterly review', 'x')) }, { requiredKeys: [] }))), {
  freq: 3,
});
export const ifMatch = fc.option(fc.constantFrom('"1"', '"2"', 'W/"1"', '"x"', '*', '"1e400"', ''), { freq: 2 });
export const previewBody = json(
  withExtras(
    fc.record(
      {
        prospect: field(
          fc.record(
            {
              firstName: field(fc.constantFrom('Jane', null, '{{ evil }}', 'x'.repeat(3000))),
              email: field(fc.option(email)),
              fields: field(fc.dictionary(nastyString(20), nastyString(40), { maxKeys: 3 })),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  ),
);

/** A prospect list as sent: CSV or JSON (valid, mutated or bytes), its content type, and a query string. */
export const prospectUpload = fc.record({
  body: fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 5 }).map((n) => prospectsCsv(n)), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 3 }).map((n) => prospectsCsv(n, { extraRows: ['not-an-email,X,Y,Z', '"unterminated,quote'] })), weight: 2 },
    {
      arbitrary: fc
        .array(fc.record({ email: field(email), firstName: field(fc.constantFrom('Ann', '=CMD()')) }, { requiredKeys: [] }), { maxLength: 4 })
        .map((r) => JSON.stringify(r)),
      weight: 2,
    },
    { arbitrary: nastyString(200), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), weight: 1 },
  ),
  type: fc.constantFrom(
    'text/csv',
    'text/csv',
    'text/csv; charset=windows-1252',
    'text/csv; charset=shift_jis',
    'application/json',
    'application/octet-stream',
    'text/plain',
    '',
  ),
  query: fc.constantFrom(
    '',
    '',
    '?dryRun=true',
    '?format=json',
    '?format=xml',
    '?region=GB',
    '?region=GBR',
    '?mapping=%7B%22Email%22%3A%22email%22%7D',
    '?mapping=%7B',
    '?dryRun=maybe',
  ),
  key: fc.option(fc.constantFrom('import-1', ' ', 'x'.repeat(300)), { freq: 2 }),
});

// The emergency stop.
export const stopBody = json(
  withExtras(fc.record({ reason: field(fc.constantFrom('complaint spike', ' trimmed ', '   ', 'x'.repeat(501))) }, { requiredKeys: [] })),
);
export const resumeBody = json(
  withExtras(
    fc.record(
      {
        ramp: field(
          fc.option(
            fc.record(
              {
                initialPerMinute: field(fc.constantFrom(1, 5, 60, 0, 1e9)),
                doublingEveryMinutes: field(fc.constantFrom(1, 60, 30, 0)),
                maxPerMinute: field(fc.constantFrom(10, 10_000, 500, -1)),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  ),
);

// The codec server: payloads as the Web UI sends them, encrypted with the test keys or not, and altered.
const codec = new AesGcmCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS));
const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');
const wire = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});
/** One encrypted payload per value, made once (the codec is async; fast-check arbitraries are not). */
export async function encryptedPayloads(values: unknown[]): Promise<Array<ReturnType<typeof wire>>> {
  const plain = values.map((v) => defaultPayloadConverter.toPayload(v));
  return (await codec.encode(plain)).map(wire);
}
export const codecPayload = (encrypted: Array<ReturnType<typeof wire>>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...encrypted), weight: 3 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...encrypted), fc.nat(), fc.constantFrom('A', '=', '*', ''))
        .map(([p, at, c]) => ({ ...p, data: `${p.data.slice(0, at % p.data.length)}${c}${p.data.slice((at % p.data.length) + 1)}` })),
      weight: 2,
    },
    { arbitrary: fc.constant(wire(defaultPayloadConverter.toPayload({ plain: true }))), weight: 1 },
    {
      arbitrary: fc.record(
        { metadata: field(fc.dictionary(nastyString(12), fc.base64String({ maxLength: 24 }), { maxKeys: 3 })), data: field(fc.base64String()) },
        { requiredKeys: [] },
      ),
      weight: 2,
    },
    { arbitrary: badValue, weight: 1 },
  );
export const codecBody = (encrypted: Array<ReturnType<typeof wire>>) =>
  fc.oneof(
    { arbitrary: json(withExtras(fc.record({ payloads: field(fc.array(codecPayload(encrypted), { maxLength: 4 })) }, { requiredKeys: [] }))), weight: 5 },
    { arbitrary: fc.constant('{"payloads":[]}'), weight: 1 },
  );
