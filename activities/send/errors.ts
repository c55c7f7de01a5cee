// The one classification every send adapter (SendGrid, Twilio, SMTP) maps its provider's
// failures onto, so the lead workflow decides "retry later" vs "needs a person" without knowing
// which provider spoke. The class names are the Temporal failure types: an activity retry policy
// lists Failure.PermanentSend in nonRetryableErrorTypes, and the lead moves to needs_attention.
import { Failure } from '../../domain/failures/index.js';

export type SendProvider = 'sendgrid' | 'twilio' | 'smtp';

interface SendErrorDetails {
  provider: SendProvider;
  /** The provider's own code: Twilio's 21211, an SMTP reply code, SendGrid's failing field. */
  code: string | number | null;
  /** HTTP status (or SMTP reply code) when there was a response at all. */
  status: number | null;
  /** The provider's text, kept for the operator; never contains credentials. */
  providerMessage: string;
}

/** What every send failure carries, whichever provider spoke. */
export abstract class SendError extends Error {
  readonly provider: SendProvider;
  readonly code: string | number | null;
  readonly status: number | null;
  readonly providerMessage: string;

  protected constructor(what: string, d: SendErrorDetails) {
    super(`${d.provider} ${what} (${d.status ?? 'no status'}${d.code === null ? '' : `, code ${d.code}`}): ${d.providerMessage}`);
    this.provider = d.provider;
    this.code = d.code;
    this.status = d.status;
    this.providerMessage = d.providerMessage;
  }
}

/** The provider refused for good (bad address, unsubscribed recipient, bad key): retrying cannot help. */
export class PermanentSendError extends SendError {
  override readonly name = Failure.PermanentSend;
  constructor(d: SendErrorDetails) {
    super('refused the message permanently', d);
  }
}

/** Throttled, provider down, or network trouble: the same send may succeed later. */
export class TransientSendError extends SendError {
  override readonly name = Failure.TransientSend;
  /** From Retry-After when the provider said how long to wait; the activity's next retry should not come sooner. */
  readonly retryAfterMs: number | null;

  constructor(d: SendErrorDetails & { retryAfterMs?: number | null }) {
    super('failed transiently', d);
    this.retryAfterMs = d.retryAfterMs ?? null;
  }
}

/** HTTP statuses worth retrying: throttling, timeouts and server-side failures. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is ignored. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | null {
  const raw = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const text = String(raw).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The call failed before any byte of the request could reach the provider (nothing listening, no
 * such host, no route, connect timeout): sending again cannot duplicate anything.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'EDNS']);

/**
 * The connection broke or timed out after the request may have been written: the provider may
 * well have accepted the message and only its answer was lost. Treating these as "not sent" is
 * how a reset after SendGrid's 202 became a second e-mail (found by the fault suite).
 */
const MAYBE_SENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKET', 'ECONNECTION', 'UND_ERR_SOCKET']);

export interface NetworkFailure {
  code: string;
  /** True when the provider may have accepted the request before the connection failed. */
  maybeSent: boolean;
}

/** Node socket errors and client timeouts, split by whether the request could have reached the provider. */
export function networkFailure(err: unknown): NetworkFailure | null {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : null;
  if (code === null) return null;
  if (NOT_SENT_CODES.has(code)) return { code, maybeSent: false };
  if (!MAYBE_SENT_CODES.has(code)) return null;
  // nodemailer wraps a refused connect as ESOCKET and keeps the socket's code only in the text.
  const causeCode = (e?.cause as { code?: unknown } | undefined)?.code;
  const text = `${typeof e?.message === 'string' ? e.message : ''} ${typeof causeCode === 'string' ? causeCode : ''}`;
  const underlying = [...NOT_SENT_CODES].find((c) => text.includes(c));
  return underlying !== undefined ? { code, maybeSent: false } : { code, maybeSent: true };
}

/**
 * A failure we cannot classify as accepted or refused: the request may have reached the provider.
 * The ledger keeps the call in flight and settles it from provider evidence, never by calling again.
 */
export class UnknownOutcomeSendError extends SendError {
  override readonly name = Failure.SendOutcomePending;
  constructor(d: SendErrorDetails) {
    super('lost the answer to a request it may have accepted', d);
  }
}

/** The one mapping every adapter uses for a failure with no provider answer at all. */
export function networkSendError(provider: SendProvider, err: unknown, message: string): TransientSendError | UnknownOutcomeSendError | null {
  const network = networkFailure(err);
  if (network === null) return null;
  const details = { provider, code: network.code, status: null, providerMessage: message };
  return network.maybeSent ? new UnknownOutcomeSendError(details) : new TransientSendError(details);
}
