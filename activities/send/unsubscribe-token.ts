// Unsubscribe links that need no login and cannot be forged: the token names the lead and the
// address and carries an HMAC over both, so the API can act on a one-click POST (RFC 8058)
// without trusting anything else in the request.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeClaim { leadId: string; address: string }

const mac = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(payload).digest();

export function signUnsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(JSON.stringify([claim.leadId, claim.address]), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The claim when the token is intact, otherwise null (wrong secret, edited, or not a token). */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaim | null {
  const [payload, sig, extra] = token.split('.');
  if (payload === undefined || sig === undefined || extra !== undefined) return null;
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { leadId: v[0], address: v[1] };
  } catch { /* fall through: a forged payload with a valid MAC cannot happen, a corrupt one is just invalid */ }
  return null;
}
