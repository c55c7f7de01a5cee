// SMS through Twilio's Programmable Messaging API with the official `twilio` client. Message
// create has no idempotency key, so exactly-once is the outbox ledger's job; this adapter only
// carries the key onto the status callback URL so delivery events find their lead and step.
import twilio from 'twilio';
import { networkSendError, parseRetryAfter, PermanentSendError, TransientSendError, UnknownOutcomeSendError, isTransientStatus } from '../send/errors.js';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** Replaces https://api.twilio.com for the 2010-04-01 API; TWILIO_EDGE/TWILIO_REGION must stay unset with it. */
  baseUrl?: string;
  /** A sender number in E.164; ignored when messagingServiceSid is set (the service picks the number). */
  from?: string;
  messagingServiceSid?: string;
  /** Our webhook; lead/step/idempotency key are appended as query parameters. */
  statusCallbackUrl?: string;
  timeoutMs?: number;
}

export interface SmsMessage {
  to: string;
  body: string;
  idempotencyKey: string;
  /** Extra query parameters for the status callback (e.g. leadId, step). */
  statusCallbackParams?: Record<string, string>;
}

export interface SmsResult {
  providerMessageId: string;
  status: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

// twilio's typings expose RequestOptions only inside a namespace the ESM default import cannot name.
type RequestOptions = Parameters<twilio.RequestClient['request']>[0];

/**
 * Twilio's RestException keeps the body's code and message but drops the response headers, so a
 * 429's Retry-After would be lost; this client turns such answers into TransientSendError itself.
 */
class RetryAfterAwareClient extends twilio.RequestClient {
  override async request<TData>(opts: RequestOptions) {
    // `never`: the base method's generic options type cannot be spelled here (see RequestOptions).
    const res = await super.request<TData>(opts as never);
    const retryAfterMs =
      res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter((res.headers as Record<string, unknown> | undefined)?.['retry-after']) : null;
    if (retryAfterMs === null) return res;
    const body = (typeof res.body === 'string' ? safeJson(res.body) : res.body) as { code?: number; message?: string } | null;
    throw new TransientSendError({
      provider: 'twilio',
      code: body?.code ?? null,
      status: res.statusCode,
      providerMessage: body?.message ?? `HTTP ${res.statusCode}`,
      retryAfterMs,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function createTwilioSender(config: TwilioConfig) {
  if (config.from === undefined && config.messagingServiceSid === undefined) throw new Error('Twilio sender needs `from` or `messagingServiceSid`');
  const httpClient = new RetryAfterAwareClient({ timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  const client = twilio(config.accountSid, config.authToken, { httpClient });
  // Domain.absoluteUrl() reads baseUrl on every request, so replacing it reroutes the whole 2010-04-01 API.
  if (config.baseUrl !== undefined) client.api.baseUrl = config.baseUrl;

  function callbackUrl(msg: SmsMessage): string | undefined {
    if (config.statusCallbackUrl === undefined) return undefined;
    const url = new URL(config.statusCallbackUrl);
    for (const [k, v] of Object.entries(msg.statusCallbackParams ?? {})) url.searchParams.set(k, v);
    url.searchParams.set('idempotencyKey', msg.idempotencyKey);
    return url.toString();
  }

  async function send(msg: SmsMessage): Promise<SmsResult> {
    const statusCallback = callbackUrl(msg);
    try {
      const created = await client.messages.create({
        to: msg.to,
        body: msg.body,
        ...(config.messagingServiceSid !== undefined ? { messagingServiceSid: config.messagingServiceSid } : { from: config.from }),
        ...(statusCallback === undefined ? {} : { statusCallback }),
      });
      return { providerMessageId: created.sid, status: created.status };
    } catch (err) {
      throw classifyTwilioError(err);
    }
  }

  return { send };
}

export type TwilioSender = ReturnType<typeof createTwilioSender>;

/** RestException: `status` = HTTP status, `code` = Twilio error code (21211 invalid To, 21610 unsubscribed, 20003 auth, 20429 throttled). */
export function classifyTwilioError(err: unknown): PermanentSendError | TransientSendError | UnknownOutcomeSendError {
  if (err instanceof PermanentSendError || err instanceof TransientSendError || err instanceof UnknownOutcomeSendError) return err;
  if (err instanceof twilio.RestException) {
    const details = { provider: 'twilio' as const, code: err.code ?? null, status: err.status, providerMessage: err.message };
    return isTransientStatus(err.status) || err.code === 20429 ? new TransientSendError(details) : new PermanentSendError(details);
  }
  const e = err as { message?: string };
  const network = networkSendError('twilio', err, e.message ?? String(err));
  if (network !== null) return network;
  return new PermanentSendError({ provider: 'twilio', code: null, status: null, providerMessage: e.message ?? String(err) });
}
