// E-mail through SendGrid's v3 Mail Send API with the official @sendgrid/mail client. Each sender
// owns its own MailService + Client pair (never the module singletons), so two senders with
// different keys or base URLs in one worker (or one test process) cannot overwrite each other.
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import { isTransientStatus, networkSendError, parseRetryAfter, PermanentSendError, TransientSendError, type UnknownOutcomeSendError } from '../send/errors.js';

export interface SendGridConfig {
  apiKey: string;
  /** Defaults to SendGrid's global API; tests and local runs point it at a stand-in. */
  baseUrl?: string;
  /** SendGrid validates the request and answers 200 without delivering (and without webhook events). */
  sandbox?: boolean;
  timeoutMs?: number;
}

export interface EmailAddress {
  email: string;
  name?: string;
}

export interface SendGridMessage {
  to: string | EmailAddress;
  from: string | EmailAddress;
  replyTo?: string | EmailAddress;
  subject: string;
  text: string;
  html?: string;
  /** Extra MIME headers, e.g. List-Unsubscribe / List-Unsubscribe-Post. */
  headers: Record<string, string>;
  /** Come back on every Event Webhook event as top-level keys: how a bounce finds its lead. */
  customArgs: Record<string, string>;
  /** Made by the workflow (lead + step); sent as the `idempotency_key` custom arg so webhook events and the outbox row line up. */
  idempotencyKey: string;
}

export interface SendGridResult {
  /** X-Message-Id; event `sg_message_id`s start with it. Null only if SendGrid omits the header (sandbox mode). */
  providerMessageId: string | null;
}

export const IDEMPOTENCY_ARG = 'idempotency_key';
const DEFAULT_TIMEOUT_MS = 15_000;

export function createSendGridSender(config: SendGridConfig) {
  const client = new Client();
  // setApiKey resets baseUrl to SendGrid's region host, so the override must come after it.
  client.setApiKey(config.apiKey);
  if (config.baseUrl !== undefined) client.setDefaultRequest('baseUrl', config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  async function send(msg: SendGridMessage): Promise<SendGridResult> {
    const content = [{ type: 'text/plain', value: msg.text }, ...(msg.html === undefined ? [] : [{ type: 'text/html', value: msg.html }])];
    try {
      const [response] = await mail.send({
        to: msg.to,
        from: msg.from,
        ...(msg.replyTo === undefined ? {} : { replyTo: msg.replyTo }),
        subject: msg.subject,
        // The helper's typings want content[] to be non-empty; text/plain always comes first, as SendGrid requires.
        content: content as [{ type: string; value: string }],
        headers: msg.headers,
        customArgs: { ...msg.customArgs, [IDEMPOTENCY_ARG]: msg.idempotencyKey },
        ...(config.sandbox === true ? { mailSettings: { sandboxMode: { enable: true } } } : {}),
      });
      const id = (response.headers as Record<string, unknown>)['x-message-id'];
      return { providerMessageId: typeof id === 'string' && id !== '' ? id : null };
    } catch (err) {
      throw classifySendGridError(err);
    }
  }

  return { send };
}

export type SendGridSender = ReturnType<typeof createSendGridSender>;

interface SendGridErrorBody {
  errors?: Array<{ field?: string | null; message?: string }>;
}

/** ResponseError carries `code` = HTTP status and `response` = { headers, body }; anything else never reached SendGrid's answer. */
export function classifySendGridError(err: unknown): PermanentSendError | TransientSendError | UnknownOutcomeSendError {
  const e = err as { code?: unknown; message?: string; response?: { headers?: Record<string, unknown>; body?: unknown } };
  if (typeof e.code === 'number' && e.response !== undefined) {
    const status = e.code;
    const body = (typeof e.response.body === 'object' && e.response.body !== null ? e.response.body : {}) as SendGridErrorBody;
    const first = body.errors?.[0];
    const providerMessage =
      body.errors?.map((x) => (x.field ? `${x.field}: ${x.message ?? ''}` : (x.message ?? ''))).join('; ') || (e.message ?? `HTTP ${status}`);
    const details = { provider: 'sendgrid' as const, code: first?.field ?? null, status, providerMessage };
    if (isTransientStatus(status)) return new TransientSendError({ ...details, retryAfterMs: parseRetryAfter(e.response.headers?.['retry-after']) });
    return new PermanentSendError(details);
  }
  const network = networkSendError('sendgrid', err, e.message ?? String(err));
  if (network !== null) return network;
  // The helper rejects bad input locally (missing from, empty content) before any request: a bug, not an outage.
  return new PermanentSendError({ provider: 'sendgrid', code: null, status: null, providerMessage: e.message ?? String(err) });
}
