// Enrichment without the network: VIN rules, e-mail classification, MX outcomes through a fake
// resolver, phone types, and the assembled enrichLead result. The verifier's HTTP adapter has its
// own file (enrich-verifier.test.ts) because it runs a local server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkEmailSyntax, isDisposableDomain, isRoleAddress } from '../../domain/enrich/email.js';
import { createEnrichActivities, type MxRecord } from '../../activities/enrich/index.js';
import { lookupMx } from '../../activities/enrich/mx.js';
import { enrichPhone } from '../../domain/enrich/phone.js';
import { decodeModelYear, enrichVehicle, expectedCheckDigit, isSaneYear, isValidVin, modelYearCandidates, normalizeVin } from '../../domain/enrich/vin.js';

/** DNS answers by domain: records, or the error code node:dns would raise. */
function fakeResolver(answers: Record<string, MxRecord[] | string>) {
  const asked: string[] = [];
  const resolveMx = async (domain: string): Promise<MxRecord[]> => {
    asked.push(domain);
    const answer = answers[domain] ?? 'ENOTFOUND';
    if (typeof answer === 'string') throw Object.assign(new Error(`queryMx ${answer} ${domain}`), { code: answer });
    return answer;
  };
  return { resolveMx, asked };
}

const MX = [{ exchange: 'mx1.example.net', priority: 10 }];

describe('VIN check digit (ISO 3779, North American rule)', () => {
  test('real VINs pass', () => {
    for (const vin of ['1M8GDM9AXKP042788', '11111111111111111', '1HGCM82633A004352', 'JH4KA7561PC008269']) {
      assert.equal(isValidVin(vin), true, vin);
    }
    assert.equal(expectedCheckDigit('1M8GDM9AXKP042788'), 'X', 'remainder 10 is written X');
  });

  test('a wrong check digit, a wrong length or a forbidden letter fails', () => {
    assert.equal(isValidVin('1HGCM82634A004352'), false, 'check digit 4, expected 3');
    assert.equal(isValidVin('1HGCM82633A00435'), false, '16 characters');
    assert.equal(isValidVin('1HGCM82633A0043521'), false, '18 characters');
    assert.equal(isValidVin('1HGCM82633A0O4352'), false, 'letter O');
    assert.equal(isValidVin('IHGCM82633A004352'), false, 'letter I');
    assert.equal(isValidVin('1HGCM82633Q004352'), false, 'letter Q');
    assert.equal(expectedCheckDigit('1HGCM82633A00Q352'), null);
  });

  test('separators and case are normalised before checking', () => {
    assert.equal(normalizeVin(' 1hgcm8263-3a004352 '), '1HGCM82633A004352');
    assert.equal(normalizeVin('   '), null);
    assert.equal(normalizeVin(null), null);
  });
});

describe('VIN model year (position 10)', () => {
  test('candidates repeat every 30 years up to the limit', () => {
    assert.deepEqual(modelYearCandidates('1M8GDM9AXKP042788', 2028), [1989, 2019]);
    assert.deepEqual(modelYearCandidates('11111111111111111', 2028), [2001]);
    assert.deepEqual(modelYearCandidates('5YJ3E1EA0LF000000', 2040), [1990, 2020]);
    assert.deepEqual(modelYearCandidates('1HGCM8263UA004352', 2028), [], 'U is not a year code');
    assert.deepEqual(modelYearCandidates('1HGCM82630A004352', 2028), [], '0 is not a year code');
  });

  test('the stated year picks the candidate, the closest one when they disagree', () => {
    assert.equal(decodeModelYear('1M8GDM9AXKP042788', 2019, 2028), 2019);
    assert.equal(decodeModelYear('1M8GDM9AXKP042788', 1989, 2028), 1989);
    assert.equal(decodeModelYear('1M8GDM9AXKP042788', 2017, 2028), 2019);
  });

  test('without a stated year, position 7 decides for North American VINs', () => {
    assert.equal(decodeModelYear('JH4KA7561PC008269', null, 2028), 1993, 'digit at 7: before 2010');
    assert.equal(decodeModelYear('1HGCM82633A004352', null, 2028), 2003);
    // A check-digit-valid VIN with a letter at position 7 and code A: 2010, not 1980.
    const draft = '1HGCM8A60AA004352';
    const fixed = draft.slice(0, 8) + (expectedCheckDigit(draft) ?? '') + draft.slice(9);
    assert.equal(isValidVin(fixed), true);
    assert.equal(decodeModelYear(fixed, null, 2028), 2010);
  });

  test('year sanity: 1981 to two years ahead', () => {
    assert.deepEqual(
      [1980, 1981, 2026, 2028, 2029, 2020.5].map((y) => isSaneYear(y, 2026)),
      [false, true, true, true, false, false],
    );
  });

  test('enrichVehicle puts it together', () => {
    assert.deepEqual(enrichVehicle({ vin: '1HGCM82633A004352', year: 2003 }, 2026), {
      vin: '1HGCM82633A004352',
      vinValid: true,
      modelYearFromVin: 2003,
      yearSane: true,
      yearMatchesVin: true,
    });
    assert.deepEqual(enrichVehicle({ vin: '1HGCM82633A004352', year: 2005 }, 2026), {
      vin: '1HGCM82633A004352',
      vinValid: true,
      modelYearFromVin: 2003,
      yearSane: true,
      yearMatchesVin: false,
    });
    assert.deepEqual(enrichVehicle({ vin: null, year: 1975 }, 2026), {
      vin: null,
      vinValid: null,
      modelYearFromVin: null,
      yearSane: false,
      yearMatchesVin: null,
    });
  });
});

