// The Message-ID of an outbound e-mail is a pure function of the workflow's idempotency key:
// a retried send after a worker crash carries the same ID (so a recipient's client and our own
// duplicate check see one message), and a reply's In-Reply-To/References lead back to it.
import { createHash } from 'node:crypto';

/** `<32 hex chars of sha256(key)@domain>`; hashing keeps lead IDs out of headers the recipient can read. */
export function deterministicMessageId(idempotencyKey: string, domain: string): string {
  if (idempotencyKey === '') throw new Error('deterministicMessageId needs a non-empty idempotency key');
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new Error(`Message-ID domain must be a host name, got ${JSON.stringify(domain)}`);
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}
