// Mutations of the fixture mails for the classifier fuzzers (tests/unit/fuzz-classifier-*.test.ts):
// splices of MIME and DSN syntax, byte flips, truncation, duplicated and huge headers, broken
// boundaries and line endings (`structural`), and growth to ~200 KB in the runs that have been slow
// (`growing`), applied by `mutate`.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { nastyString } from './support.js';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/mail');
/** tests/fixtures/mail/*.eml, by name. */
export const CORPUS = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((name) => ({ name, bytes: fs.readFileSync(path.join(DIR, name)) }));

// Splices that have broken MIME parsers: header and boundary syntax, encoded words, DSN fields.
export const TOKENS = [
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

export type Mutation =
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
export const structural: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), nastyString(24)) }), weight: 4 },
  fc.record({ kind: fc.constant('duplicateHeader' as const), which: fc.nat(), times: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('boundary' as const), text: fc.oneof(fc.constantFrom('', '"', '--', ' ', '""', 'a'.repeat(200), '*', '\\'), nastyString(70)) }),
  fc.record({ kind: fc.constant('unclose' as const) }),
  fc.record({ kind: fc.constant('newlines' as const), to: fc.constantFrom('\n' as const, '\r\n' as const, '\r' as const) }),
);

/** What one duplicateHeader mutation may add (it duplicates one header line up to `times`). */
const DUPLICATED_MAX = 256 * 1024;

/** Mutations that make a mail large (up to ~200 KB): a classifier must stay linear in its size. */
export const growing: fc.Arbitrary<Mutation> = fc.oneof(
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
export function headerLines(text: string): Array<[number, number]> {
  const end = text.search(/\r?\n\r?\n/);
  const lines: Array<[number, number]> = [];
  let at = 0;
  for (const line of text.slice(0, end < 0 ? text.length : end).split('\n')) {
    lines.push([at, at + line.length + 1]);
    at += line.length + 1;
  }
  return lines;
}

export function mutate(bytes: Buffer, m: Mutation): Buffer {
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
      // At most ~256 KB more, like the other growths: the "line" may be a 100 KB header, or the whole
      // message when it has no LF (after `newlines` to CR), and 818 copies of that were 385 MB.
      const times = Math.max(1, Math.min(m.times, Math.floor(DUPLICATED_MAX / line.length)));
      return latin1(text.slice(0, span[1]) + line.repeat(times) + text.slice(span[1]));
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
