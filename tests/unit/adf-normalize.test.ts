// The value-level rules behind parseAdf: numbers, dates, e-mails, phone regions, text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeEmail, regionFor, toE164 } from '../../domain/adf/contact.js';
import { parseAdfDate } from '../../domain/adf/dates.js';
import { decodeInput } from '../../domain/adf/encoding.js';
import { parseAmount, parseInteger, parseYear } from '../../domain/adf/numbers.js';
import { collapse, multiline } from '../../domain/adf/text.js';

describe('ADF value normalisation', () => {
  test('amounts as feeds write them', () => {
    const cases: [string, number | null][] = [
      ['$52,340.00', 52340],
      ['118,400', 118400],
      ['118,400 mi', 118400],
      ['USD 19999', 19999],
      ['52340.5', 52340.5],
      ['52.340,00', 52340],
      ['1.234.567', 1234567],
      ['12,5', 12.5],
      ['$9,850 OBO', 9850],
      ['0', 0],
      ['-1,500', null],
      ['Call for price', null],
      ['', null],
      ['1,23', 1.23],
      ['12,34,567', null],
      ['9'.repeat(30), null],
    ];
    for (const [raw, expected] of cases) assert.equal(parseAmount(raw), expected, raw);
  });

  test('years and sequences', () => {
    assert.deepEqual(['2026', ' 1999 ', '26', '1800', '20260', 'MY2026'].map(parseYear), [2026, 1999, null, null, null, null]);
    assert.deepEqual(['1', '0042', ' 7 ', '-1', '1.5', 'x', null].map(parseInteger), [1, 42, 7, null, null, null, null]);
  });

  test('dates: offsets honoured, offset-less read as UTC, nonsense rejected', () => {
    const cases: [string, string | null][] = [
      ['2026-03-14T10:42:17-04:00', '2026-03-14T14:42:17.000Z'],
      ['2026-03-14T14:42:17Z', '2026-03-14T14:42:17.000Z'],
      ['2026-03-14T10:42', '2026-03-14T10:42:00.000Z'],
      ['2026-03-14 10:42:17', '2026-03-14T10:42:17.000Z'],
      ['2026-03-14T10:42:17.5+0530', '2026-03-14T05:12:17.500Z'],
      ['2026-03-14', '2026-03-14T00:00:00.000Z'],
      ['03/14/2026 10:42 PM', '2026-03-14T22:42:00.000Z'],
      ['3/4/2026', '2026-03-04T00:00:00.000Z'],
      ['2026-02-30T10:00', null],
      ['2026-13-01', null],
      ['2026-03-14T25:00', null],
      ['tomorrow', null],
      ['9999-12-31T23:59:59-14:00', null],
      ['2026-03-14T10:42:17+99:00', null],
    ];
    for (const [raw, expected] of cases) assert.equal(parseAdfDate(raw), expected, raw);
  });

  test('e-mails: mailto stripped, lower-cased, invalid ones rejected', () => {
    assert.equal(normalizeEmail(' mailto:Jane@Example.COM '), 'jane@example.com');
    assert.equal(normalizeEmail('MAILTO:jane@example.com?subject=Hi'), 'jane@example.com');
    assert.equal(normalizeEmail('<jane@example.com>'), 'jane@example.com');
    for (const bad of ['jane', 'jane@', '@example.com', 'jane@example', '', `${'a'.repeat(250)}@example.com`, 'ja\ud800ne@example.com'])
      assert.equal(normalizeEmail(bad), null, bad);
  });

  test('phone region from the address; E.164 only for valid numbers', () => {
    assert.equal(regionFor('CA', null), 'CA');
    assert.equal(regionFor('Canada', null), 'CA');
    assert.equal(regionFor(null, 'QC'), 'CA');
    assert.equal(regionFor('USA', 'MI'), 'US');
    assert.equal(regionFor('GB', null), 'GB');
    assert.equal(regionFor(null, null), 'US');
    assert.equal(toE164('020 7946 0958', 'GB'), '+442079460958');
    assert.equal(toE164('555-0142', 'US'), null);
    assert.equal(toE164('1'.repeat(200), 'US'), null);
  });

  test('text: whitespace collapsed, comments keep their lines, controls removed', () => {
    assert.equal(collapse('  a \n\t b\u0007 '), 'a b');
    assert.equal(collapse(' \n '), null);
    assert.equal(multiline('\r\n  first   line \r\n\r\n  second\tline  \n'), 'first line\n\nsecond line');
  });

  test('windows-1252 bytes 0x80-0x9F decode to their characters (not C1 controls)', () => {
    const bytes = Uint8Array.from([...Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><a>'), 0x80, 0x93, 0x94, 0xe9, ...Buffer.from('</a>')]);
    assert.match(decodeInput(bytes), /<a>€“”é<\/a>$/);
    assert.equal(decodeInput('\ufeff<a/>'), '<a/>');
    assert.equal(decodeInput('<a>x\ud800y\udc00z\ud83d\ude00</a>'), '<a>x\ufffdy\ufffdz😀</a>'); // lone surrogates only
    // UTF-16 with a BOM
    assert.equal(decodeInput(Uint8Array.from([0xff, 0xfe, ...Buffer.from('<a/>', 'utf16le')])), '<a/>');
  });
});
