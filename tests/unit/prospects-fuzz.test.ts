// Properties of checkProspects over generated lists. (1) Round trip: records with quotes,
// delimiters, line breaks and accents, written as CSV in either encoding with blank lines between
// them, come back with their values and their spreadsheet row numbers, however the bytes are
// chunked. (2) Any bytes: a well-formed result or a ProspectListError, never another error, and a
// stream is judged exactly as the same bytes in a Buffer (these inputs lie within the 64 KiB head
// that is judged whole; past it, a file with two fatal defects may be refused for either one,
// depending on chunking). FUZZ_RUNS / FUZZ_SEED as elsewhere.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { checkProspects, ProspectListError, type CheckProspectsOptions, type ProspectCheck } from '../../domain/prospects/index.js';
import { fuzzOptions } from '../helpers/fuzz/support.js';

async function* chunked(buf: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    const size = sizes.length === 0 ? buf.length : Math.max(1, sizes[i % sizes.length] ?? 1);
    yield buf.subarray(at, at + size);
    at += size;
  }
}

// Every character here exists in Windows-1252, so one list can be written in both encodings.
const nameText = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '"', ',', ';', '\n', '\r\n', 'é', '€', 'ü', "'"), maxLength: 12 });
const list = fc.record({
  rows: fc.array(fc.record({ name: nameText, note: nameText, blanksBefore: fc.nat({ max: 2 }) }), { maxLength: 20 }),
  delimiter: fc.constantFrom(',', ';'),
  eol: fc.constantFrom('\n', '\r\n'),
  encoding: fc.constantFrom('utf-8' as const, 'windows-1252' as const),
  bom: fc.boolean(),
  sizes: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 5 }),
});

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe('prospect lists: properties', () => {
  test('CSV round trip: values and spreadsheet row numbers survive quoting, blank lines, encodings and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(list, async ({ rows, delimiter, eol, encoding, bom, sizes }) => {
        const lines = [['Email', 'First Name', 'Notes'].join(delimiter)];
        const expected: Array<{ row: number; email: string; firstName: string | null; notes: string | undefined }> = [];
        for (const [i, r] of rows.entries()) {
          for (let b = 0; b < r.blanksBefore; b++) lines.push('');
          const email = `user${i}@example.com`;
          lines.push([email, quote(r.name), quote(r.note)].join(delimiter));
          expected.push({ row: lines.length, email, firstName: r.name.trim() || null, notes: r.note.trim() || undefined });
        }
        const text = lines.join(eol) + eol;
        // A BOM is UTF-8's: some tools write its bytes before Windows-1252 text too.
        const body = encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'windows-1252');
        const bytes = bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
        const check = await checkProspects(chunked(bytes, sizes), { encoding });
        assert.deepEqual(check.invalid, []);
        assert.equal(check.rows, rows.length);
        assert.deepEqual(
          check.valid.map((v) => ({ row: v.row, email: v.email, firstName: v.firstName, notes: v.fields.Notes })),
          expected,
        );
      }),
      fuzzOptions(300, 60_000),
    );
  });

  test('any bytes: a consistent result or a ProspectListError, the same for a stream as for a Buffer', async () => {
    const csvish = fc
      .array(fc.constantFrom('email', 'phone', 'a@example.com', '+1 201 555 0123', ',', ';', '"', '\n', '\r', ' ', 'é', '[', '{', '}', ']', ':'), {
        maxLength: 30,
      })
      .map((parts) => Buffer.from(parts.join(''), 'utf8'));
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      csvish,
    );
    const encoding = fc.constantFrom<CheckProspectsOptions['encoding']>('auto', 'utf-8', 'windows-1252');
    const outcome = async (run: Promise<ProspectCheck>) => {
      try {
        return { ok: await run };
      } catch (err) {
        if (!(err instanceof ProspectListError)) throw err;
        return { refused: err.message };
      }
    };
    await fc.assert(
      fc.asyncProperty(bytes, encoding, fc.array(fc.integer({ min: 1, max: 16 }), { maxLength: 4 }), async (input, enc, sizes) => {
        const whole = await outcome(checkProspects(input, { encoding: enc }));
        const streamed = await outcome(checkProspects(chunked(input, sizes), { encoding: enc }));
        assert.deepEqual(streamed, whole);
        if (whole.ok === undefined) return;
        const { rows, valid, invalid } = whole.ok;
        assert.equal(valid.length + invalid.length, rows);
        const numbers = [...valid, ...invalid].map((r) => r.row).sort((a, b) => a - b);
        assert.equal(new Set(numbers).size, numbers.length, 'one outcome per row');
        assert.ok(numbers.every((n) => n >= 2));
      }),
      fuzzOptions(1000, 60_000),
    );
  });
});
