// A dealer names the inboxes its inbound ADF leads go out from (DEALER_INBOXES): the variable's
// format and every refusal naming it, and how an ADF prospect finds its dealer (the vendor, else
// the lead's source) on its way to a lead input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../config/index.js';
import { dealerInboxesConfig } from '../../config/dealer-inboxes.js';
import { parseAdf } from '../../domain/adf/parse.js';
import type { AdfProspect } from '../../domain/adf/types.js';
import { prospectToLeadInput } from '../../intake/to-lead.js';
import { validateLeadInput } from '../../temporal/lead-validation.js';
import { adfXml } from '../helpers/adf.js';

describe('DEALER_INBOXES', () => {
  test('dealer=inbox,inbox; dealer=inbox, spaces and a trailing ; tolerated, repeats dropped', () => {
    assert.deepEqual(dealerInboxesConfig({ DEALER_INBOXES: ' honda-north = hn-sales, hn-service ,hn-sales ; autotrader=at-1; ' }), {
      'honda-north': ['hn-sales', 'hn-service'],
      autotrader: ['at-1'],
    });
    assert.deepEqual(dealerInboxesConfig({}), {});
    assert.deepEqual(dealerInboxesConfig({ DEALER_INBOXES: '  ' }), {});
  });

  test('each mistake stops the config naming the variable and the entry', () => {
    const refusals: Array<[string, RegExp]> = [
      ['honda-north', /"honda-north" must be dealer=inbox/],
      ['Honda North=hn-sales', /dealer "Honda North" must be written as its slug .* honda-north/],
      ['a=x;a=y', /dealer a is listed twice/],
      ['a=', /dealer a must name 1 to 50 inbox ids/],
      [`a=${Array.from({ length: 51 }, (_, i) => `i${i}`).join(',')}`, /1 to 50/],
      ['a=Sales_Inbox', /"Sales_Inbox" \(dealer a\) is not an inbox id/],
    ];
    for (const [value, message] of refusals) {
      assert.throws(
        () => loadConfig({ DEALER_INBOXES: value }),
        (err: Error) => err instanceof ConfigError && err.message.startsWith('DEALER_INBOXES: ') && message.test(err.message),
        value,
      );
    }
  });

  test('loaded with the rest of the config, frozen', () => {
    const c = loadConfig({ DEALER_INBOXES: 'test-motors=tm-1,tm-2' });
    assert.deepEqual(c.dealerInboxes, { 'test-motors': ['tm-1', 'tm-2'] });
    assert.ok(Object.isFrozen(c.dealerInboxes['test-motors']));
    assert.deepEqual(loadConfig({}).dealerInboxes, {});
  });
});

describe("an ADF lead's dealer inboxes", () => {
  // adfXml: vendor "Test Motors", id source "TestFeed" (the lead's source: testfeed).
  const prospect = (vendor: string | null = 'Test Motors'): AdfProspect => {
    const p = parseAdf(Buffer.from(adfXml())).prospects[0]!;
    return { ...p, vendor: vendor === null ? null : { name: vendor, contactName: null, email: null, phone: null } };
  };

  test('the vendor is the dealer: its set becomes the lead input’s inboxes, and passes the lead checks', () => {
    const input = prospectToLeadInput(prospect(), { 'test-motors': ['tm-1', 'tm-2'], testfeed: ['feed-1'] });
    assert.equal(input.source, 'testfeed');
    assert.deepEqual(input.inboxes, ['tm-1', 'tm-2'], 'the vendor wins over the source');
    assert.doesNotThrow(() => validateLeadInput(input));
  });

  test('a vendor without a set, or none at all, falls back to the source’s set', () => {
    assert.deepEqual(prospectToLeadInput(prospect('Other Motors'), { testfeed: ['feed-1'] }).inboxes, ['feed-1']);
    assert.deepEqual(prospectToLeadInput(prospect(null), { testfeed: ['feed-1'] }).inboxes, ['feed-1']);
  });

  test('no set for the dealer: no inboxes (the implicit inbox), the input otherwise unchanged', () => {
    const p = prospect();
    const mapped = prospectToLeadInput(p, { 'someone-else': ['x-1'] });
    assert.equal('inboxes' in mapped, false);
    assert.deepEqual(mapped, prospectToLeadInput(p));
    assert.equal('inboxes' in prospectToLeadInput(prospect(), { constructor: ['x-1'], toString: ['x-2'] }), false, 'no inherited keys');
  });
});
