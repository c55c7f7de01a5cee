// IN PROGRESS (hardening issue: fault suite and fuzzing). Not run by npm test yet: it is named
// .wip.ts until it passes reliably (see the issue's note for what it found); rename to .test.ts.
// Fuzzing the inbound mail classifier. The contract under test: for ANY bytes, classifyMail
// resolves with a well-shaped Classification (kind in the known set) or rejects with
// UnreadableMailError — never another error, never a hang, never a slow call. Inputs: arbitrary
// bytes, mutated copies of the fixture mails (byte flips, truncation, duplicated and huge headers,
// broken MIME boundaries) and generated multipart/report messages. FUZZ_RUNS scales the runs,
// FUZZ_SEED / FUZZ_PATH replay a failure (tests/helpers/fuzz/support.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import type { Classification } from '../../domain/mail/classify/index.js';
import { ClassifierSandbox } from '../helpers/fuzz/classify-sandbox.js';
import { fuzzOptions, nastyString, preview, saveInput } from '../helpers/fuzz/support.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/mail');
const CORPUS = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((name) => ({ name, bytes: fs.readFileSync(path.join(DIR, name)) }));
/** No single message may take longer than this (the largest generated input is ~300 KB). */
const SLOW_MS = 2000;

const KINDS = new Set(['adf-lead', 'reply', 'auto-reply', 'bounce', 'complaint', 'other']);
const BOUNCE_TYPES = new Set(['hard', 'soft', 'block']);
const INTENTS = new Set(['interested', 'question', 'not_interested', 'unsubscribe', 'out_of_office', 'wrong_person', 'other']);

const nullableString = (v: unknown, what: string) => assert.ok(v === null || typeof v === 'string', `${what} is ${inspect(v)}`);
const stringList = (v: unknown, what: string) => assert.ok(Array.isArray(v) && v.every((x) => typeof x === 'string'), `${what} is ${inspect(v)}`);

/** The Classification contract (domain/mail/classify/types.ts), field by field. */
function assertClassification(c: Classification): void {
  assert.ok(typeof c === 'object' && c !== null, `resolved with ${inspect(c)}`);
  assert.ok(KINDS.has(c.kind), `kind ${inspect(c.kind)}`);
  for (const k of ['inReplyTo', 'originalMessageId', 'messageId', 'from', 'subject'] as const) nullableString(c[k], k);
  stringList(c.references, 'references');
  stringList(c.recipients, 'recipients');
  if (c.kind === 'bounce') {
    assert.ok(c.bounce !== undefined && BOUNCE_TYPES.has(c.bounce.type), `bounce ${inspect(c.bounce)}`);
    for (const k of ['recipient', 'status', 'diagnostic'] as const) nullableString(c.bounce[k], `bounce.${k}`);
  }
  if (c.kind === 'reply' || c.kind === 'auto-reply') {
    assert.equal(typeof c.replyText, 'string', 'replyText');
    assert.ok(c.intent !== undefined && INTENTS.has(c.intent), `intent ${inspect(c.intent)}`);
  }
  if (c.kind === 'auto-reply') {
    nullableString(c.returnDate, 'returnDate');
    if (typeof c.returnDate === 'string') assert.match(c.returnDate, /^\d{4}-\d{2}-\d{2}$/, 'returnDate is a calendar date');
  }
  if (c.kind === 'adf-lead') assert.ok(Array.isArray(c.prospects) && c.prospects.length > 0, 'an ADF lead has prospects');
  // Plain JSON: it crosses into workflows and the CLI's output as is.
  assert.doesNotThrow(() => JSON.stringify(c));
}

interface Stats {
  runs: number;
  kinds: Record<string, number>;
  unreadable: number;
  maxMs: number;
  maxBytes: number;
}
const newStats = (): Stats => ({ runs: 0, kinds: {}, unreadable: 0, maxMs: 0, maxBytes: 0 });
const summary = (s: Stats) =>
  `${s.runs} inputs: ${JSON.stringify(s.kinds)}, ${s.unreadable} unreadable; slowest ${s.maxMs.toFixed(0)} ms; largest ${s.maxBytes} bytes; ${sandbox.restarts} sandbox restarts`;

// The classifier runs in a worker thread that is terminated when a call overruns (a synchronous
// hang cannot be interrupted in-process).
const sandbox = new ClassifierSandbox();

