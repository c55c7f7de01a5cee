// The transport of each registry inbox, built from its row with the secrets opened (or read from
// the environment variables it names) and cached until the row's `updated_at` moves (a PATCH of
// its credentials takes effect on the next send). The implicit inboxes map to the transports
// configured by environment variables. Secrets stay in this process: never in a workflow input.
import type { Kysely } from 'kysely';
import { getInbox, inboxUpdatedAt, type Database } from '../../db/index.js';
import type { SecretBox } from '../../domain/crypto/secret-box.js';
import { resolveConnection } from '../../domain/inboxes/connection.js';
import { openInboxSecrets } from '../../domain/inboxes/sealed.js';
import { IMPLICIT_EMAIL_INBOX, IMPLICIT_SMS_INBOX, isMessagingService } from '../../domain/inboxes/types.js';
import { messageIdDomain } from '../../domain/ids/index.js';
import { createSmtpSender } from '../mail/smtp-send.js';
import { createSendGridSender } from '../sendgrid/sender.js';
import { createTwilioSender } from '../twilio/sender.js';
import { sendGridTransport, smtpTransport, twilioTransport, type OutboundMessage, type Transport } from './transports.js';

export interface InboxTransportDeps {
  db: Kysely<Database>;
  box: SecretBox;
  /** The environment-configured transports: the implicit inboxes `default` and `default-sms`. */
  defaults: Record<OutboundMessage['channel'], Transport>;
  /** Where secrets given as variable names are read (default: this process's environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Twilio's status callback (our webhook), as for the implicit SMS sender. */
  twilioStatusCallbackUrl?: string;
}

/** The inbox cannot send: unknown, of the other channel, or its secret is missing here. */
export class InboxUnavailableError extends Error {
  constructor(
    message: string,
    /** true: only a person can fix it (unknown inbox, wrong channel). */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

interface Cached {
  stamp: number;
  transport: Transport;
  close: () => void;
}

const fromHeader = (address: string, name: string | null) => (name === null ? address : `"${name.replace(/["\\]/g, '')}" <${address}>`);

export function createInboxTransports(deps: InboxTransportDeps) {
  const cache = new Map<string, Cached>();
  const env = deps.env ?? process.env;

  function build(row: NonNullable<Awaited<ReturnType<typeof getInbox>>>): Omit<Cached, 'stamp'> {
    let c;
    try {
      c = resolveConnection(row.settings, openInboxSecrets(deps.box, row.id, row.secrets_enc), env);
    } catch (err) {
      throw new InboxUnavailableError(`inbox ${row.id}: ${(err as Error).message}`, false);
    }
    const domain = messageIdDomain(row.address);
    const from = fromHeader(row.address, row.display_name);
    if (row.kind === 'smtp' && c.smtp !== undefined) {
      const s = c.smtp;
      const sender = createSmtpSender({
        host: s.host,
        port: s.port,
        secure: s.secure,
        messageIdDomain: domain,
        ...(s.user !== undefined && { user: s.user, password: s.password ?? '' }),
      });
      return { transport: { ...smtpTransport(sender, from), messageIdDomain: domain }, close: () => sender.close() };
    }
    if (row.kind === 'sendgrid' && c.sendgrid !== undefined) {
      const sender = createSendGridSender({ apiKey: c.sendgrid.apiKey, ...(c.sendgrid.baseUrl !== undefined && { baseUrl: c.sendgrid.baseUrl }) });
      return { transport: { ...sendGridTransport(sender, from), messageIdDomain: domain }, close: () => undefined };
    }
    if (row.kind === 'sms' && c.twilio !== undefined) {
      const t = c.twilio;
      const service = t.messagingServiceSid ?? (isMessagingService(row.address) ? row.address : undefined);
      const sender = createTwilioSender({
        accountSid: t.accountSid,
        authToken: t.authToken,
        ...(t.baseUrl !== undefined && { baseUrl: t.baseUrl }),
        ...(service !== undefined ? { messagingServiceSid: service } : { from: row.address }),
        ...(deps.twilioStatusCallbackUrl !== undefined && { statusCallbackUrl: deps.twilioStatusCallbackUrl }),
      });
      return { transport: twilioTransport(sender), close: () => undefined };
    }
    throw new InboxUnavailableError(`inbox ${row.id} (${row.kind}) has no ${row.kind} settings`, true);
  }

  /** The transport that sends as `inboxId` on `channel`. */
  async function forInbox(inboxId: string, channel: OutboundMessage['channel']): Promise<Transport> {
    if (inboxId === IMPLICIT_EMAIL_INBOX || inboxId === IMPLICIT_SMS_INBOX) {
      const implicitChannel = inboxId === IMPLICIT_EMAIL_INBOX ? 'email' : 'sms';
      if (implicitChannel !== channel) throw new InboxUnavailableError(`inbox ${inboxId} sends ${implicitChannel}, not ${channel}`, true);
      return deps.defaults[channel];
    }
    // One indexed read of the stamp per send; the row and its secrets only when it moved.
    const stamp = (await inboxUpdatedAt(deps.db, inboxId))?.getTime();
    const hit = cache.get(inboxId);
    if (stamp !== undefined && hit?.stamp === stamp) return hit.transport;
    const row = await getInbox(deps.db, inboxId);
    if (row === undefined) throw new InboxUnavailableError(`no inbox ${inboxId} in the registry`, true);
    if (row.channel !== channel) throw new InboxUnavailableError(`inbox ${inboxId} sends ${row.channel}, not ${channel}`, true);
    const built = build(row);
    hit?.close();
    cache.set(inboxId, { ...built, stamp: row.updated_at.getTime() });
    return built.transport;
  }

  function close(): void {
    for (const c of cache.values()) c.close();
    cache.clear();
  }

  return { forInbox, close };
}

export type InboxTransports = ReturnType<typeof createInboxTransports>;
