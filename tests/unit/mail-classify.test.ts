// The inbound classifier over a corpus of real-shaped messages written for these tests: Postfix,
// Exchange and Gmail-style bounces, a delay, ARF, out-of-office with and without Auto-Submitted,
// Gmail/Outlook/Apple replies with quotes, an ADF lead e-mail and a newsletter.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { classifyMail, ruleIntent, UnreadableMailError } from '../../domain/mail/classify/index.js';
import { returnDate } from '../../domain/mail/classify/auto-reply.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/mail');
const OUR = '<3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e@acme.test>';
const load = (name: string) => classifyMail(fs.readFileSync(path.join(DIR, name)));

describe('mail classifier', () => {
  test('Postfix DSN: hard bounce with recipient, status, diagnostic and our original Message-ID', async () => {
    const c = await load('postfix-hard-bounce.eml');
    assert.equal(c.kind, 'bounce');
    assert.deepEqual(c.bounce, {
      type: 'hard',
      recipient: 'jane.nobody@example.net',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <jane.nobody@example.net>: Recipient address rejected: User unknown in virtual mailbox table',
    });
    assert.equal(c.originalMessageId, OUR);
  });

  test('a delay (Action: delayed, 4.4.1) is a soft bounce', async () => {
    const c = await load('postfix-delayed.eml');
    assert.equal(c.kind, 'bounce');
    assert.equal(c.bounce?.type, 'soft');
    assert.equal(c.bounce?.status, '4.4.1');
    assert.equal(c.originalMessageId, OUR);
  });

  test('Exchange NDR with 5.7.1 (blocked using Spamhaus) is a block; the original comes from message/rfc822', async () => {
    const c = await load('exchange-block.eml');
    assert.equal(c.bounce?.type, 'block');
    assert.equal(c.bounce?.recipient, 'buyer@contoso.example');
    assert.equal(c.originalMessageId, OUR);
  });

  test('a prose-only Gmail bounce: status and recipient from the text; over quota is soft', async () => {
    const c = await load('gmail-text-bounce.eml');
    assert.equal(c.kind, 'bounce');
    assert.equal(c.bounce?.status, '5.2.2');
    assert.equal(c.bounce?.type, 'soft');
    assert.equal(c.bounce?.recipient, 'fullbox@gmail.example');
    assert.equal(c.originalMessageId, OUR);
  });

  test('ARF feedback report is a complaint about our message', async () => {
    const c = await load('arf-complaint.eml');
    assert.equal(c.kind, 'complaint');
    assert.equal(c.originalMessageId, OUR);
  });

  test('out-of-office with Auto-Submitted, and without it (subject only), with the return date', async () => {
    const a = await load('ooo-auto-submitted.eml');
    assert.deepEqual([a.kind, a.intent, a.returnDate, a.inReplyTo], ['auto-reply', 'out_of_office', '2026-12-02', OUR]);
    const b = await load('ooo-subject-only.eml');
    assert.deepEqual([b.kind, b.returnDate], ['auto-reply', '2026-11-30']);
  });

  // Found by the classifier fuzzer: a flipped byte made "2026-11-30" read "12026-11-30", and the
  // return date came out as a five-digit year.
  test('a return date is a calendar date within about a year of the reply, or none', () => {
    const sent = new Date('2026-11-20T09:00:00Z');
    assert.equal(returnDate('Out of office. I am back on 2027-06-01.', sent), '2027-06-01');
    assert.equal(returnDate('Out of office. I am back on 12026-11-30.', sent), null);
    assert.equal(returnDate('On leave, back on 2031-01-05; until then write to Sam.', sent), null);
    assert.equal(returnDate('Back tomorrow.', new Date('9999-12-31T09:00:00Z')), null);
  });

  test('replies: the new text only, quotes and signatures stripped, with a rule-based intent', async () => {
    const gmail = await load('gmail-reply-interested.eml');
    assert.equal(gmail.kind, 'reply');
    assert.equal(gmail.inReplyTo, OUR);
    assert.deepEqual(gmail.references, [OUR]);
    assert.equal(gmail.replyText, 'Yes, Saturday at 10 works for me for a test drive.\n\nJane');
    assert.equal(gmail.intent, 'interested');
    const outlook = await load('outlook-reply-question.eml');
    assert.equal(outlook.replyText, 'How much would my 2017 Civic be worth as a trade-in?');
    assert.equal(outlook.intent, 'question');
    const apple = await load('apple-reply-not-interested.eml');
    assert.equal(apple.replyText, 'No thanks, I already bought one elsewhere.');
    assert.equal(apple.intent, 'not_interested');
    assert.equal((await load('reply-unsubscribe.eml')).intent, 'unsubscribe');
  });

  test('an ADF lead e-mail (attachment or body) carries its prospects; a newsletter is other', async () => {
    for (const name of ['adf-attachment.eml', 'adf-body.eml']) {
      const adf = await load(name);
      assert.equal(adf.kind, 'adf-lead', name);
      assert.ok((adf.prospects?.length ?? 0) >= 1, name);
    }
    assert.equal((await load('newsletter.eml')).kind, 'other');
  });

  test('unreadable input is an UnreadableMailError', async () => {
    await assert.rejects(classifyMail(Buffer.alloc(0)), UnreadableMailError);
    await assert.rejects(classifyMail(Buffer.from([0, 159, 146, 150, 0, 1, 2])), UnreadableMailError);
  });

  test('rule intents and their precedence', () => {
    const cases: Array<[string, string]> = [
      ['STOP', 'unsubscribe'],
      ["I'm interested but please stop emailing me", 'unsubscribe'],
      ['Wrong number, I never asked about a car', 'wrong_person'],
      ['Not interested, thanks', 'not_interested'],
      ['Can I come in Saturday for a test drive?', 'interested'],
      ['What is the best price?', 'question'],
      ['ok', 'other'],
      ['', 'other'],
    ];
    for (const [text, intent] of cases) assert.equal(ruleIntent(text), intent, text);
  });
});
