// Everything the lead workflow's activities talk to, chosen from configuration: SendGrid, else
// the inbox's SMTP server, else the local outbox for e-mail; Twilio, else the local outbox for
// SMS; OpenAI, else templates. Tests build the same object with stand-ins and a fake resolver.
import { leadIdSecret } from '../temporal/lead-ids.js';
import { messageIdDomain } from '../domain/ids/index.js';
import { localSecret } from '../config/local-secret.js';
import { publicUrl } from '../domain/links.js';
import { randomBytes } from 'node:crypto';
import { resolveMx } from 'node:dns/promises';
import { createDrafter, type Drafter } from '../activities/ai/drafter.js';
import { createIntentClassifier, type IntentClassifier } from '../activities/ai/intent.js';
import type { ResolveMx, VerifierConfig } from '../activities/enrich/index.js';
import { createSmtpSender } from '../activities/mail/smtp-send.js';
import type { ComposeConfig } from '../activities/send/compose.js';
import type { SendSlotPolicy } from '../activities/send/slot.js';
import { localTransport, sendGridTransport, smtpTransport, twilioTransport, type Transport } from '../activities/send/transports.js';
import { createSendGridSender } from '../activities/sendgrid/sender.js';
import { createTwilioSender } from '../activities/twilio/sender.js';
import { createSummarizer, type Summarizer } from '../activities/handover/summary.js';
import { workflowUiUrl } from '../temporal/lead-client.js';
import type { Config } from '../config/index.js';
import type { SecretBox } from '../domain/crypto/secret-box.js';
import { inboxSecretBox } from './inboxes.js';
import type { RampSettings } from '../db/index.js';

export interface LeadServices {
  resolveMx: ResolveMx;
  verifier?: VerifierConfig | undefined;
  drafter: Drafter;
  senderName: string;
  transports: { email: Transport; sms: Transport };
  compose: ComposeConfig;
  slots?: SendSlotPolicy;
  /** The registry inboxes' credentials key (and Twilio's status callback): messages naming an inbox send through its own transport. */
  inboxRegistry?: { box: SecretBox; twilioStatusCallbackUrl?: string };
  /** While the emergency stop holds, a waiting lead asks again after this long (default 5 minutes). */
  stopRecheckMs?: number;
  /** How long a lost send outcome may still be proven by a provider webhook. */
  evidenceWindowMs?: number;
  /** Providers whose webhooks report every accepted message (see ledger.ts). */
  absenceMeansUnsent?: ReadonlySet<Transport['provider']>;
  /** Handover dossiers: the summary (AI or facts), the lead's page, and who hears of escalations when a rep has no manager. */
  summarize: Summarizer;
  leadUrl: (leadId: string) => string;
  fallbackManager: string | null;
  /** The ramp after an emergency stop is lifted, when the resume names none (DEFAULT_RAMP when absent). */
  resumeRamp?: RampSettings;
  /** Names campaign leads (temporal/lead-ids.ts): the same secret the API and intake use. */
  leadIdSecret?: string;
  /** While a lead's campaign is paused, the lead asks for its slot again after this long (default 2 minutes). */
  campaignRecheckMs?: number;
  /** A campaign lead whose first step is at least this far away starts deferred (default one minute; tests shorten it). */
  deferStartMinMs?: number;
}

/** No providers at all: template drafts, the local outbox, and the resolver given (tests pass a fake). */
export function localLeadServices(opts: { resolveMx: ResolveMx; publicUrl?: string; secret?: string } & Partial<LeadServices>): LeadServices {
  const { publicUrl, secret, ...rest } = opts;
  return {
    drafter: createDrafter({}),
    senderName: 'leadflow',
    summarize: createSummarizer(),
    leadUrl: (id) => workflowUiUrl('http://127.0.0.1:8233/', 'default', id),
    fallbackManager: null,
    transports: { email: localTransport(), sms: localTransport() },
    compose: {
      unsubscribe: { publicUrl: publicUrl ?? 'http://127.0.0.1:3000/', secret: secret ?? 'local-test-secret-not-for-production', mailto: null },
      postalAddress: null,
      messageIdDomain: 'localhost',
    },
    ...rest,
  };
}

/**
 * The unsubscribe secret from UNSUBSCRIBE_SECRET, else one generated once into the data dir, so
 * links in mail already sent keep working across restarts of a single-host install.
 */
