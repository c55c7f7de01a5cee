// E-mail over plain SMTP with nodemailer (a dealer's own mailbox, or the local outbox catcher).
// SMTP has no idempotency key; the deterministic Message-ID plus the outbox ledger are what keep
// a retried send recognisable as the same message.
import nodemailer from 'nodemailer';
import { networkSendError, PermanentSendError, TransientSendError, type UnknownOutcomeSendError } from '../send/errors.js';
import { deterministicMessageId } from '../../domain/ids/index.js';

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465); false still upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Right-hand side of our Message-IDs, normally the sending domain. */
  messageIdDomain: string;
  timeoutMs?: number;
}

export interface SmtpMessage {
  to: string;
  from: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** Passed through verbatim: List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) among them. */
  headers: Record<string, string>;
  idempotencyKey: string;
}

export interface SmtpResult {
  /** The Message-ID header we sent, angle brackets included. */
  providerMessageId: string;
  /** The server's final reply, e.g. "250 2.0.0 Ok: queued as ABC"; useful when tracing with the mail host. */
  response: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createSmtpSender(config: SmtpConfig) {
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.user === undefined ? {} : { auth: { user: config.user, pass: config.password ?? '' } }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });

  async function send(msg: SmtpMessage): Promise<SmtpResult> {
    const messageId = deterministicMessageId(msg.idempotencyKey, config.messageIdDomain);
    try {
      const info = await transport.sendMail({
        messageId,
        to: msg.to,
        from: msg.from,
        ...(msg.replyTo === undefined ? {} : { replyTo: msg.replyTo }),
        subject: msg.subject,
        text: msg.text,
        ...(msg.html === undefined ? {} : { html: msg.html }),
        headers: msg.headers,
      });
      // One recipient per message: a refused recipient makes nodemailer reject (EENVELOPE), so
      // reaching here means the server took responsibility for the message.
      return { providerMessageId: messageId, response: info.response };
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  return { send, close: () => transport.close() };
}

export type SmtpSender = ReturnType<typeof createSmtpSender>;

/**
 * RFC 5321 reply codes: 5yz is a permanent refusal (550 user unknown, 554 rejected, 535 bad
 * credentials - a person must fix those), 4yz a temporary one (451 greylisting, 421 busy).
 * Without a reply code the connection failed: a refused connect or unknown host is transient, a
 * break mid-session may have come after the server took the message, so its outcome is unknown.
 */
export function classifySmtpError(err: unknown): PermanentSendError | TransientSendError | UnknownOutcomeSendError {
  const e = err as { responseCode?: unknown; code?: unknown; response?: unknown; message?: string };
  const providerMessage = typeof e.response === 'string' && e.response !== '' ? e.response : (e.message ?? String(err));
  if (typeof e.responseCode === 'number') {
    const details = { provider: 'smtp' as const, code: e.responseCode, status: e.responseCode, providerMessage };
    return e.responseCode >= 500 ? new PermanentSendError(details) : new TransientSendError(details);
  }
  const code = typeof e.code === 'string' ? e.code : null;
  const network = networkSendError('smtp', err, providerMessage);
  if (network !== null) return network;
  return new PermanentSendError({ provider: 'smtp', code, status: null, providerMessage });
}
