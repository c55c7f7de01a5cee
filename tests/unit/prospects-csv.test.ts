// The CSV side of the prospect-list contract: header spellings, mappings, spreadsheet row numbers
// and the one problem each bad row gets. Fixtures are written inline: the bytes are the point.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkProspects, ProspectListError, validateMapping, type CheckProspectsOptions } from '../../domain/prospects/index.js';

const csv = (text: string, opts?: CheckProspectsOptions) => checkProspects(Buffer.from(text, 'utf8'), opts);
const rowsOf = (check: { valid: Array<{ row: number }> }) => check.valid.map((r) => r.row);

describe('prospect CSV: reading', () => {
  test('a UTF-8 BOM is dropped: the first column is still recognised as email', async () => {
    const check = await csv('\uFEFFEmail,Name\r\nann@example.com,Ann\r\n');
    assert.deepEqual(check.columns, ['Email', 'Name']);
    assert.equal(check.valid[0]?.email, 'ann@example.com');
    assert.equal(check.encoding, 'utf-8');
  });

  test('a quoted newline stays inside its row: later rows keep spreadsheet numbers', async () => {
    const check = await csv('email,notes\na@example.com,"two\nlines"\nb@example.com,"three\r\nlines\nhere"\nnot-an-address,x\n');
    assert.equal(check.rows, 3);
    assert.deepEqual(rowsOf(check), [2, 3]);
    assert.deepEqual(check.valid[0]?.fields, { notes: 'two\nlines' });
    assert.deepEqual(check.invalid, [{ row: 4, field: 'email', reason: 'not a valid e-mail address' }]);
  });

  test('blank lines (and rows of empty cells) are not rows but keep their row number', async () => {
    const check = await csv('email,name\n\na@example.com,Ann\n,\n   \nb@example.com,Bo\n\n');
    assert.equal(check.rows, 2);
    assert.deepEqual(rowsOf(check), [3, 6]);
  });

  test('`;` is the delimiter when the header has more of them than commas (outside quotes)', async () => {
    const check = await csv('"Email, work";Company;Phone\nann@example.com;Acme, Inc.;+44 20 7946 0958\n', { mapping: { 'Email, work': 'email' } });
    assert.deepEqual(check.columns, ['Email, work', 'Company', 'Phone']);
    assert.deepEqual(check.valid[0], {
      row: 2,
      email: 'ann@example.com',
      emailNorm: 'ann@example.com',
      phone: '+442079460958',
      firstName: null,
      lastName: null,
      company: 'Acme, Inc.',
      fields: {},
    });
  });

  test('header spellings: case, spaces, `_` and `-` do not matter; other columns are custom fields', async () => {
    const spellings: Array<[string[], string]> = [
      [['email', 'E-mail', 'Email Address', 'e-mail address', 'MAIL', ' e_mail '], 'email'],
      [['first name', 'First_Name', 'firstname', 'Given Name'], 'firstName'],
      [['last name', 'last_name', 'LastName', 'Surname', 'family-name'], 'lastName'],
      [['phone', 'Mobile', 'Phone Number', 'mobile phone', 'Cell', 'telephone'], 'phone'],
      [['company', 'Company Name', 'Organization', 'organisation'], 'company'],
    ];
    const values: Record<string, string> = { email: 'x@example.com', firstName: 'Ann', lastName: 'Lee', phone: '201-555-0123', company: 'Acme' };
    for (const [headers, field] of spellings) {
      for (const header of headers) {
        const other = field === 'email' ? 'Phone' : 'Email';
        const otherValue = field === 'email' ? '201-555-0199' : 'y@example.com';
        const check = await csv(`${header},${other},Source\n${values[field]},${otherValue},fair\n`);
        const record = check.valid[0];
        assert.ok(record, `${header}: ${JSON.stringify(check.invalid)}`);
        const got = field === 'phone' ? record.phone : record[field as 'email' | 'firstName' | 'lastName' | 'company'];
        assert.equal(got, field === 'phone' ? '+12015550123' : values[field], header);
        assert.deepEqual(record.fields, { Source: 'fair' }, header);
      }
    }
  });
});

