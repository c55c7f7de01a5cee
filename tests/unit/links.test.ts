// domain/links.ts builds every public URL of ours: the status callback the SMS sender hands
// Twilio and the URL the webhook checks Twilio's signature against. Behind a proxy API_PUBLIC_URL
// carries a path prefix, and a URL that lost it would make every genuine callback fail its check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { publicUrl } from '../../domain/links.js';

describe('publicUrl', () => {
  test('keeps a path prefix, with or without its trailing slash', () => {
    for (const base of ['https://crm.example.com/leadflow/', 'https://crm.example.com/leadflow'])
      assert.equal(publicUrl(base, 'webhooks/twilio/status'), 'https://crm.example.com/leadflow/webhooks/twilio/status', base);
    assert.equal(publicUrl('https://crm.example.com/a/b/', 'handover/ack/t0k'), 'https://crm.example.com/a/b/handover/ack/t0k');
  });

  test('a route with a leading slash (a request target, as the webhook has it) keeps the prefix too', () => {
    assert.equal(publicUrl('https://crm.example.com/leadflow/', '/webhooks/twilio/status'), 'https://crm.example.com/leadflow/webhooks/twilio/status');
    // Not a protocol-relative URL to another host.
    assert.equal(publicUrl('https://crm.example.com/leadflow/', '//evil.example/x'), 'https://crm.example.com/leadflow/evil.example/x');
  });

  test('the query string comes through as sent: Twilio signs it byte for byte', () => {
    const route = '/webhooks/twilio/status?lead_id=lead%3Aabc&step=1&idempotencyKey=lead%3Aabc%3Astep%3A1';
    assert.equal(
      publicUrl('https://crm.example.com/leadflow', route),
      'https://crm.example.com/leadflow/webhooks/twilio/status?lead_id=lead%3Aabc&step=1&idempotencyKey=lead%3Aabc%3Astep%3A1',
    );
  });

  test('without a prefix, and with a port', () => {
    assert.equal(publicUrl('https://crm.example.com', 'webhooks/twilio/status'), 'https://crm.example.com/webhooks/twilio/status');
    assert.equal(publicUrl('http://127.0.0.1:3000/', '/unsubscribe/x'), 'http://127.0.0.1:3000/unsubscribe/x');
  });
});
