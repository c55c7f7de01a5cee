// Links that need no login and cannot be forged: one-click unsubscribe (lead + address) and a
// salesperson's handover acknowledgement (handover id). The token carries its values and an HMAC
// over them and its purpose, so a token minted for one purpose is worthless for the other.
import { createHmac, timingSafeEqual } from 'node:crypto';

type Purpose = 'unsubscribe' | 'handover-ack';

const mac = (secret: string, purpose: Purpose, payload: string): Buffer => createHmac('sha256', secret).update(`${purpose}.${payload}`).digest();

function sign(secret: string, purpose: Purpose, values: string[]): string {
  const payload = Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

function verify(secret: string, purpose: Purpose, token: string, count: number): string[] | null {
  const [payload, sig, extra] = token.split('.');
  if (payload === undefined || sig === undefined || extra !== undefined) return null;
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === count && v.every((x) => typeof x === 'string')) return v;
  } catch { /* a valid MAC over garbage cannot be minted without the secret */ }
  return null;
}

export interface UnsubscribeClaim { leadId: string; address: string }

export const signUnsubscribeToken = (secret: string, c: UnsubscribeClaim): string => sign(secret, 'unsubscribe', [c.leadId, c.address]);

/** The claim when the token is intact, otherwise null (wrong secret, edited, or not a token). */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaim | null {
  const v = verify(secret, 'unsubscribe', token, 2);
  return v === null ? null : { leadId: v[0] ?? '', address: v[1] ?? '' };
}

export const signAckToken = (secret: string, handoverId: string): string => sign(secret, 'handover-ack', [handoverId]);
export const verifyAckToken = (secret: string, token: string): string | null => verify(secret, 'handover-ack', token, 1)?.[0] ?? null;
