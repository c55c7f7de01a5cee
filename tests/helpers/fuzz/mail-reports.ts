// Generated multipart/report messages for the classifier fuzzers (tests/unit/fuzz-classifier-*.test.ts):
// delivery-status and feedback reports with any parts, part types, encodings, DSN fields and
// boundaries, closed or not, with CRLF or LF line endings.
import fc from 'fast-check';
import { TOKENS } from './mail-mutations.js';
import { nastyString } from './support.js';

export const PART_TYPES = [
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
export const DSN_FIELDS = [
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
export const DSN_VALUES = [
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

export const dsnBody = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...DSN_FIELDS), nastyString(12)), fc.oneof(fc.constantFrom(...DSN_VALUES), nastyString(60)), fc.boolean()), {
    maxLength: 12,
  })
  .map((fields) => fields.map(([k, v, blank]) => `${k}: ${v}\r\n${blank ? '\r\n' : ''}`).join(''));

export interface Part {
  type: string;
  params: string;
  encoding: string | null;
  body: string | Uint8Array;
}
export const part: fc.Arbitrary<Part> = fc.record({
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

export const reportMail = fc.record({
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

export function renderReport(r: typeof reportMail extends fc.Arbitrary<infer T> ? T : never): Buffer {
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
