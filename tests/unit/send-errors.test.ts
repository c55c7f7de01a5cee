// Which failures may have reached the provider: the line between "send again" and "settle from
// evidence" that keeps a lost answer from becoming a second message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { networkFailure, networkSendError, parseRetryAfter, TransientSendError, UnknownOutcomeSendError } from '../../activities/send/errors.js';

const err = (code: string, message = `${code} from the socket`) => Object.assign(new Error(message), { code });

describe('send errors: network failures', () => {
  test('refused, unknown host and no route never reached the provider', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']) {
      assert.deepEqual(networkFailure(err(code)), { code, maybeSent: false }, code);
      assert.ok(networkSendError('sendgrid', err(code), 'x') instanceof TransientSendError, code);
    }
  });

  test('a reset, timeout or broken pipe after the request left may have been accepted', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE']) {
      assert.deepEqual(networkFailure(err(code)), { code, maybeSent: true }, code);
      const mapped = networkSendError('twilio', err(code), 'x');
      assert.ok(mapped instanceof UnknownOutcomeSendError, code);
      assert.equal(mapped.name, 'SendOutcomePending');
    }
  });

  test("nodemailer's ESOCKET wrapping a refused connect is still a clean transient failure", () => {
    assert.deepEqual(networkFailure(err('ESOCKET', 'connect ECONNREFUSED 127.0.0.1:2525')), { code: 'ESOCKET', maybeSent: false });
    assert.deepEqual(networkFailure(err('ESOCKET', 'read ECONNRESET')), { code: 'ESOCKET', maybeSent: true });
  });

  test('anything without a socket code is not a network failure', () => {
    assert.equal(networkFailure(new Error('boom')), null);
    assert.equal(networkFailure(err('EAUTH')), null);
    assert.equal(networkFailure(null), null);
  });

  test('Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.equal(parseRetryAfter(['3']), 3000);
    assert.equal(parseRetryAfter('Wed, 02 Dec 2026 07:00:10 GMT', Date.parse('Wed, 02 Dec 2026 07:00:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('soon'), null);
  });
});
