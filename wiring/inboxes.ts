// The inbox registry's pieces from configuration, shared by the API, the CLI and the workers: the
// key that seals inbox credentials, and the implicit inboxes that stand for the environment's
// single sender (SENDGRID_* or SMTP_* for e-mail, TWILIO_* for SMS; the local outbox otherwise).
import { inboxCredentialKeys } from '../config/inbox-key.js';
import type { Config } from '../config/index.js';
import { createSecretBox, type SecretBox } from '../domain/crypto/secret-box.js';
import { IMPLICIT_EMAIL_INBOX, IMPLICIT_SMS_INBOX, type ImplicitInbox } from '../domain/inboxes/types.js';

export async function inboxSecretBox(config: Pick<Config, 'dataDir' | 'privacy'>): Promise<SecretBox> {
  return createSecretBox(await inboxCredentialKeys(config));
}

export function implicitInboxes(config: Readonly<Config>): ImplicitInbox[] {
  const email: ImplicitInbox = {
    id: IMPLICIT_EMAIL_INBOX,
    kind: config.sendgrid !== undefined ? 'sendgrid' : 'smtp',
    address: config.sender.email,
    displayName: config.sender.name,
    provider: config.sendgrid !== undefined ? 'sendgrid' : config.smtp !== undefined ? 'smtp' : 'local',
  };
  const t = config.twilio;
  const sms: ImplicitInbox = {
    id: IMPLICIT_SMS_INBOX,
    kind: 'sms',
    address: t?.messagingServiceSid ?? t?.from ?? 'local',
    displayName: null,
    provider: t !== undefined ? 'twilio' : 'local',
  };
  return [email, sms];
}
