// The pure parts of the lead workflow: payload reading, channel choice, step timing, send keys,
// unsubscribe tokens and the compliance parts of every e-mail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Enrichment } from '../../domain/enrich/types.js';
import { composeEmail } from '../../activities/send/compose.js';
import { deterministicMessageId, plusAddress, replyToken, replyTokensIn } from '../../domain/ids/index.js';
import { isLinkToken, linkToken, linkTokenMatches, signUnsubscribeToken, unsubscribeToken, verifyUnsubscribeToken } from '../../domain/tokens/signed-token.js';
import { sendKey, type LeadCarry, type LeadInput } from '../../workflows/lead/contract.js';
import { leadProfile, reachableChannel } from '../../domain/lead/profile.js';
import { checkSequence, DEFAULT_SEQUENCE, nextAction } from '../../workflows/lead/sequence.js';

const DAY = 86_400_000;
const email = (o: Partial<NonNullable<Enrichment['email']>> = {}): Enrichment['email'] => ({
  address: 'a@example.com',
  syntaxValid: true,
  domain: 'example.com',
  mx: 'found',
  disposable: false,
  role: false,
  verifier: null,
  ...o,
});
const phone = (valid: boolean): Enrichment['phone'] => ({ raw: 'x', e164: valid ? '+14155552671' : null, valid, type: 'mobile', country: 'US' });

