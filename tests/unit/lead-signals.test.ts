// Provider event → lead signal mapping, against the event shapes SendGrid and Twilio document.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sendGridLeadSignal, twilioInboundLeadSignal, twilioStatusLeadSignal } from '../../api/webhooks/lead-events.js';

const sg = (e: Record<string, unknown>) => sendGridLeadSignal({ sg_event_id: 'ev1', email: 'a@example.com', lead_id: 'lead:x', step: '2', ...e });

describe('SendGrid events → lead signals', () => {
  test('engagement events carry the step from custom_args', () => {
    assert.deepEqual(sg({ event: 'delivered' }), { signal: 'delivered', args: { eventId: 'sendgrid:ev1', kind: 'delivered', step: 2 } });
    assert.equal(sg({ event: 'open' })?.signal, 'opened');
    assert.equal(sg({ event: 'click' })?.signal, 'clicked');
    assert.equal(sg({ event: 'delivered', step: 'x' })?.args && (sg({ event: 'delivered', step: 'x' })?.args as { step: unknown }).step, null);
  });

  test('bounce classification decides hard, soft or block', () => {
    const kind = (e: Record<string, unknown>) => {
      const s = sg({ event: 'bounce', ...e });
      return s?.signal === 'bounced' ? s.args.kind : null;
    };
    assert.equal(kind({ type: 'bounce', bounce_classification: 'Invalid Address' }), 'hard');
    assert.equal(kind({ type: 'bounce' }), 'hard');
    assert.equal(kind({ type: 'bounce', bounce_classification: 'Mailbox Unavailable' }), 'soft');
    assert.equal(kind({ type: 'bounce', bounce_classification: 'Technical' }), 'soft');
    assert.equal(kind({ type: 'bounce', bounce_classification: 'Reputation' }), 'block');
    assert.equal(kind({ type: 'blocked', bounce_classification: 'Invalid Address' }), 'block');
  });

  test('complaints, unsubscribes and drops', () => {
    assert.equal(sg({ event: 'spamreport' })?.signal, 'complained');
    assert.equal(sg({ event: 'unsubscribe' })?.signal, 'unsubscribed');
    assert.equal(sg({ event: 'group_unsubscribe' })?.signal, 'unsubscribed');
    assert.equal(sg({ event: 'dropped', reason: 'Unsubscribed Address' })?.signal, 'unsubscribed');
    assert.equal(sg({ event: 'dropped', reason: 'Spam Reporting Address' })?.signal, 'complained');
    const dropped = sg({ event: 'dropped', reason: 'Bounced Address' });
    assert.ok(dropped?.signal === 'bounced' && dropped.args.kind === 'hard' && /Bounced Address/.test(dropped.args.reason));
  });

  test('events that mean nothing to a lead map to null', () => {
    for (const event of ['processed', 'deferred', 'something_new']) assert.equal(sg({ event }), null, event);
  });
});

describe('Twilio callbacks → lead signals', () => {
  const status = (p: Record<string, string>) => twilioStatusLeadSignal({ MessageSid: 'SM1', ...p }, { lead_id: 'lead:x', step: '1' });
  test('delivered, and failure codes by meaning', () => {
    assert.deepEqual(status({ MessageStatus: 'delivered' }), { signal: 'delivered', args: { eventId: 'twilio:SM1:delivered', kind: 'delivered', step: 1 } });
    assert.equal(status({ MessageStatus: 'sent' }), null);
    const kind = (code: string) => {
      const s = status({ MessageStatus: 'undelivered', ErrorCode: code });
      return s?.signal === 'bounced' ? s.args.kind : s?.signal;
    };
    assert.equal(kind('30005'), 'hard');
    assert.equal(kind('30006'), 'hard');
    assert.equal(kind('30007'), 'block');
    assert.equal(kind('30003'), 'soft');
    assert.equal(kind('21610'), 'unsubscribed');
  });
  test('inbound STOP keywords unsubscribe; anything else is a reply', () => {
    for (const body of ['STOP', ' stop ', 'Unsubscribe', 'QUIT'])
      assert.equal(twilioInboundLeadSignal({ MessageSid: 'SM2', From: '+1', Body: body }, 't').signal, 'unsubscribed', body);
    const reply = twilioInboundLeadSignal({ MessageSid: 'SM3', From: '+14155552671', Body: 'Stop by Saturday?' }, '2026-11-23T00:00:00Z');
    assert.deepEqual(reply, {
      signal: 'replyReceived',
      args: {
        eventId: 'twilio:SM3',
        channel: 'sms',
        from: '+14155552671',
        text: 'Stop by Saturday?',
        receivedAt: '2026-11-23T00:00:00Z',
        intent: 'interested',
      },
    });
  });
});