/** The input of the last failing run: after shrinking, the reported counterexample. */
let lastFailing: Buffer | null = null;

/** fc.assert, with the counterexample's bytes saved to a file named in the failure. */
async function assertProperty<T>(property: fc.IAsyncPropertyWithHooks<T>, params: fc.Parameters<T>): Promise<void> {
  lastFailing = null;
  try {
    await fc.assert(property, params);
  } catch (err) {
    if (lastFailing !== null && err instanceof Error) err.message += `\nThe counterexample's bytes are saved in ${saveInput('mail', lastFailing, 'eml')}`;
    throw err;
  }
}

/** The contract for one input. */
async function checkContract(raw: Buffer, stats: Stats): Promise<void> {
  const a = await sandbox.classify(raw, SLOW_MS);
  stats.runs++;
  stats.maxMs = Math.max(stats.maxMs, a.ms);
  stats.maxBytes = Math.max(stats.maxBytes, raw.length);
  const input = () => {
    lastFailing = raw;
    return `${raw.length} bytes: ${preview(raw, 240)}`;
  };
  switch (a.outcome) {
    case 'timeout':
    case 'crashed':
    case 'threw':
      assert.fail(`${a.error}\n  input ${input()}`);
      break;
    case 'unreadable':
      assert.ok(a.error.length > 0, 'an UnreadableMailError says why');
      stats.unreadable++;
      break;
    case 'classified':
      assertClassification(a.classification);
      stats.kinds[a.classification.kind] = (stats.kinds[a.classification.kind] ?? 0) + 1;
  }
  if (a.ms >= SLOW_MS) assert.fail(`classifying took ${a.ms.toFixed(0)} ms (bound ${SLOW_MS} ms)\n  input ${input()}`);
}

// ---- mutations of the fixture mails -----------------------------------------------------

// Splices that have broken MIME parsers: header and boundary syntax, encoded words, DSN fields.
const TOKENS = [
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  '\n\n',
  '--',
  '\r\n--',
  '\u0000',
  '\xff\xfe',
  '\ufeff',
  ':',
  ';',
  '"',
  '=',
  '=\r\n',
  '\t',
  ' ',
  '=?',
  '?=',
  '=?utf-8?B?',
  '=?utf-8?B?////?=',
  '=?iso-8859-1?Q?=E9=?=',
  '=?bogus?X?abc?=',
  '=?utf-8?q?',
  '=?UTF-7?B?KwA-?=',
  'Content-Type: multipart/mixed; boundary=',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n',
  'Content-Type: message/rfc822\r\n\r\n',
  'Content-Type: message/delivery-status\r\n\r\n',
  'Content-Type: text/plain; charset="bogus-9"\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  'Content-Transfer-Encoding: x-uuencode\r\n',
  "Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%ZZ.xml\r\n",
  'charset=utf-7',
  'charset=""',
  'boundary=""',
  'boundary=',
  'From: MAILER-DAEMON@mx.example\r\n',
  'From: <>\r\n',
  'From: "\\"" <@>\r\n',
  'Subject: Undelivered Mail Returned to Sender\r\n',
  'Subject: Re: \r\n',
  'Auto-Submitted: auto-replied\r\n',
  'Precedence: auto_reply\r\n',
  'In-Reply-To: <<<>>>\r\n',
  'References: <a@b> <c@d\r\n',
  'Message-ID: \r\n',
  'Date: Mon, 99 Foo 99999 99:99:99 +9999\r\n',
  'Date: \r\n',
  'Status: 5.1.1\r\n',
  'Action: failed\r\n',
  'Action: delayed\r\n',
  'Final-Recipient: rfc822;\r\n',
  'Diagnostic-Code: smtp; 550 5.7.1 blocked\r\n',
  'Feedback-Type: abuse\r\n',
  'report-type=feedback-report',
  '<adf>',
  '<?xml version="1.0"?><adf><prospect><customer><contact><name part="full">X</name><email>x@y.z</email></contact></customer></prospect></adf>',
  '</adf>',
  '<?xml version="1.0" encoding="utf-16"?>',
  'back on Monday',
  'until 31/02/2026',
  'returning 2026-13-45',
  '💥',
  '\ud800',
];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicateHeader'; which: number; times: number }
  | { kind: 'hugeHeader'; name: string; char: string; length: number; folded: boolean }
  | { kind: 'boundary'; text: string }
  | { kind: 'unclose' }
  | { kind: 'newlines'; to: '\n' | '\r\n' | '\r' }
  | { kind: 'hugeBody'; char: string; length: number };

