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

/** Node socket errors and client timeouts: no response came back, so the provider may not have seen the request. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ESOCKET',
  'ECONNECTION',
]);

export function networkErrorCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code) ? code : null;
}
