// Configuration is read from the environment once, typed and frozen. Optional integrations
// (IMAP, SMTP, SendGrid, Twilio, OpenAI) are `undefined` when not configured: the product then
// runs on its local defaults (local outbox, template drafts) instead of failing.
import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import { bool, ConfigError, int, oneOf, requireTogether, str, url, type Env } from './env-parse.js';
import { dealerInboxesConfig, type DealerInboxes } from './dealer-inboxes.js';
import { retentionConfig, type RetentionConfig } from './retention.js';
import { temporalConfig, type TemporalConfig } from './temporal.js';

export { ConfigError } from './env-parse.js';
export type { TemporalConfig, TemporalTlsFiles, WorkerBuild } from './temporal.js';
export type { DealerInboxes } from './dealer-inboxes.js';

export interface MailServerConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
}

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** TEMPORAL_*: the frontend, TLS and mTLS files, the workers' build (config/temporal.ts). */
  temporal: TemporalConfig;
  /**
   * What keeps contact data out of Temporal: PAYLOAD_ENCRYPTION_KEYS (`id:base64key,...`, newest
   * first) encrypt every payload; LEAD_ID_SECRET keys the hash that lead IDs are made of. Unset,
   * both are generated once into the data directory (single-host installs).
   */
  privacy: {
    payloadKeys: string | undefined;
    leadIdSecret: string | undefined;
    /** INBOX_CREDENTIALS_KEY: seals inbox credentials at rest (config/inbox-key.ts); generated into the data dir when unset. */
    inboxCredentialsKey: string | undefined;
  };
  api: {
    host: string;
    port: number;
    publicUrl: string;
    rateLimitPerMinute: number;
    rateLimitPerAddressPerMinute: number | undefined;
    /** API_PUBLIC_URL was set: providers can reach our webhooks. */ publicUrlSet: boolean;
  };
  imap:
    | (MailServerConfig & {
        /** Mailboxes to watch for lead e-mails, one watcher workflow each. */
        mailboxes: string[];
        /** Flag added to processed mail (e.g. \\Seen), and an optional folder to move it to. */
        processedFlag: string | undefined;
        moveTo: string | undefined;
        pollSeconds: number;
      })
    | undefined;
  smtp: MailServerConfig | undefined;
  sendgrid: { apiKey: string; baseUrl: string | undefined } | undefined;
  twilio:
    | {
        accountSid: string;
        authToken: string;
        baseUrl: string | undefined;
        /** One of the two is required: a sender number (E.164) or a Messaging Service. */
        from: string | undefined;
        messagingServiceSid: string | undefined;
      }
    | undefined;
  /** Who messages come from and the compliance parts of every e-mail. */
  sender: {
    name: string;
    /** The From address for SendGrid and SMTP (required when either is configured). */
    email: string;
    postalAddress: string | undefined;
    /** Signs unsubscribe links; generated into the data dir when unset (single-host installs). */
    unsubscribeSecret: string | undefined;
    unsubscribeMailto: string | undefined;
    /** Replies go to this mailbox's plus-address with the message's token (it should be a watched IMAP mailbox). */
    replyTo: string | undefined;
    /** Hears of handover escalations when a salesperson has no manager on file. */
    handoverFallbackEmail: string | undefined;
  };
  /** `off` skips MX lookups (air-gapped or DNS-less machines): addresses count as unchecked, not bad.
   *  Defaults to `dns` when SendGrid or SMTP is configured, `off` for the local outbox. */
  mxLookup: 'dns' | 'off';
  /** How long a send whose outcome was lost waits for the provider's webhook to prove it. */
  sendEvidenceWindowSeconds: number;
  /** RESUME_RAMP_*: the send rate after an emergency stop is lifted, when the resume names none. */
  resumeRamp: { initialPerMinute: number; doublingEveryMinutes: number; maxPerMinute: number };
  /** An external e-mail verification service; optional. */
  verifier: { url: string; apiKey: string } | undefined;
  /** RETENTION_*: the clean-up schedule's figures (config/retention.ts). */
  retention: RetentionConfig;
  /** DEALER_INBOXES: the inboxes each dealer's inbound ADF leads go out from (config/dealer-inboxes.ts). */
  dealerInboxes: DealerInboxes;
  openai: { apiKey: string; baseUrl: string | undefined; model: string } | undefined;
  webhooks: {
    /** SendGrid's Event Webhook verification key (base64 DER SPKI or PEM); unset disables that route. */
    sendgridPublicKey: string | undefined;
    /** How old a signed SendGrid request may be before it counts as a replay. */
    sendgridMaxAgeSeconds: number;
  };
}