/** Mutations that keep the size of a mail: they break its structure. */
const structural: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), nastyString(24)) }), weight: 4 },
  fc.record({ kind: fc.constant('duplicateHeader' as const), which: fc.nat(), times: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('boundary' as const), text: fc.oneof(fc.constantFrom('', '"', '--', ' ', '""', 'a'.repeat(200), '*', '\\'), nastyString(70)) }),
  fc.record({ kind: fc.constant('unclose' as const) }),
  fc.record({ kind: fc.constant('newlines' as const), to: fc.constantFrom('\n' as const, '\r\n' as const, '\r' as const) }),
);

/** Mutations that make a mail large (up to ~200 KB): a classifier must stay linear in its size. */
const growing: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('duplicateHeader' as const), which: fc.nat(), times: fc.integer({ min: 100, max: 2000 }) }),
  fc.record({
    kind: fc.constant('hugeHeader' as const),
    name: fc.constantFrom('Subject', 'From', 'To', 'Message-ID', 'References', 'In-Reply-To', 'Content-Type', 'X-Fuzz', 'Auto-Submitted', 'Date'),
    char: fc.constantFrom('a', ' ', '<', '@', ';', '=', '"', '\t', ',', 'é', '💥'),
    length: fc.integer({ min: 1000, max: 100_000 }),
    folded: fc.boolean(),
  }),
  {
    arbitrary: fc.record({
      kind: fc.constant('hugeBody' as const),
      // Runs that have been slow: blank lines, whitespace, digits, words of quote headers ("On ... at ... wrote:").
      char: fc.constantFrom('a', 'a@', 'x.', '5', '5.1.', ' ', '\t', '-', '>', '\n', '\r\n', '\r\n ', '=', 'back ', 'On 1 2\n', 'on at ', 'Message-ID: '),
      length: fc.integer({ min: 2_000, max: 200_000 }),
    }),
    weight: 2,
  },
);

/** The header block's lines (the part before the first blank line), as [start, end] offsets. */
function headerLines(text: string): Array<[number, number]> {
  const end = text.search(/\r?\n\r?\n/);
  const lines: Array<[number, number]> = [];
  let at = 0;
  for (const line of text.slice(0, end < 0 ? text.length : end).split('\n')) {
    lines.push([at, at + line.length + 1]);
    at += line.length + 1;
  }
  return lines;
}

function mutate(bytes: Buffer, m: Mutation): Buffer {
  // latin1 keeps every byte as one char, so offsets in the text are offsets in the bytes.
  const text = bytes.toString('latin1');
  const at = 'at' in m ? m.at % (bytes.length + 1) : 0;
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  switch (m.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      copy[at % bytes.length] = m.value;
      return copy;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text), bytes.subarray(at)]);
    case 'duplicateHeader': {
      const lines = headerLines(text);
      const span = lines[m.which % Math.max(1, lines.length)];
      if (span === undefined) return bytes;
      const line = text.slice(span[0], span[1]);
      return latin1(text.slice(0, span[1]) + line.repeat(m.times) + text.slice(span[1]));
    }
    case 'hugeHeader': {
      const value = m.folded ? Array.from({ length: Math.ceil(m.length / 70) }, () => m.char.repeat(70)).join('\r\n ') : m.char.repeat(m.length);
      return Buffer.concat([Buffer.from(`${m.name}: ${value}\r\n`), bytes]);
    }
    case 'boundary': {
      const match = /boundary="?([^";\r\n]+)"?/i.exec(text);
      if (match?.[1] === undefined) return bytes;
      // Every use of the old boundary (the parameter and the delimiters) gets the new one.
      return Buffer.concat(text.split(match[1]).flatMap((piece, i) => (i === 0 ? [latin1(piece)] : [Buffer.from(m.text), latin1(piece)])));
    }
    case 'unclose': {
      const close = text.lastIndexOf('--\n') >= 0 ? text.lastIndexOf('--\n') : text.lastIndexOf('--');
      return close < 0 ? bytes : latin1(text.slice(0, close));
    }
    case 'newlines':
      return latin1(text.replace(/\r\n|\r|\n/g, m.to));
    case 'hugeBody':
      // Text after the run keeps it inside the body (the parser trims trailing blank lines).
      return Buffer.concat([bytes, Buffer.from(`${m.char.repeat(Math.ceil(m.length / m.char.length))}\r\nend\r\n`)]);
  }
}

