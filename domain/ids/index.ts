// Every key and ID the product derives from content, spelled once: arrival keys (an arrival seen
// twice is one arrival), provider and mail event ids (a re-delivery is one event), content hashes
// and outbound Message-IDs. Lead and workflow IDs are built in the workflows' contract modules,
// which run in the workflow sandbox and so cannot use node:crypto.
import { createHash } from 'node:crypto';

/** 32 hex characters of sha256: long enough to never collide among our keys, short enough for headers. */
export function sha256Hex32(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 32);
}

/** A content-derived arrival key: the same bytes ingested twice are the same arrival. */
export const contentKey = (raw: Buffer): string => sha256Hex32(raw);

/** Where an ingested input came from, as the arrival key the intake deduplicates on. */
export const arrivalKey = {
  /** UIDVALIDITY + UID name one IMAP message for good: a redelivery after a crash is the same arrival. */
  imap: (mailbox: string, uidValidity: string | number, uid: number | string): string => `imap:${mailbox}:${uidValidity}:${uid}`,
  /** An HTTP request with an Idempotency-Key header, or else the body's own hash. */
  httpKey: (key: string): string => `http:key:${key}`,
  httpContent: (raw: Buffer): string => `http:sha:${contentKey(raw)}`,
  /** A file given to `leadflow ingest`: its bytes. */
  cliContent: (raw: Buffer): string => `cli:sha:${contentKey(raw)}`,
  /** A quarantined input replayed with no arrival of its own. */
  quarantine: (id: string | number): string => `quarantine:${id}`,
};

/** The event id of an inbound mail: its Message-ID, or the hash of its bytes when it has none. */
export const mailEventId = (messageId: string | null, raw: Buffer): string => `mail:${messageId ?? sha256Hex32(raw)}`;

/** One unsubscribe per lead and address, however often and through whichever link it comes. */
export const unsubscribeEventId = (leadId: string, address: string): string => `unsubscribe:${sha256Hex32(`${leadId}\0${address.trim().toLowerCase()}`)}`;

/** The host part of a sender address: the right-hand side of our Message-IDs. */
export function messageIdDomain(fromAddress: string): string {
  // A From with a display name ("Dealer A Sales" <rep@dealer-a.example>, as a registry inbox's
  // transport is built) takes the address inside the brackets: the whole string gave "dealer-a.example>",
  // which deterministicMessageId refuses, so every send of such a SendGrid inbox failed.
  const address = /<([^<>]*)>\s*$/.exec(fromAddress)?.[1] ?? fromAddress;
  const at = address.lastIndexOf('@');
  const host = at < 0 ? '' : address.slice(at + 1).trim();
  return host === '' ? 'localhost' : host;
}

// The Message-ID of an outbound e-mail is a pure function of the workflow's idempotency key:
// a retried send after a worker crash carries the same ID (so a recipient's client and our own
// duplicate check see one message), and a reply's In-Reply-To/References lead back to it.

/** 32 hex chars of sha256(key): the Message-ID's local part and the plus-address Reply-To token. */
export function replyToken(idempotencyKey: string): string {
  if (idempotencyKey === '') throw new Error('a message token needs a non-empty idempotency key');
  return sha256Hex32(idempotencyKey);
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
