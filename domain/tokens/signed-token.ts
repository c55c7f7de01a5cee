// Links that need no login and cannot be forged: one-click unsubscribe (lead + address) and a
// salesperson's handover acknowledgement (handover id).
//
// Current links carry a link token: 24 base64url characters of an HMAC over the purpose and the
// values, stored with what it stands for (the outbox row, the handover row). The link is short
// whatever the lead id or address, carries no personal data, and has exactly one spelling: 18
// bytes are 24 characters with no padding bits, so `isLinkToken` rejects any altered copy.
//
// Legacy links (sent before link tokens) carry their values and an HMAC over them; they are still
// honoured, but only in their canonical encoding (an appended `=`, `!` or `*` is refused).
import { createHmac, timingSafeEqual } from 'node:crypto';

type Purpose = 'unsubscribe' | 'handover-ack';

const TOKEN = /^[A-Za-z0-9_-]{24}$/;

/** The link token for these values: deterministic, so every message to one lead's address shares it. */
export function linkToken(secret: string, purpose: Purpose, values: string[]): string {
  return createHmac('sha256', secret)
    .update(`${purpose}\0${values.join('\0')}`)
    .digest()
    .subarray(0, 18)
    .toString('base64url');
}

/** True for a well-formed link token (the lookup then decides whether it names anything). */
export const isLinkToken = (token: string): boolean => TOKEN.test(token);

/** Constant-time check that `token` is the one these values produce. */
export function linkTokenMatches(secret: string, purpose: Purpose, token: string, values: string[]): boolean {
  if (!isLinkToken(token)) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(linkToken(secret, purpose, values));
  return a.length === b.length && timingSafeEqual(a, b);
}

const mac = (secret: string, purpose: Purpose, payload: string): Buffer => createHmac('sha256', secret).update(`${purpose}.${payload}`).digest();

/** base64url that decodes and re-encodes to itself: Node's decoder skips foreign characters. */
function canonicalBase64url(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

function sign(secret: string, purpose: Purpose, values: string[]): string {
  const payload = Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

function verify(secret: string, purpose: Purpose, token: string, count: number): string[] | null {
  const [payload, sig, extra] = token.split('.');
  if (payload === undefined || sig === undefined || extra !== undefined) return null;
  const body = canonicalBase64url(payload);
  const given = canonicalBase64url(sig);
  if (body === null || given === null) return null;
  const expected = mac(secret, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    if (Array.isArray(v) && v.length === count && v.every((x) => typeof x === 'string')) return v;
  } catch {
    /* a valid MAC over garbage cannot be minted without the secret */
  }
  return null;
}

/**
 * How long an acknowledgement link works: a handover waits two SLAs and then a week for anyone to
 * take it, so a day past that no link has anything left to acknowledge.
 */
export const ACK_LINK_TTL_MS = 8 * 24 * 3600_000;

export interface UnsubscribeClaim {
  leadId: string;
  address: string;
}

/** The unsubscribe link token of one lead's address. */
export const unsubscribeToken = (secret: string, c: UnsubscribeClaim): string => linkToken(secret, 'unsubscribe', [c.leadId, c.address]);
/** The acknowledgement link token of one handover. */
export const ackToken = (secret: string, handoverId: string): string => linkToken(secret, 'handover-ack', [handoverId]);

/** Legacy format, kept so tests can mint the links that older e-mails carry. */
export const signUnsubscribeToken = (secret: string, c: UnsubscribeClaim): string => sign(secret, 'unsubscribe', [c.leadId, c.address]);

/** A legacy unsubscribe link's claim when intact and canonical, otherwise null. */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaim | null {
  const v = verify(secret, 'unsubscribe', token, 2);
  return v === null ? null : { leadId: v[0] ?? '', address: v[1] ?? '' };
}

/** Legacy format of acknowledgement links. */
export const signAckToken = (secret: string, handoverId: string): string => sign(secret, 'handover-ack', [handoverId]);
export const verifyAckToken = (secret: string, token: string): string | null => verify(secret, 'handover-ack', token, 1)?.[0] ?? null;
