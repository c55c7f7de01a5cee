// Webhook signature checks. SendGrid signs timestamp + raw body with ECDSA P-256 (SHA-256,
// DER signature, base64); the key is shown in SendGrid's settings as base64 DER SPKI.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export function sendGridPublicKey(configured: string): KeyObject {
  const text = configured.trim();
  return text.startsWith('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
}

export function verifySendGrid(key: KeyObject, signatureB64: string, timestamp: string, rawBody: Buffer): boolean {
  try {
    return verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]), key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false; // a malformed signature is a failed signature, not a server error
  }
}

export type Rejection = { status: 401 | 403; detail: string };

/** Missing headers are 401 (not authenticated); a bad or stale signature is 403 (refused). */
export function checkSendGrid(key: KeyObject, maxAgeSeconds: number, headers: Record<string, unknown>, raw: Buffer, nowMs = Date.now()): Rejection | null {
  const sig = headers['x-twilio-email-event-webhook-signature'];
  const ts = headers['x-twilio-email-event-webhook-timestamp'];
  if (typeof sig !== 'string' || typeof ts !== 'string') return { status: 401, detail: 'the request is not signed' };
  const age = Math.abs(nowMs / 1000 - Number(ts));
  if (!/^\d+$/.test(ts) || age > maxAgeSeconds) return { status: 403, detail: `the signature timestamp is outside the ${maxAgeSeconds} s window` };
  if (!verifySendGrid(key, sig, ts, raw)) return { status: 403, detail: 'the signature does not match the body' };
  return null;
}