describe('prospect CSV: bad rows', () => {
  test('one problem per row, looked for in order: field count, e-mail, phone, neither, duplicate', async () => {
    const check = await csv(
      [
        'email,phone,name',
        'Ann@Example.com,,Ann', // 2 valid
        'bad@,201-555-0123,Bo', // 3 malformed e-mail, although the phone is fine
        'cy@example.com,12,Cy', // 4 malformed phone, although the e-mail is fine
        ',,Di', // 5 neither
        '  ann@EXAMPLE.com ,,Ann again', // 6 duplicate of row 2 (trimmed, case-folded)
        'bad@,12', // 7 field count wins over everything else
        'eve@example.com,201 555 0123,Eve,extra', // 8 too many fields
        ',(201) 555-0199,Phone only', // 9 valid without an e-mail
      ].join('\n'),
    );
    assert.equal(check.rows, 8);
    assert.deepEqual(rowsOf(check), [2, 9]);
    assert.equal(check.valid[1]?.phone, '+12015550199');
    assert.deepEqual(check.invalid, [
      { row: 3, field: 'email', reason: 'not a valid e-mail address' },
      { row: 4, field: 'phone', reason: 'not a valid phone number (national numbers are read as US)' },
      { row: 5, field: 'email', reason: 'neither an e-mail address nor a phone number' },
      { row: 6, field: 'email', reason: 'duplicate of row 2' },
      { row: 7, field: 'row', reason: '2 fields, the header has 3' },
      { row: 8, field: 'row', reason: '4 fields, the header has 3' },
    ]);
  });

  test('a duplicate names the first valid row with that address, not an earlier invalid one', async () => {
    const check = await csv('email,phone\na@example.com,12\nA@example.com,\na@example.com,\n');
    assert.deepEqual(
      check.invalid.map((p) => [p.row, p.reason]),
      [
        [2, 'not a valid phone number (national numbers are read as US)'],
        [4, 'duplicate of row 3'],
      ],
    );
  });

  test('a row with only a phone repeating an earlier such row (compared as E.164) is a duplicate naming field phone', async () => {
    const check = await csv(
      [
        'email,phone,name',
        ',(201) 555-0123,Phone only', // 2 valid
        'ann@example.com,201-555-0123,Ann', // 3 valid: an e-mail is the key when there is one
        ',+1 201 555 0123,Again', // 4 duplicate of row 2
        ',201.555.0199,Other', // 5 valid
        ',12015550123,Third time', // 6 duplicate of row 2
      ].join('\n'),
    );
    assert.deepEqual(rowsOf(check), [2, 3, 5]);
    assert.deepEqual(check.invalid, [
      { row: 4, field: 'phone', reason: 'duplicate of row 2' },
      { row: 6, field: 'phone', reason: 'duplicate of row 2' },
    ]);
  });

  test('the region reads national phone numbers', async () => {
    const check = await csv('phone\n020 7946 0958\n', { region: 'gb' });
    assert.equal(check.valid[0]?.phone, '+442079460958');
    await assert.rejects(csv('phone\n020 7946 0958\n', { region: 'XX' }), /unknown region "XX"/);
  });
});

describe('prospect CSV: mapping', () => {
  test('a mapping overrides recognition, drops columns (null) and names custom fields', async () => {
    const check = await csv('Work,Email,Who,Junk\nann@example.com,home@example.com,Ann,x\n', {
      mapping: { Work: 'email', Email: 'fields.homeEmail', Who: 'firstName', Junk: null },
    });
    assert.deepEqual(check.valid[0], {
      row: 2,
      email: 'ann@example.com',
      emailNorm: 'ann@example.com',
      phone: null,
      firstName: 'Ann',
      lastName: null,
      company: null,
      fields: { homeEmail: 'home@example.com' },
    });
  });

  test('a mapped attribute is the mapping’s: a column also recognised as it stays a custom field', async () => {
    const check = await csv('Work,Email\nann@example.com,home@example.com\n', { mapping: { Work: 'email' } });
    assert.deepEqual(check.valid[0]?.fields, { Email: 'home@example.com' });
  });

  test('an unknown column, an unknown target or a target used twice is a ProspectListError', async () => {
    await assert.rejects(csv('email\na@example.com\n', { mapping: { Mail: 'email' } }), (err) => {
      assert.ok(err instanceof ProspectListError);
      assert.equal(err.message, 'mapping names column "Mail", which the header does not have');
      return true;
    });
    assert.throws(() => validateMapping({ email: 'e-mail' }, ['email']), /unknown target "e-mail"/);
    assert.throws(() => validateMapping({ a: 'phone', b: 'phone' }, ['a', 'b']), /both "a" and "b" to phone/);
    assert.throws(() => validateMapping({ a: 'fields.' }, ['a']), ProspectListError);
    assert.doesNotThrow(() => validateMapping({ ' a ': 'fields.x', b: null }, ['a', 'b']));
  });

  test('two columns read as the same attribute, or a repeated header, must be resolved by a mapping', async () => {
    await assert.rejects(csv('Email,E-mail\na@example.com,b@example.com\n'), /"Email" and "E-mail" both read as email/);
    await assert.rejects(csv('email,note,note\na@example.com,1,2\n'), /column "note" appears twice/);
    const check = await csv('Email,E-mail\na@example.com,b@example.com\n', { mapping: { 'E-mail': null } });
    assert.equal(check.valid[0]?.email, 'a@example.com');
  });
});