// ---- generated multipart/report messages ------------------------------------------------

const PART_TYPES = [
  'text/plain',
  'text/html',
  'message/delivery-status',
  'message/global-delivery-status',
  'message/rfc822',
  'text/rfc822-headers',
  'message/global-headers',
  'message/feedback-report',
  'message/global',
  'application/xml',
  'multipart/mixed',
  'multipart/alternative',
  'application/octet-stream',
];
const DSN_FIELDS = [
  'Reporting-MTA',
  'Final-Recipient',
  'Original-Recipient',
  'Action',
  'Status',
  'Diagnostic-Code',
  'Remote-MTA',
  'Arrival-Date',
  'Feedback-Type',
  'User-Agent',
  'Version',
  'Original-Mail-From',
  'Message-ID',
  'In-Reply-To',
  'From',
  'Subject',
];
const DSN_VALUES = [
  'failed',
  'delayed',
  'delivered',
  'relayed',
  'expanded',
  '5.1.1',
  '4.4.1',
  '5.7.1',
  '5.2.2',
  '9.9.9',
  '5.',
  'rfc822; a@b.example',
  'rfc822;',
  'smtp; 550 5.1.1 user unknown',
  'smtp;',
  'abuse',
  '<orig@acme.test>',
  '<',
  'dns; mx.example',
  '',
];

const dsnBody = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...DSN_FIELDS), nastyString(12)), fc.oneof(fc.constantFrom(...DSN_VALUES), nastyString(60)), fc.boolean()), {
    maxLength: 12,
  })
  .map((fields) => fields.map(([k, v, blank]) => `${k}: ${v}\r\n${blank ? '\r\n' : ''}`).join(''));

interface Part {
  type: string;
  params: string;
  encoding: string | null;
  body: string | Uint8Array;
}
const part: fc.Arbitrary<Part> = fc.record({
  type: fc.oneof({ arbitrary: fc.constantFrom(...PART_TYPES), weight: 5 }, nastyString(20)),
  params: fc.constantFrom(
    '',
    '; charset=utf-8',
    '; charset=iso-8859-1',
    '; charset=bogus',
    '; charset=utf-16',
    '; name="x.xml"',
    '; boundary=inner',
    '; report-type=delivery-status',
  ),
  encoding: fc.constantFrom(null, '7bit', '8bit', 'base64', 'quoted-printable', 'binary', 'x-garbage'),
  body: fc.oneof(dsnBody, nastyString(200), fc.uint8Array({ maxLength: 400 }), fc.constantFrom(...TOKENS)),
});

const reportMail = fc.record({
  headers: fc.array(
    fc.tuple(
      fc.constantFrom('From', 'To', 'Subject', 'Message-ID', 'In-Reply-To', 'References', 'Date', 'Auto-Submitted', 'Delivered-To', 'Cc', 'X-Fuzz'),
      nastyString(60),
    ),
    { maxLength: 8 },
  ),
  reportType: fc.oneof(fc.constantFrom('delivery-status', 'feedback-report', 'disposition-notification', '', '"delivery-status"'), nastyString(20)),
  boundary: fc.oneof(fc.constantFrom('b', 'x'.repeat(70), '', '--', '=_Part_0', ' '), nastyString(30)),
  parts: fc.array(part, { maxLength: 6 }),
  closed: fc.boolean(),
  lf: fc.boolean(),
  encodePart: fc.boolean(),
});