describe('e-mail classification', () => {
  test('syntax and domain', () => {
    assert.deepEqual(checkEmailSyntax('  Jane.Doe@Example.COM '), { address: 'jane.doe@example.com', syntaxValid: true, domain: 'example.com' });
    assert.deepEqual(checkEmailSyntax('jane@localhost'), { address: 'jane@localhost', syntaxValid: false, domain: 'localhost' });
    assert.deepEqual(checkEmailSyntax('not an address'), { address: 'not an address', syntaxValid: false, domain: null });
    assert.deepEqual(checkEmailSyntax('jane@'), { address: 'jane@', syntaxValid: false, domain: null });
  });

  // Found by the API fuzzer in a prospect list: validator's isEmail threw URIError on these (a 500).
  test('text that is not valid Unicode is not an address, and does not throw', () => {
    for (const raw of ['\udc00\ud800', 'ja\ud800ne@example.com', 'jane@exa\udc00mple.com', 'ja\u0000ne@example.com'])
      assert.equal(checkEmailSyntax(raw).syntaxValid, false, JSON.stringify(raw));
  });

  test('disposable providers, sub-domains included', () => {
    assert.equal(isDisposableDomain('mailinator.com'), true);
    assert.equal(isDisposableDomain('MAILINATOR.COM'), true);
    assert.equal(isDisposableDomain('inbox.mailinator.com'), true);
    assert.equal(isDisposableDomain('gmail.com'), false);
    assert.equal(isDisposableDomain('com'), false);
  });

  test('role mailboxes', () => {
    for (const a of [
      'info@dealer.com',
      'sales@dealer.com',
      'admin@x.io',
      'noreply@x.io',
      'no-reply@x.io',
      'sales2@x.io',
      'info+leads@x.io',
      'support.team@x.io',
    ]) {
      assert.equal(isRoleAddress(a), true, a);
    }
    for (const a of ['jane.doe@x.io', 'salesforce.fan@x.io', 'infosys@x.io', 'j@x.io', '@x.io']) {
      assert.equal(isRoleAddress(a), false, a);
    }
  });
});

describe('MX lookup', () => {
  test('found, none (no domain, no records, null MX) and error', async () => {
    const { resolveMx } = fakeResolver({
      'example.net': MX,
      'nomx.example': 'ENODATA',
      'nullmx.example': [{ exchange: '', priority: 0 }],
      'broken.example': 'ESERVFAIL',
      'slow.example': 'ETIMEOUT',
    });
    assert.equal(await lookupMx(resolveMx, 'example.net'), 'found');
    assert.equal(await lookupMx(resolveMx, 'nowhere.example'), 'none');
    assert.equal(await lookupMx(resolveMx, 'nomx.example'), 'none');
    assert.equal(await lookupMx(resolveMx, 'nullmx.example'), 'none');
    assert.equal(await lookupMx(resolveMx, 'broken.example'), 'error');
    assert.equal(await lookupMx(resolveMx, 'slow.example'), 'error');
  });

  test('an error without a code is an error, not a verdict', async () => {
    assert.equal(
      await lookupMx(async () => {
        throw new Error('boom');
      }, 'x.example'),
      'error',
    );
  });
});