describe('lead policy', () => {
  test('the profile reads ADF and API payloads alike and ignores junk', () => {
    const base: LeadInput = {
      source: 's',
      externalId: 'x',
      campaignId: null,
      contact: { firstName: null, lastName: null, email: null, phone: null },
      payload: {},
    };
    const adf = leadProfile({
      ...base,
      payload: {
        adf: {
          requestDate: '2026-11-01T00:00:00.000Z',
          customer: { comments: 'call me', timeframe: { description: 'asap', earliestDate: null, latestDate: null } },
          vehicles: [{ year: 2024, make: 'Honda', model: 'Civic', vin: null, interest: 'buy', price: 25000 }],
        },
      },
    });
    assert.deepEqual(adf.vehicles, [{ year: 2024, make: 'Honda', model: 'Civic', vin: null, interest: 'buy', price: 25000 }]);
    assert.equal(adf.comments, 'call me');
    assert.equal(adf.timeframe?.description, 'asap');
    const api = leadProfile({ ...base, payload: { vehicle: { year: '2023', make: 'Kia', model: 7 }, comments: '  ', timeframe: 'this week' } });
    assert.deepEqual(api.vehicles, [{ year: 2023, make: 'Kia', model: null, vin: null, interest: null, price: null }]);
    assert.equal(api.comments, null);
    assert.equal(api.timeframe?.description, 'this week');
    assert.deepEqual(leadProfile({ ...base, payload: { adf: 'nonsense', vehicles: 'x' } }).vehicles, []);
  });

  test('channel: a working e-mail first, then a valid phone, honouring a step preference', () => {
    assert.equal(reachableChannel({ email: email(), phone: phone(true), vehicles: [] }), 'email');
    assert.equal(reachableChannel({ email: email(), phone: phone(true), vehicles: [] }, 'sms'), 'sms');
    assert.equal(reachableChannel({ email: email(), phone: phone(false), vehicles: [] }, 'sms'), 'email');
    assert.equal(reachableChannel({ email: email({ mx: 'error' }), phone: null, vehicles: [] }), 'email', 'a failed lookup says nothing');
    for (const bad of [email({ mx: 'none' }), email({ disposable: true }), email({ syntaxValid: false }), email({ verifier: { status: 'undeliverable' } })]) {
      assert.equal(reachableChannel({ email: bad, phone: phone(true), vehicles: [] }), 'sms');
      assert.equal(reachableChannel({ email: bad, phone: phone(false), vehicles: [] }), null);
    }
  });

  test('step timing: each delay counts from the previous message; a pending resend goes first; then the final wait', () => {
    const c = { sequenceStartedAt: 1000, lastSentAt: null, stepsSent: 0, pendingResend: null } as unknown as LeadCarry;
    assert.deepEqual(nextAction(DEFAULT_SEQUENCE, c), { kind: 'send', step: 1, dueAt: 1000, resend: false });
    Object.assign(c, { stepsSent: 1, lastSentAt: 5000 });
    assert.deepEqual(nextAction(DEFAULT_SEQUENCE, c), { kind: 'send', step: 2, dueAt: 5000 + 2 * DAY, resend: false });
    Object.assign(c, { pendingResend: { step: 1, dueAt: 9000 } });
    assert.deepEqual(nextAction(DEFAULT_SEQUENCE, c), { kind: 'send', step: 1, dueAt: 9000, resend: true });
    Object.assign(c, { pendingResend: null, stepsSent: 3, lastSentAt: 7000 });
    assert.deepEqual(nextAction(DEFAULT_SEQUENCE, c), { kind: 'finish', dueAt: 7000 + 7 * DAY });
  });

  test('sequences are checked with messages naming the step', () => {
    assert.throws(() => checkSequence([]), /at least one step/);
    assert.throws(() => checkSequence([{ delay: 0 }, { delay: 'soonish' as '1 day' }]), /sequence\[1\]\.delay "soonish" is not a valid duration/);
    assert.throws(() => checkSequence([{ delay: -5 }]), /must not be negative/);
    assert.throws(() => checkSequence([{ delay: 0, channel: 'fax' as 'sms' }]), /sequence\[0\]\.channel/);
    assert.throws(() => checkSequence([{ delay: 0, template: { body: ' ' } }]), /template\.body must not be empty/);
    checkSequence(DEFAULT_SEQUENCE);
  });

  test('send keys are stable per lead, step and resend', () => {
    assert.equal(sendKey('lead:a', 2, 0), 'lead:a:step:2');
    assert.equal(sendKey('lead:a', 2, 1), 'lead:a:step:2:resend:1');
    assert.notEqual(sendKey('lead:a', 1, 1), sendKey('lead:a', 1, 2));
  });

  test('unsubscribe tokens verify only with the right secret and untouched', () => {
    const t = signUnsubscribeToken('s'.repeat(32), { leadId: 'lead:x:1', address: 'a@example.com' });
    assert.deepEqual(verifyUnsubscribeToken('s'.repeat(32), t), { leadId: 'lead:x:1', address: 'a@example.com' });
    assert.equal(verifyUnsubscribeToken('t'.repeat(32), t), null);
    const [payload, mac] = t.split('.');
    const forged = Buffer.from(JSON.stringify(['lead:x:1', 'b@example.com'])).toString('base64url');
    assert.equal(verifyUnsubscribeToken('s'.repeat(32), `${forged}.${mac}`), null);
    assert.equal(verifyUnsubscribeToken('s'.repeat(32), `${payload}`), null);
    assert.equal(verifyUnsubscribeToken('s'.repeat(32), `${t}.extra`), null);
    assert.equal(verifyUnsubscribeToken('s'.repeat(32), 'garbage'), null);
    // Only the canonical encoding: Node's lenient base64url decoder would accept these.
    for (const suffix of ['!', '=', '*', '==', 'A']) assert.equal(verifyUnsubscribeToken('s'.repeat(32), `${t}${suffix}`), null, `suffix ${suffix}`);
  });

  test('link tokens: 24 characters, one spelling, bound to their purpose and values', () => {
    const secret = 's'.repeat(32);
    const t = linkToken(secret, 'unsubscribe', ['lead:x', 'a@example.com']);
    assert.match(t, /^[A-Za-z0-9_-]{24}$/);
    assert.equal(linkToken(secret, 'unsubscribe', ['lead:x', 'a@example.com']), t, 'deterministic');
    assert.ok(linkTokenMatches(secret, 'unsubscribe', t, ['lead:x', 'a@example.com']));
    assert.ok(!linkTokenMatches(secret, 'handover-ack', t, ['lead:x', 'a@example.com']), 'another purpose');
    assert.ok(!linkTokenMatches(secret, 'unsubscribe', t, ['lead:x', 'b@example.com']), 'another address');
    assert.ok(!linkTokenMatches('t'.repeat(32), 'unsubscribe', t, ['lead:x', 'a@example.com']), 'another secret');
    for (const altered of [`${t}=`, `${t}!`, t.slice(1), `${t.slice(0, -1)}*`])
      assert.ok(!isLinkToken(altered) || !linkTokenMatches(secret, 'unsubscribe', altered, ['lead:x', 'a@example.com']), altered);
    assert.equal(
      unsubscribeToken(secret, { leadId: 'l'.repeat(300), address: `${'x'.repeat(240)}@example.com` }).length,
      24,
      'short whatever the lead id and address',
    );
  });

  test('every e-mail gets RFC 8058 headers and the footer; SMS is untouched', () => {
    const cfg = {
      unsubscribe: { publicUrl: 'https://lf.example/', secret: 's'.repeat(32), mailto: 'unsub@dealer.example' },
      postalAddress: '1 Main St',
      messageIdDomain: 'dealer.example',
    };
    const msg = {
      idempotencyKey: 'k',
      leadId: 'lead:x',
      step: 1,
      channel: 'email' as const,
      to: 'a@example.com',
      subject: 'Hi',
      text: 'Hello',
      headers: { 'X-Other': '1' },
    };
    const out = composeEmail(msg, cfg);
    assert.match(
      out.headers?.['List-Unsubscribe'] ?? '',
      /^<https:\/\/lf\.example\/unsubscribe\/[\w-]{24}>, <mailto:unsub@dealer\.example\?subject=unsubscribe>$/,
    );
    assert.equal(out.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    assert.equal(out.headers?.['X-Other'], '1');
    assert.match(out.text, /^Hello\n\n--\nTo stop receiving these e-mails: https:\/\/lf\.example\/unsubscribe\/\S+\n1 Main St$/);
    assert.equal(out.replyTo, undefined, 'no Reply-To unless configured');
    const tagged = composeEmail(msg, { ...cfg, replyTo: 'replies@dealer.example' });
    assert.equal(tagged.replyTo, plusAddress('replies@dealer.example', replyToken('k')));
    assert.deepEqual(replyTokensIn([tagged.replyTo ?? '', 'other@dealer.example', 'x+notatoken@dealer.example']), [replyToken('k')]);
    assert.match(deterministicMessageId('k', 'dealer.example'), new RegExp(`^<${replyToken('k')}@dealer\\.example>$`));
    const sms = { ...msg, channel: 'sms' as const, subject: null };
    assert.deepEqual(composeEmail(sms, cfg), sms);
  });
});