function renderReport(r: typeof reportMail extends fc.Arbitrary<infer T> ? T : never): Buffer {
  const nl = r.lf ? '\n' : '\r\n';
  const chunks: Buffer[] = [
    Buffer.from(
      [
        ...r.headers.map(([k, v]) => `${k}: ${v}`),
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=${r.reportType}; boundary="${r.boundary}"`,
        '',
        'This is a MIME report.',
        '',
      ].join(nl),
    ),
  ];
  for (const p of r.parts) {
    const body = typeof p.body === 'string' ? Buffer.from(p.body) : Buffer.from(p.body);
    const encoded = p.encoding === 'base64' && r.encodePart ? Buffer.from(body.toString('base64').replace(/.{76}/g, `$&${nl}`)) : body;
    chunks.push(
      Buffer.from(
        `${nl}--${r.boundary}${nl}Content-Type: ${p.type}${p.params}${nl}${p.encoding === null ? '' : `Content-Transfer-Encoding: ${p.encoding}${nl}`}${nl}`,
      ),
      encoded,
    );
  }
  if (r.closed) chunks.push(Buffer.from(`${nl}--${r.boundary}--${nl}`));
  return Buffer.concat(chunks);
}

describe('mail classifier fuzzing', () => {
  after(() => sandbox.close());

  // Header names a mail has, so random text sometimes gets past "not an e-mail message".
  const headerName = fc.oneof(
    fc.constantFrom('From', 'To', 'Subject', 'Message-ID', 'In-Reply-To', 'References', 'Content-Type', 'Date', 'Auto-Submitted', 'MIME-Version'),
    nastyString(12),
  );

  test('arbitrary bytes: a Classification or UnreadableMailError', async (t) => {
    const stats = newStats();
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 4096, size: 'medium' }),
      fc
        .array(fc.tuple(headerName, nastyString(80)), { maxLength: 10 })
        .map((h) => new TextEncoder().encode(`${h.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\nbody`)),
      fc
        .tuple(fc.array(fc.tuple(headerName, nastyString(60)), { maxLength: 6 }), fc.uint8Array({ maxLength: 1024 }))
        .map(([h, body]) => Buffer.concat([Buffer.from(`${h.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`), body])),
    );
    await assertProperty(
      fc.asyncProperty(bytes, async (b) => checkContract(Buffer.from(b), stats)),
      fuzzOptions(600, 20_000),
    );
    t.diagnostic(summary(stats));
  });

  test('structurally mutated fixture mails: a Classification or UnreadableMailError', async (t) => {
    const stats = newStats();
    const scenario = fc.record({ mail: fc.nat({ max: CORPUS.length - 1 }), mutations: fc.array(structural, { minLength: 1, maxLength: 4 }) });
    await assertProperty(
      fc.asyncProperty(scenario, async ({ mail, mutations }) => {
        await checkContract(mutations.reduce(mutate, CORPUS[mail]?.bytes ?? Buffer.alloc(0)), stats);
      }),
      fuzzOptions(1000, 20_000),
    );
    t.diagnostic(summary(stats));
    assert.ok(Object.keys(stats.kinds).length >= 4, `the mutations keep most kinds reachable: ${JSON.stringify(stats.kinds)}`);
  });

  test(`fixture mails grown to ~200 KB (huge headers and bodies, duplicated headers): each classified within ${SLOW_MS} ms`, async (t) => {
    const stats = newStats();
    const scenario = fc.record({
      mail: fc.nat({ max: CORPUS.length - 1 }),
      mutations: fc.array(fc.oneof(growing, structural), { minLength: 1, maxLength: 3 }),
    });
    await assertProperty(
      fc.asyncProperty(scenario, async ({ mail, mutations }) => {
        await checkContract(mutations.reduce(mutate, CORPUS[mail]?.bytes ?? Buffer.alloc(0)), stats);
      }),
      fuzzOptions(120, 30_000),
    );
    t.diagnostic(summary(stats));
  });

  test('generated multipart/report messages: a Classification or UnreadableMailError', async (t) => {
    const stats = newStats();
    await assertProperty(
      fc.asyncProperty(reportMail, async (r) => checkContract(renderReport(r), stats)),
      fuzzOptions(700, 20_000),
    );
    t.diagnostic(summary(stats));
  });

  test('every truncation of a DSN and an ARF report', async (t) => {
    const stats = newStats();
    for (const name of ['postfix-hard-bounce.eml', 'arf-complaint.eml', 'exchange-block.eml']) {
      const bytes = CORPUS.find((c) => c.name === name)?.bytes ?? Buffer.alloc(0);
      for (let end = 0; end <= bytes.length; end += 5) {
        try {
          await checkContract(bytes.subarray(0, end), stats);
        } catch (err) {
          if (err instanceof Error) err.message = `tests/fixtures/mail/${name} truncated to its first ${end} bytes: ${err.message}`;
          throw err;
        }
      }
    }
    t.diagnostic(summary(stats));
  });
});
