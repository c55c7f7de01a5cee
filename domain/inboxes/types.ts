// Names shared by the inbox registry's pure helpers. The inbox workflow's contract has the same
// union; domain/ cannot import workflows/, so it is restated here (the API checks they agree).
export type InboxKindName = 'smtp' | 'sendgrid' | 'sms';

/** The registry's ids: URL-, log- and workflow-ID-safe slugs. */
export const INBOX_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const IMPLICIT_EMAIL_INBOX = 'default';
export const IMPLICIT_SMS_INBOX = 'default-sms';
export const isImplicitInbox = (id: string): boolean => id === IMPLICIT_EMAIL_INBOX || id === IMPLICIT_SMS_INBOX;

const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const MESSAGING_SERVICE = /^MG[0-9a-fA-F]{32}$/;

/** The address an inbox of `kind` sends from: an e-mail, or an E.164 number / Messaging Service SID. */
export function checkAddress(kind: InboxKindName, address: string): string | null {
  if (kind === 'sms')
    return E164.test(address) || MESSAGING_SERVICE.test(address) ? null : 'address must be an E.164 number (+15551234567) or a Messaging Service SID (MG…)';
  return EMAIL.test(address) ? null : 'address must be an e-mail address';
}

export const isMessagingService = (address: string): boolean => MESSAGING_SERVICE.test(address);

/** The sender configured by environment variables (SENDGRID_* / SMTP_* / TWILIO_*), shown as an inbox. */
export interface ImplicitInbox {
  id: typeof IMPLICIT_EMAIL_INBOX | typeof IMPLICIT_SMS_INBOX;
  kind: InboxKindName;
  address: string;
  displayName: string | null;
  /** sendgrid | smtp | twilio | local (the local outbox: nothing leaves the machine). */
  provider: string;
}
