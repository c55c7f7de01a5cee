// Fuzzing the inbound mail classifier with generated input: arbitrary bytes (and header-shaped
// text), generated multipart/report messages, and every truncation of a DSN and an ARF report.
// The contract (tests/helpers/fuzz/mail-contract.ts): a well-shaped Classification or an
// UnreadableMailError, never another error, never a hang, never a slow call. FUZZ_RUNS scales the
// runs, FUZZ_SEED / FUZZ_PATH replay a failure (tests/helpers/fuzz/support.ts).
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { MailFuzz } from '../helpers/fuzz/mail-contract.js';
import { CORPUS } from '../helpers/fuzz/mail-mutations.js';
import { renderReport, reportMail } from '../helpers/fuzz/mail-reports.js';
import { fuzzOptions, nastyString } from '../helpers/fuzz/support.js';

describe('mail classifier fuzzing: generated input', () => {
  const fuzz = new MailFuzz();
  after(() => fuzz.close());

  // Header names a mail has, so random text sometimes gets past "not an e-mail message".
  const headerName = fc.oneof(
    fc.constantFrom('From', 'To', 'Subject', 'Message-ID', 'In-Reply-To', 'References', 'Content-Type', 'Date', 'Auto-Submitted', 'MIME-Version'),
    nastyString(12),
  );

  test('arbitrary bytes: a Classification or UnreadableMailError', async (t) => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 4096, size: 'medium' }),
      fc
        .array(fc.tuple(headerName, nastyString(80)), { maxLength: 10 })
        .map((h) => new TextEncoder().encode(`${h.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\nbody`)),
      fc
        .tuple(fc.array(fc.tuple(headerName, nastyString(60)), { maxLength: 6 }), fc.uint8Array({ maxLength: 1024 }))
        .map(([h, body]) => Buffer.concat([Buffer.from(`${h.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`), body])),
    );
    await fuzz.assertProperty(
      fc.asyncProperty(bytes, async (b) => fuzz.check(Buffer.from(b))),
      fuzzOptions(600, 20_000),
    );
    t.diagnostic(fuzz.summary());
  });

  test('generated multipart/report messages: a Classification or UnreadableMailError', async (t) => {
    await fuzz.assertProperty(
      fc.asyncProperty(reportMail, async (r) => fuzz.check(renderReport(r))),
      fuzzOptions(700, 20_000),
    );
    t.diagnostic(fuzz.summary());
  });

  test('every truncation of a DSN and an ARF report', async (t) => {
    fuzz.reset();
    for (const name of ['postfix-hard-bounce.eml', 'arf-complaint.eml', 'exchange-block.eml']) {
      const bytes = CORPUS.find((c) => c.name === name)?.bytes ?? Buffer.alloc(0);
      for (let end = 0; end <= bytes.length; end += 5) {
        try {
          await fuzz.check(bytes.subarray(0, end));
        } catch (err) {
          if (err instanceof Error) err.message = `tests/fixtures/mail/${name} truncated to its first ${end} bytes: ${err.message}`;
          throw err;
        }
      }
    }
    t.diagnostic(fuzz.summary());
  });
});
