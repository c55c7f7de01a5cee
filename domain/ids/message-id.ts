// The Message-ID of an outbound e-mail is a pure function of the workflow's idempotency key:
// a retried send after a worker crash carries the same ID (so a recipient's client and our own
// duplicate check see one message), and a reply's In-Reply-To/References lead back to it.
import { createHash } from 'node:crypto';

/** 32 hex chars of sha256(key): the Message-ID's local part and the plus-address Reply-To token. */
export function replyToken(idempotencyKey: string): string {
  if (idempotencyKey === '') throw new Error('a message token needs a non-empty idempotency key');
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
}

/** `<token@domain>`; hashing keeps lead IDs out of headers the recipient can read. */
export function deterministicMessageId(idempotencyKey: string, domain: string): string {
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new Error(`Message-ID domain must be a host name, got ${JSON.stringify(domain)}`);
  return `<${replyToken(idempotencyKey)}@${domain}>`;
}

/** `replies@acme.test` + token → `replies+token@acme.test`: a reply finds its message even when a client drops In-Reply-To. */
export function plusAddress(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}+${token}${address.slice(at)}`;
}

/** The tokens of plus-addresses like the above among a message's recipients. */
export function replyTokensIn(recipients: string[]): string[] {
  return recipients.map((r) => /^[^@\s+]+\+([0-9a-f]{32})@/i.exec(r.trim())?.[1]?.toLowerCase()).filter((t): t is string => t !== undefined);
}
