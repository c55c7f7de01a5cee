// parseAdf against the fixture corpus: each fixture exists for one or two real-feed deviations,
// and each test checks exactly the fields that deviation touches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAdf } from '../../domain/adf/parse.js';
import { BOM_COMMENTS, CP1252_COMMENTS, encodedFixtures, LATIN1_COMMENTS } from '../fixtures/adf/encoded.js';
import { assertAdfShape, at, fixtureBytes, GOOD_FIXTURES, onlyProspect } from '../fixtures/adf/support.js';

const parse = (name: string) => parseAdf(fixtureBytes(name));

describe('ADF fixtures', () => {
  test('every good fixture parses to the exact output shape, from bytes and from text alike', () => {
    assert.ok(GOOD_FIXTURES.length >= 12, `corpus has ${GOOD_FIXTURES.length} good fixtures`);
    for (const name of GOOD_FIXTURES) {
      const doc = parse(name);
      assertAdfShape(doc);
      if (!name.includes('1252') && !name.includes('8859')) assert.deepEqual(parseAdf(fixtureBytes(name).toString('utf8')), doc, name);
    }
  });

  test('standard ADF 1.0: every field in its place', () => {
    const p = onlyProspect(parse('standard.xml'));
    assert.equal(p.status, 'new');
    assert.deepEqual(p.ids, [
      { source: 'AutoTrader', sequence: 1, value: 'AT-7734129' },
      { source: 'Dealer Website', sequence: null, value: 'WEB-0042' },
    ]);
    assert.equal(p.requestDate, '2026-03-14T14:42:17.000Z'); // -04:00 offset applied
    const c = p.customer;
    assert.deepEqual([c.firstName, c.lastName, c.fullName], ['Jane', 'Sample', 'Jane Sample']); // middle name not folded in
    assert.deepEqual(c.emails, ['jane.sample@example.com']);
    assert.deepEqual(c.phones, [
      { raw: '(313) 555-0142', e164: '+13135550142', type: 'voice', time: 'evening' },
      { raw: '313-555-0199', e164: '+13135550199', type: 'fax', time: 'nopreference' },
    ]);
    assert.deepEqual(c.address, { street: ['100 Example Ave', 'Suite 5'], city: 'Detroit', region: 'MI', postalCode: '48201', country: 'US' });
    assert.deepEqual(c.timeframe, { description: 'Within two weeks', earliestDate: '2026-03-16T00:00:00.000Z', latestDate: '2026-03-28T21:00:00.000Z' });
    assert.equal(c.comments, 'Is the Accord still available?\nCan I come by Saturday morning?');
    assert.deepEqual(p.vehicles, [
      {
        interest: 'buy',
        status: 'new',
        year: 2026,
        make: 'Honda',
        model: 'Accord',
        trim: 'EX-L',
        vin: '1HGCY2F57SA000142',
        stock: 'H26-0142',
        price: 34650,
        odometer: 12,
      },
    ]);
    assert.deepEqual(p.vendor, { name: 'Example Honda of Detroit', contactName: 'Sam Seller', email: 'sales@dealer.example.com', phone: '+13135550100' });
    assert.deepEqual(p.provider, {
      name: 'Example Lead Network',
      service: 'New car quote',
      url: 'https://leads.example.com',
      email: 'support@leads.example.com',
      phone: '+18005550101',
    });
  });

  test('<?ADF VERSION "1.0"?> before the XML declaration, upper-case tags and attributes', () => {
    const p = onlyProspect(parse('pi-first-uppercase.xml'));
    assert.equal(p.status, 'resend');
    assert.deepEqual(p.ids, [{ source: 'CarsDirect', sequence: 3, value: 'CD-0099' }]);
    assert.equal(p.requestDate, '2026-03-14T14:42:17.000Z');
    assert.deepEqual([p.customer.firstName, p.customer.lastName], ['Lee', 'Example']);
    assert.deepEqual(p.customer.emails, ['lee@example.com']);
    assert.deepEqual(p.customer.phones, [{ raw: '248.555.0123', e164: '+12485550123', type: 'voice', time: 'morning' }]);
    assert.equal(at(p.vehicles, 0).interest, 'lease');
    assert.equal(at(p.vehicles, 0).status, 'new');
    assert.equal(p.vendor?.name, 'Example Toyota');
  });

  test('no XML declaration; CDATA comments keep their lines and literal & and <b>', () => {
    const p = onlyProspect(parse('no-declaration-cdata.xml'));
    assert.equal(p.status, 'new'); // absent status attribute
    assert.equal(p.customer.comments, 'Trade & finance questions:\n1) <b>payoff</b> on current loan\n2) Rates for 60 months?');
    assert.equal(p.requestDate, '2026-03-15T07:00:00.000Z');
    // Region ON (no country) → Canada for phone parsing.
    assert.deepEqual(p.customer.phones, [{ raw: '(416) 555-0177', e164: '+14165550177', type: null, time: null }]);
    assert.equal(p.vendor, null);
    assert.equal(p.provider, null);
  });

  test('ISO-8859-1, windows-1252 (declared and undeclared) and UTF-8 with BOM bytes decode correctly', () => {
    for (const [name, comments] of [
      ['iso-8859-1.xml', LATIN1_COMMENTS],
      ['windows-1252.xml', CP1252_COMMENTS],
      ['windows-1252-undeclared.xml', CP1252_COMMENTS],
      ['utf8-bom-doctype.xml', BOM_COMMENTS],
    ] as const) {
      const p = onlyProspect(parse(name));
      assert.equal(p.customer.fullName, 'José Müller', name);
      assert.equal(p.customer.address?.city, 'Montréal', name);
      assert.equal(p.customer.comments, comments, name);
      assert.equal(p.requestDate, '2026-03-10T14:15:00.000Z', name);
      assert.equal(at(p.customer.phones, 0).e164, '+15145550110', name);
    }
  });

  test('the committed encoded fixtures are byte-identical to their generator', () => {
    for (const [name, bytes] of Object.entries(encodedFixtures)) assert.ok(fixtureBytes(name).equals(bytes), `${name} drifted; rerun encoded.ts`);
  });

  test('two prospects in one document', () => {
    const { prospects } = parse('two-prospects.xml');
    assert.equal(prospects.length, 2);
    const [a, b] = [at(prospects, 0), at(prospects, 1)];
    assert.deepEqual([a.status, a.customer.fullName, at(a.ids, 0).sequence, at(a.vehicles, 0).model], ['new', 'Robin First', 101, 'Telluride']);
    assert.deepEqual([b.status, b.customer.fullName, at(b.ids, 0).sequence, at(b.vehicles, 0).interest], ['resend', 'Casey Second', 102, 'test-drive']);
    assert.deepEqual(b.customer.phones, [{ raw: '(248) 555-0188', e164: '+12485550188', type: 'cellphone', time: null }]);
  });

  test('buy + trade-in, "$52,340.00" and "118,400", part="full", home/mobile/cell phones', () => {
    const p = onlyProspect(parse('trade-in-full-name.xml'));
    assert.equal(p.requestDate, '2026-03-12T23:20:05.250Z');
    const [buy, trade] = [at(p.vehicles, 0), at(p.vehicles, 1)];
    assert.deepEqual(buy, {
      interest: 'buy',
      status: 'used',
      year: 2023,
      make: 'Chevrolet',
      model: 'Silverado 1500',
      trim: 'LT Trail Boss',
      vin: '3GCPDFEK1PG000118',
      stock: 'U-5534',
      price: 52340,
      odometer: 21377,
    });
    assert.deepEqual([trade.interest, trade.odometer, trade.price, trade.vin], ['trade-in', 118400, 9850, '1C4RJFBG5EC000400']);
    assert.deepEqual([p.customer.firstName, p.customer.lastName, p.customer.fullName], [null, null, 'Dana Example-Whitfield']);
    assert.deepEqual(p.customer.phones, [
      { raw: '(602) 555-0131', e164: '+16025550131', type: 'home', time: 'evening' },
      { raw: '602-555-0132', e164: '+16025550132', type: 'cellphone', time: 'day' },
      { raw: '+1 602 555 0133', e164: '+16025550133', type: 'cellphone', time: null },
      { raw: '555-0134', e164: null, type: 'work', time: null }, // 7 digits: kept raw, no E.164
    ]);
    assert.deepEqual(p.customer.address?.street, ['4500 Sample Rd', 'Apt 12']);
    assert.deepEqual(p.customer.timeframe, { description: 'This month', earliestDate: 'next week', latestDate: null });
  });

  test('mailto: e-mails, invalid ones dropped, duplicates merged; stray & repaired, references decoded', () => {
    const p = onlyProspect(parse('mailto-ampersand.xml'));
    assert.deepEqual(p.customer.emails, ['pat.buyer@example.com', 'pat.other@example.org']);
    assert.equal(p.customer.comments, 'Smith & Sons Auto referred me; R&D team & me want a Café run & a test drive. Price < 40k — thanks !');
    assert.deepEqual(p.ids, [{ source: 'Cars & Bids', sequence: null, value: 'CB-3321' }]);
    assert.equal(p.vendor?.name, 'Example Mazda & Co.');
  });

  test('plain-text timeframe, vendor without vendorname, request date without seconds or offset (UTC)', () => {
    const p = onlyProspect(parse('plain-timeframe-no-vendorname.xml'));
    assert.deepEqual(p.customer.timeframe, { description: 'Within 30 days', earliestDate: null, latestDate: null });
    assert.equal(p.requestDate, '2026-03-14T09:05:00.000Z');
    assert.deepEqual(p.vendor, { name: null, contactName: 'Riley Manager', email: 'riley@dealer.example.com', phone: '+17205550109' });
  });

  test('unknown elements and attributes are tolerated; part="surname" is the last name', () => {
    const p = onlyProspect(parse('unknown-elements.xml'));
    assert.deepEqual(p.ids, [{ source: 'Example Chat', sequence: 42, value: 'CHAT-42' }]);
    assert.equal(p.requestDate, '2026-03-14T14:42:17.000Z'); // "2026-03-14 14:42:17"
    assert.deepEqual([p.customer.firstName, p.customer.lastName, p.customer.fullName], ['Jordan', 'Sampleton', 'Jordan Sampleton']);
    assert.deepEqual([at(p.vehicles, 0).make, at(p.vehicles, 0).model], ['Hyundai', 'Ioniq 5']);
    assert.equal(p.customer.comments, 'Chat transcript attached.');
    assert.equal(p.vendor?.name, 'Example Hyundai');
  });

  test('a minimal <prospect/> yields defaults: status new, nulls and empty lists', () => {
    const p = onlyProspect(parseAdf('<adf><prospect/></adf>'));
    assert.deepEqual(p, {
      status: 'new',
      ids: [],
      requestDate: null,
      customer: { firstName: null, lastName: null, fullName: null, emails: [], phones: [], address: null, timeframe: null, comments: null },
      vehicles: [],
      vendor: null,
      provider: null,
    });
  });
});