function mailServer(env: Env, prefix: 'IMAP' | 'SMTP', defaultPort: number): MailServerConfig | undefined {
  const host = str(env, `${prefix}_HOST`);
  requireTogether(env, [`${prefix}_USER`, `${prefix}_PASSWORD`]);
  if (host === undefined) {
    for (const n of ['PORT', 'USER', 'PASSWORD', 'SECURE']) {
      if (str(env, `${prefix}_${n}`) !== undefined) throw new ConfigError(`${prefix}_HOST must be set when ${prefix}_${n} is set`);
    }
    return undefined;
  }
  return {
    host,
    port: int(env, `${prefix}_PORT`, defaultPort, 1, 65535),
    secure: bool(env, `${prefix}_SECURE`, false),
    user: str(env, `${prefix}_USER`),
    password: str(env, `${prefix}_PASSWORD`),
  };
}

function sendgridWebhookKey(env: Env): string | undefined {
  const key = str(env, 'SENDGRID_WEBHOOK_PUBLIC_KEY');
  if (key === undefined) return undefined;
  try {
    if (key.startsWith('-----BEGIN')) createPublicKey(key);
    else createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new ConfigError('SENDGRID_WEBHOOK_PUBLIC_KEY must be the verification key from SendGrid (base64 DER or PEM)');
  }
  return key;
}

