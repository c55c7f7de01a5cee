// Bytes in: encodings, streams and what makes a file "not a prospect list" (ProspectListError, the
// import API's 400 and the CLI's exit 2) rather than a list with bad rows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkProspects, ProspectListError, type CheckProspectsOptions } from '../../domain/prospects/index.js';

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

async function* chunked(buf: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function refused(input: Uint8Array | AsyncIterable<Uint8Array>, message: RegExp, opts?: CheckProspectsOptions): Promise<void> {
  await assert.rejects(checkProspects(input, opts), (err) => {
    assert.ok(err instanceof ProspectListError, String(err));
    assert.match(err.message, message);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

// 0xE9 is é in Windows-1252, and a lone 0xE9 is never valid UTF-8.
const CP1252 = bytes('email,first_name,company\njose@example.com,Jos', [0xe9], ',Caf', [0xe9], ' ', [0x80], '\n');

describe('prospect lists: encodings', () => {
  test('auto: bytes that are not UTF-8 are read as Windows-1252 (é, and € from 0x80)', async () => {
    const check = await checkProspects(CP1252);
    assert.equal(check.encoding, 'windows-1252');
    assert.equal(check.valid[0]?.firstName, 'José');
    assert.equal(check.valid[0]?.company, 'Café €');
  });

  test('auto on a stream: an invalid byte in a late chunk re-reads the whole list as Windows-1252', async () => {
    // The first chunks are ASCII, UTF-8-valid multi-byte text comes before the bad byte: the
    // whole file still switches, as one encoding must explain every byte.
    const input = bytes('email,first_name\nann@example.com,', [0xc3, 0xa9], '\njose@example.com,Jos', [0xe9], '\n');
    for (const size of [1, 2, 7, 64]) {
      const check = await checkProspects(chunked(input, size));
      assert.equal(check.encoding, 'windows-1252', `chunks of ${size}`);
      assert.deepEqual(
        check.valid.map((r) => r.firstName),
        ['Ã©', 'José'],
      );
    }
  });

  test('auto: valid UTF-8 stays UTF-8, in a Buffer and in one-byte chunks', async () => {
    const input = Buffer.from('\uFEFFemail;name\nzoe@example.com;Zoë 💥\n', 'utf8');
    for (const source of [input, chunked(input, 1)]) {
      const check = await checkProspects(source);
      assert.equal(check.encoding, 'utf-8');
      assert.deepEqual(check.valid[0]?.fields, { name: 'Zoë 💥' });
    }
  });

  test('declared encodings win: windows-1252 reads UTF-8 bytes as such; utf-8 refuses invalid bytes, naming the offset', async () => {
    const check = await checkProspects(Buffer.from('email,name\na@example.com,Zoë\n', 'utf8'), { encoding: 'windows-1252' });
    assert.equal(check.valid[0]?.fields.name, 'ZoÃ«');
    const offset = CP1252.indexOf(0xe9);
    await refused(CP1252, new RegExp(`not valid UTF-8: .* at byte offset ${offset}\\b`), { encoding: 'utf-8' });
    await refused(chunked(CP1252, 5), new RegExp(`at byte offset ${offset}\\b`), { encoding: 'utf-8' });
    await refused(bytes('email\na@example.com,', [0xe2, 0x82]), /ends inside a character at byte offset 20/, { encoding: 'utf-8' });
  });
});

describe('prospect lists: not a prospect list', () => {
  test('empty, blank or BOM-only input', async () => {
    await refused(Buffer.alloc(0), /empty/);
    await refused(Buffer.from(' \r\n\n\t'), /empty/);
    await refused(Buffer.from('\uFEFF', 'utf8'), /empty/);
    await refused(chunked(Buffer.alloc(0), 1), /empty/);
  });

  test('binary: NUL bytes, mostly control characters, a ZIP (.xlsx), UTF-16', async () => {
    await refused(bytes('email\na@example.com', [0], '\n'), /binary data, .*NUL byte at offset 19/);
    await refused(Buffer.from(Array.from({ length: 200 }, (_, i) => 1 + (i % 8))), /binary data, .*control characters/);
    await refused(bytes('PK', [3, 4, 20, 0, 6, 0]), /ZIP archive .*export the sheet as CSV/);
    await refused(Buffer.from('\uFEFFemail\n', 'utf16le'), /UTF-16/);
  });

  test('no header: the first row is data and names no email or phone column', async () => {
    await refused(Buffer.from('ann@example.com,Ann,Lee\nbo@example.com,Bo,Li\n'), /no header row: row 1 holds/);
    await refused(Buffer.from('\n\nAnn,+1 201 555 0123\n'), /no header row: row 3 holds/);
    // A header without a contact column is still a header: its rows just have no e-mail or phone.
    const check = await checkProspects(Buffer.from('name,city\nAnn,Paris\n'));
    assert.deepEqual(check.invalid, [{ row: 2, field: 'email', reason: 'neither an e-mail address nor a phone number' }]);
  });

  test('an unclosed quote swallows the rest of the file: refused, naming its row', async () => {
    await refused(Buffer.from('email,notes\na@example.com,ok\nb@example.com,"never closed\nc@example.com,x\n'), /quote opened in row 3 is never closed/);
  });

  test('more rows than maxRows', async () => {
    const list = Buffer.from('email\na@example.com\nb@example.com\n\nc@example.com\n');
    assert.equal((await checkProspects(list, { maxRows: 3 })).rows, 3); // the blank line does not count
    await refused(list, /more than 2 rows/, { maxRows: 2 });
    await refused(Buffer.from('[{"email":"a@example.com"},{"email":"b@example.com"}]'), /more than 1 rows/, { maxRows: 1 });
  });

  test('the source stream is released when the list is refused early', async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield Buffer.from('a@example.com,Ann\n');
        yield Buffer.from('b@example.com,Bo\n');
      } finally {
        finished = true;
      }
    }
    await refused(source(), /no header row/);
    assert.ok(finished);
  });
});
