import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { leadKey, leadKeyFromWorkflowId, leadWorkflowId } from '../../workflows/lead/contract.js';

const contact = (o: Partial<{ email: string | null; phone: string | null }> = {}) => ({ firstName: null, lastName: null, email: null, phone: null, ...o });

describe('lead identity', () => {
  test('the source id wins, normalised, so re-sends of one prospect share a workflow', () => {
    const a = leadKey({ source: 'DealerSocket', externalId: ' ABC-123 ', campaignId: null, contact: contact({ email: 'x@y.z' }) });
    const b = leadKey({ source: 'dealersocket', externalId: 'abc-123', campaignId: null, contact: contact({ email: 'other@y.z' }) });
    assert.equal(a, b);
    assert.equal(a, 'dealersocket:id:abc-123');
  });

  test('without an id, e-mail then phone identify the lead; campaigns scope their prospects', () => {
    assert.equal(
      leadKey({ source: 'api', externalId: null, campaignId: null, contact: contact({ email: ' Jane@Example.COM ' }) }),
      'api:email:jane@example.com',
    );
    assert.equal(leadKey({ source: 'api', externalId: null, campaignId: null, contact: contact({ phone: '+1 (555) 555-0100' }) }), 'api:phone:+15555550100');
    assert.equal(leadKey({ source: 'csv', externalId: null, campaignId: 'Spring-24', contact: contact({ email: 'a@b.c' }) }), 'campaign:spring-24:email:a@b.c');
    assert.notEqual(
      leadKey({ source: 'a', externalId: '1', campaignId: null, contact: contact() }),
      leadKey({ source: 'b', externalId: '1', campaignId: null, contact: contact() }),
    );
  });

  test('a lead with nothing to identify it is refused', () => {
    assert.throws(() => leadKey({ source: 'api', externalId: ' ', campaignId: null, contact: contact({ email: ' ' }) }), /needs an external id/);
  });

  test('workflow ids round-trip', () => {
    assert.equal(leadKeyFromWorkflowId(leadWorkflowId('api:email:a@b.c')), 'api:email:a@b.c');
    assert.equal(leadKeyFromWorkflowId('campaign:1'), null);
  });
});