describe('phone', () => {
  test('UK mobile vs landline, US number, toll-free', () => {
    assert.deepEqual(enrichPhone('+447400123456'), { raw: '+447400123456', e164: '+447400123456', valid: true, type: 'mobile', country: 'GB' });
    assert.deepEqual(enrichPhone('020 7946 0958', 'gb'), { raw: '020 7946 0958', e164: '+442079460958', valid: true, type: 'fixed_line', country: 'GB' });
    // NANP numbers share ranges between mobiles and landlines, so libphonenumber cannot tell.
    assert.equal(enrichPhone('(201) 555-0123').type, 'fixed_line_or_mobile');
    assert.equal(enrichPhone('1-800-555-1234').type, 'toll_free');
  });

  test('invalid numbers stay visible with no type; garbage has no E.164', () => {
    assert.deepEqual(enrichPhone('+1 555 0000'), { raw: '+1 555 0000', e164: '+15550000', valid: false, type: 'unknown', country: null });
    assert.deepEqual(enrichPhone('call me'), { raw: 'call me', e164: null, valid: false, type: 'unknown', country: null });
    assert.equal(enrichPhone('020 7946 0958', 'not-a-region').valid, false, 'unknown region falls back to US');
  });
});

describe('enrichLead', () => {
  const clock = () => Date.parse('2026-11-23T12:00:00Z');

  test('a complete lead, offline', async () => {
    const { resolveMx, asked } = fakeResolver({ 'example.net': MX });
    const { enrichLead } = createEnrichActivities({ resolveMx, clock });
    const result = await enrichLead({
      email: ' Jane@Example.net ',
      phone: '+447400123456',
      region: 'GB',
      vehicles: [
        { vin: '1HGCM82633A004352', year: 2003 },
        { vin: null, year: 2030 },
      ],
    });
    assert.deepEqual(result, {
      email: { address: 'jane@example.net', syntaxValid: true, domain: 'example.net', mx: 'found', disposable: false, role: false, verifier: null },
      phone: { raw: '+447400123456', e164: '+447400123456', valid: true, type: 'mobile', country: 'GB' },
      vehicles: [
        { vin: '1HGCM82633A004352', vinValid: true, modelYearFromVin: 2003, yearSane: true, yearMatchesVin: true },
        { vin: null, vinValid: null, modelYearFromVin: null, yearSane: false, yearMatchesVin: null },
      ],
    });
    assert.deepEqual(asked, ['example.net']);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'plain JSON');
  });

  test('no contact data: nulls, and no DNS query for a malformed address', async () => {
    const { resolveMx, asked } = fakeResolver({});
    const { enrichLead } = createEnrichActivities({ resolveMx, clock });
    assert.deepEqual(await enrichLead({ email: null, phone: '  ', vehicles: [] }), { email: null, phone: null, vehicles: [] });
    const bad = await enrichLead({ email: 'jane at example', phone: null, vehicles: [] });
    assert.equal(bad.email?.mx, 'skipped');
    assert.deepEqual(asked, []);
  });

  test('disposable and role addresses are flagged, not rejected; DNS failure is not fatal', async () => {
    const { resolveMx } = fakeResolver({ 'dealer.example': 'ETIMEOUT' });
    const { enrichLead } = createEnrichActivities({ resolveMx, clock });
    const temp = await enrichLead({ email: 'x@mailinator.com', phone: null, vehicles: [] });
    assert.deepEqual([temp.email?.disposable, temp.email?.mx], [true, 'none']);
    const role = await enrichLead({ email: 'sales@dealer.example', phone: null, vehicles: [] });
    assert.deepEqual([role.email?.role, role.email?.mx], [true, 'error']);
  });

  test('the clock decides what "current year" means', async () => {
    const { resolveMx } = fakeResolver({});
    const at = (iso: string) => createEnrichActivities({ resolveMx, clock: () => Date.parse(iso) });
    const input = { email: null, phone: null, vehicles: [{ vin: null, year: 2028 }] };
    assert.equal((await at('2026-06-01T00:00:00Z').enrichLead(input)).vehicles[0]?.yearSane, true);
    assert.equal((await at('2025-06-01T00:00:00Z').enrichLead(input)).vehicles[0]?.yearSane, false);
  });
});