function imapConfig(env: Env): Config['imap'] {
  const server = mailServer(env, 'IMAP', 993);
  if (server === undefined) return undefined;
  const mailboxes = (str(env, 'IMAP_MAILBOXES') ?? 'INBOX')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (mailboxes.length === 0) throw new ConfigError('IMAP_MAILBOXES must name at least one mailbox');
  const flag = str(env, 'IMAP_PROCESSED_FLAG', '\\Seen');
  return {
    ...server,
    mailboxes,
    processedFlag: flag === 'none' ? undefined : flag,
    moveTo: str(env, 'IMAP_MOVE_TO'),
    pollSeconds: int(env, 'IMAP_POLL_SECONDS', 30, 1, 3600),
  };
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Readonly<Config> {
  const dataDir = path.resolve(cwd, str(env, 'LEADFLOW_DATA_DIR', '.leadflow'));
  const databaseUrl = str(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const temporal = temporalConfig(env, cwd);
  const apiPort = int(env, 'API_PORT', 3000, 0, 65535);
  const apiHost = str(env, 'API_HOST', '127.0.0.1');
  requireTogether(env, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']);
  const sendgridKey = str(env, 'SENDGRID_API_KEY');
  const twilioSid = str(env, 'TWILIO_ACCOUNT_SID');
  const openaiKey = str(env, 'OPENAI_API_KEY');
  const senderEmail = str(env, 'SENDER_EMAIL');
  if (senderEmail === undefined && (sendgridKey !== undefined || str(env, 'SMTP_HOST') !== undefined)) {
    throw new ConfigError('SENDER_EMAIL (the From address) must be set when SENDGRID_API_KEY or SMTP_HOST is set');
  }
  if (senderEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(senderEmail)) throw new ConfigError('SENDER_EMAIL must be an e-mail address');
  if (twilioSid !== undefined && str(env, 'TWILIO_FROM') === undefined && str(env, 'TWILIO_MESSAGING_SERVICE_SID') === undefined) {
    throw new ConfigError('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID must be set when TWILIO_ACCOUNT_SID is set');
  }
  requireTogether(env, ['EMAIL_VERIFIER_URL', 'EMAIL_VERIFIER_API_KEY']);
  const replyTo = str(env, 'REPLY_TO_ADDRESS');
  if (replyTo !== undefined && !/^[^@\s+]+@[^@\s]+$/.test(replyTo))
    throw new ConfigError('REPLY_TO_ADDRESS must be a plain e-mail address (no +tag: leadflow adds its own)');
  const verifierUrl = url(env, 'EMAIL_VERIFIER_URL');
  const leadIdSecret = str(env, 'LEAD_ID_SECRET');
  if (leadIdSecret !== undefined && leadIdSecret.length < 32) throw new ConfigError('LEAD_ID_SECRET must be at least 32 characters');
  const unsubscribeSecret = str(env, 'UNSUBSCRIBE_SECRET');
  if (unsubscribeSecret !== undefined && unsubscribeSecret.length < 32) throw new ConfigError('UNSUBSCRIBE_SECRET must be at least 32 characters');

  const config: Config = {
    dataDir,
    databaseUrl,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    temporal,
    privacy: { payloadKeys: str(env, 'PAYLOAD_ENCRYPTION_KEYS'), leadIdSecret, inboxCredentialsKey: str(env, 'INBOX_CREDENTIALS_KEY') },
    api: {
      host: apiHost,
      port: apiPort,
      publicUrl: url(env, 'API_PUBLIC_URL') ?? `http://${apiHost}:${apiPort}/`,
      publicUrlSet: url(env, 'API_PUBLIC_URL') !== undefined,
      rateLimitPerMinute: int(env, 'API_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
      rateLimitPerAddressPerMinute:
        str(env, 'API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE') === undefined ? undefined : int(env, 'API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE', 600, 1, 1_000_000),
    },
    imap: imapConfig(env),
    smtp: mailServer(env, 'SMTP', 587),
    sendgrid: sendgridKey === undefined ? undefined : { apiKey: sendgridKey, baseUrl: url(env, 'SENDGRID_BASE_URL') },
    twilio:
      twilioSid === undefined
        ? undefined
        : {
            accountSid: twilioSid,
            authToken: str(env, 'TWILIO_AUTH_TOKEN') ?? '',
            baseUrl: url(env, 'TWILIO_BASE_URL'),
            from: str(env, 'TWILIO_FROM'),
            messagingServiceSid: str(env, 'TWILIO_MESSAGING_SERVICE_SID'),
          },
    sender: {
      name: str(env, 'LEADFLOW_SENDER_NAME', 'leadflow'),
      email: senderEmail ?? 'leads@localhost',
      postalAddress: str(env, 'SENDER_POSTAL_ADDRESS'),
      unsubscribeSecret,
      unsubscribeMailto: str(env, 'UNSUBSCRIBE_MAILTO'),
      handoverFallbackEmail: str(env, 'HANDOVER_FALLBACK_EMAIL'),
      replyTo,
    },
    // Without an e-mail provider nothing leaves the machine (local outbox), so deliverability lookups default off.
    sendEvidenceWindowSeconds: int(env, 'SEND_EVIDENCE_WINDOW_SECONDS', 600, 10, 86_400),
    resumeRamp: {
      initialPerMinute: int(env, 'RESUME_RAMP_PER_MINUTE', 1, 1, 60_000),
      doublingEveryMinutes: int(env, 'RESUME_RAMP_DOUBLING_MINUTES', 60, 1, 10_080),
      maxPerMinute: int(env, 'RESUME_RAMP_MAX_PER_MINUTE', 10_000, 1, 60_000),
    },
    mxLookup: oneOf(env, 'MX_LOOKUP', ['dns', 'off'] as const, sendgridKey !== undefined || str(env, 'SMTP_HOST') !== undefined ? 'dns' : 'off'),
    retention: retentionConfig(env),
    dealerInboxes: dealerInboxesConfig(env),
    verifier: verifierUrl === undefined ? undefined : { url: verifierUrl, apiKey: str(env, 'EMAIL_VERIFIER_API_KEY') ?? '' },
    webhooks: {
      sendgridPublicKey: sendgridWebhookKey(env),
      sendgridMaxAgeSeconds: int(env, 'SENDGRID_WEBHOOK_MAX_AGE_SECONDS', 600, 10, 86_400),
    },
    openai: openaiKey === undefined ? undefined : { apiKey: openaiKey, baseUrl: url(env, 'OPENAI_BASE_URL'), model: str(env, 'OPENAI_MODEL', 'gpt-4o-mini') },
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}

/** A view of the config that is safe to print: secrets replaced, credentials in URLs removed. */
export function describeConfig(c: Readonly<Config>): Record<string, unknown> {
  const secret = (v: string | undefined) => (v === undefined ? undefined : '***');
  const safeUrl = (u: string | undefined) => {
    if (u === undefined) return undefined;
    const parsed = new URL(u);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  };
  return {
    dataDir: c.dataDir,
    database: c.databaseUrl === undefined ? 'embedded PGlite' : safeUrl(c.databaseUrl),
    temporal: { ...c.temporal, apiKey: secret(c.temporal.apiKey) },
    privacy: {
      payloadKeys: secret(c.privacy.payloadKeys),
      leadIdSecret: secret(c.privacy.leadIdSecret),
      inboxCredentialsKey: secret(c.privacy.inboxCredentialsKey),
    },
    api: c.api,
    imap: c.imap && { ...c.imap, password: secret(c.imap.password) },
    smtp: c.smtp && { ...c.smtp, password: secret(c.smtp.password) },
    sendgrid: c.sendgrid && { ...c.sendgrid, apiKey: '***' },
    twilio: c.twilio && { ...c.twilio, authToken: '***' },
    openai: c.openai && { ...c.openai, apiKey: '***' },
    sender: { ...c.sender, unsubscribeSecret: secret(c.sender.unsubscribeSecret) },
    verifier: c.verifier && { ...c.verifier, apiKey: '***' },
  };
}
