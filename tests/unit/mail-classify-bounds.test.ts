// Grown messages the classifier once took seconds on, each found by the classifier fuzzer
// (tests/unit/fuzz-classifier-*.test.ts): a super-linear regex met a long line, a long run of
// whitespace or many similar lines. Each must now be classified like the message it grew from,
// well within the fuzzer's bound. The times before the fix were measured on the 2-core dev machine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { classifyMail, replyParserInput, type Classification } from '../../domain/mail/classify/index.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/mail');
const fixture = (name: string) => fs.readFileSync(path.join(DIR, name), 'latin1');
/** The fuzzer's bound for one message (tests/unit/fuzz-classifier-*.test.ts); the fixed code takes well under 0.5 s. */
const BOUND_MS = 2000;

async function timed(raw: string): Promise<Classification> {
  const start = performance.now();
  const c = await classifyMail(Buffer.from(raw, 'latin1'));
  const ms = performance.now() - start;
  assert.ok(ms < BOUND_MS, `classified in ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
  return c;
}

/** A fixture with `run` and a closing line appended to its body. */
const grown = (name: string, run: string) => `${fixture(name)}${run}\r\nThanks\r\n`;

describe('mail classifier on grown messages (bounded scans)', () => {
  test('a reply with one 8 KB line of "on at " (email-reply-parser `^(.+\\son.*at.*wrote:)$`: 9 s)', async () => {
    const c = await timed(grown('gmail-reply-interested.eml', 'on at '.repeat(1400)));
    assert.equal(c.kind, 'reply');
    assert.equal(c.intent, 'interested');
  });

  test('a reply with a run of 60,000 spaces (the blank-line collapse `(?:[ \\t]*\\r?\\n){3,}`: 10 s)', async () => {
    const c = await timed(grown('gmail-reply-interested.eml', ' '.repeat(60_000)));
    assert.equal(c.kind, 'reply');
    assert.equal(c.intent, 'interested');
  });

  test('a reply with 32,000 lines of "在 x" (`^(在[\\s\\S]+写道：)$` across lines, 64 KB of them read: 2 s)', async () => {
    const c = await timed(grown('gmail-reply-interested.eml', Buffer.from('在 x\n'.repeat(32_000)).toString('latin1')));
    assert.equal(c.kind, 'reply');
    assert.equal(c.intent, 'interested');
  });

  test('an out-of-office with 400 KB of dates keeps its return date (chrono over the whole body: 4.4 s)', async () => {
    const c = await timed(grown('ooo-auto-submitted.eml', 'until 31/12/2030 '.repeat(24_000)));
    assert.deepEqual([c.kind, c.returnDate], ['auto-reply', '2026-12-02']);
  });

  test('a prose bounce with a 40 KB run of address characters before the address (recipient regex: 5 s)', async () => {
    const mail = fixture('gmail-text-bounce.eml').replace("Your message wasn't", `${'x.'.repeat(20_000)}\r\n\r\nYour message wasn't`);
    const c = await timed(mail);
    assert.equal(c.kind, 'bounce');
    assert.equal(c.bounce?.recipient, 'fullbox@gmail.example');
    assert.equal(c.bounce?.status, '5.2.2');
  });

  test('a prose bounce without the original headers, ending in 30,000 blank lines (`^\\s*Message-ID` with `m`: 4.3 s)', async () => {
    const mail = fixture('gmail-text-bounce.eml');
    const c = await timed(`${mail.slice(0, mail.indexOf('----- Original message'))}${' \r\n'.repeat(30_000)}end\r\n`);
    assert.equal(c.kind, 'bounce');
    assert.equal(c.bounce?.recipient, 'fullbox@gmail.example');
    assert.equal(c.originalMessageId, null);
  });

  test('what the reply parser reads: blank-line runs collapsed, lines cut at 2 KB, 16 KB in all, the top kept as is', () => {
    assert.equal(replyParserInput('Yes, Tuesday works.\n\n\n \n\t\nOn Mon wrote:\n> hi'), 'Yes, Tuesday works.\n\nOn Mon wrote:\n> hi');
    assert.equal(replyParserInput('Call me\r\n\r\n\r\n\r\nBob'), 'Call me\r\n\nBob');
    const lines = replyParserInput(`${'a'.repeat(5000)}\nnext`).split('\n');
    assert.deepEqual([lines[0]?.length, lines[1]], [2048, 'next']);
    assert.equal(replyParserInput('word '.repeat(100_000)).length, 2048);
    assert.equal(replyParserInput('short line\n'.repeat(100_000)).length, 16 * 1024);
  });
});