export async function unsubscribeSecret(config: Readonly<Config>): Promise<string> {
  return config.sender.unsubscribeSecret ?? localSecret(config.dataDir, 'unsubscribe.secret', () => randomBytes(32).toString('base64url'));
}

function emailTransport(config: Readonly<Config>): Transport {
  const from = config.sender.email;
  if (config.sendgrid !== undefined) {
    return sendGridTransport(
      createSendGridSender({ apiKey: config.sendgrid.apiKey, ...(config.sendgrid.baseUrl !== undefined && { baseUrl: config.sendgrid.baseUrl }) }),
      from,
    );
  }
  if (config.smtp !== undefined) {
    const s = config.smtp;
    return smtpTransport(
      createSmtpSender({
        host: s.host,
        port: s.port,
        secure: s.secure,
        messageIdDomain: messageIdDomain(from),
        ...(s.user !== undefined && { user: s.user, password: s.password ?? '' }),
      }),
      from,
    );
  }
  return localTransport();
}

function smsTransport(config: Readonly<Config>): Transport {
  const t = config.twilio;
  if (t === undefined) return localTransport();
  return twilioTransport(
    createTwilioSender({
      accountSid: t.accountSid,
      authToken: t.authToken,
      ...(t.baseUrl !== undefined && { baseUrl: t.baseUrl }),
      ...(t.from !== undefined && { from: t.from }),
      ...(t.messagingServiceSid !== undefined && { messagingServiceSid: t.messagingServiceSid }),
      statusCallbackUrl: publicUrl(config.api.publicUrl, 'webhooks/twilio/status'),
    }),
  );
}

/** MX_LOOKUP=off: every lookup reports `error` (unchecked), which never disqualifies an address. */
const skipMx: ResolveMx = async () => {
  throw Object.assign(new Error('MX lookups are off (MX_LOOKUP=off)'), { code: 'ENOLOOKUP' });
};

export async function leadServicesFromConfig(config: Readonly<Config>): Promise<LeadServices> {
  const ai = config.openai;
  return {
    resolveMx: config.mxLookup === 'off' ? skipMx : resolveMx,
    verifier: config.verifier,
    drafter: createDrafter(
      ai === undefined ? {} : { openai: { apiKey: ai.apiKey, model: ai.model, ...(ai.baseUrl !== undefined && { baseUrl: ai.baseUrl }) } },
    ),
    senderName: config.sender.name,
    summarize: createSummarizer(
      ai === undefined ? undefined : { apiKey: ai.apiKey, model: ai.model, ...(ai.baseUrl !== undefined && { baseUrl: ai.baseUrl }) },
    ),
    leadUrl: (id) => workflowUiUrl(config.temporal.uiUrl, config.temporal.namespace, id),
    fallbackManager: config.sender.handoverFallbackEmail ?? null,
    evidenceWindowMs: config.sendEvidenceWindowSeconds * 1000,
    resumeRamp: { ...config.resumeRamp },
    leadIdSecret: await leadIdSecret(config),
    // Only providers that can reach our webhooks and report every message they accept.
    absenceMeansUnsent: new Set([
      ...(config.webhooks.sendgridPublicKey !== undefined ? ['sendgrid' as const] : []),
      ...(config.twilio !== undefined && config.api.publicUrlSet ? ['twilio' as const] : []),
    ]),
    transports: { email: emailTransport(config), sms: smsTransport(config) },
    inboxRegistry: { box: await inboxSecretBox(config), twilioStatusCallbackUrl: publicUrl(config.api.publicUrl, 'webhooks/twilio/status') },
    compose: {
      unsubscribe: { publicUrl: config.api.publicUrl, secret: await unsubscribeSecret(config), mailto: config.sender.unsubscribeMailto ?? null },
      postalAddress: config.sender.postalAddress ?? null,
      messageIdDomain: messageIdDomain(config.sender.email),
      replyTo: config.sender.replyTo ?? null,
    },
  };
}

/** Reply intent: the AI when OPENAI_API_KEY is set, the rules otherwise (and on failure or low confidence). */
export function intentClassifierFromConfig(config: Readonly<Config>): IntentClassifier {
  const ai = config.openai;
  return createIntentClassifier(
    ai === undefined ? {} : { openai: { apiKey: ai.apiKey, model: ai.model, ...(ai.baseUrl !== undefined && { baseUrl: ai.baseUrl }) } },
  );
}
