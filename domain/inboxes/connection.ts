// An inbox's connection: what the API accepts (settings with secrets inline or as the names of
// environment variables), how it is split for storage (plain settings + secrets to seal), how it
// is shown (never a secret: `hasPassword`, or the variable's name), and how it is put back
// together for use. Pure: the API, the CLI and the send path share it.
import type { InboxKindName } from './types.js';

export interface ServerSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  /** The secret lives in this environment variable of whatever process uses the inbox. */
  passwordEnv?: string;
}
export interface ImapSettings extends ServerSettings {
  mailbox: string;
}
export interface SendGridSettings {
  baseUrl?: string;
  apiKeyEnv?: string;
}
export interface TwilioSettings {
  accountSid: string;
  baseUrl?: string;
  messagingServiceSid?: string;
  authTokenEnv?: string;
}
export interface InboxSettings {
  smtp?: ServerSettings;
  imap?: ImapSettings;
  sendgrid?: SendGridSettings;
  twilio?: TwilioSettings;
}
/** What is sealed: only secrets given inline. */
export interface InboxSecrets {
  smtpPassword?: string;
  imapPassword?: string;
  sendgridApiKey?: string;
  twilioAuthToken?: string;
}

/** The request's connection parts (API body / CLI JSON), each section optional. */
export interface ConnectionInput {
  smtp?: Partial<ServerSettings> & { password?: string };
  imap?: Partial<ImapSettings> & { password?: string };
  sendgrid?: SendGridSettings & { apiKey?: string };
  twilio?: Partial<TwilioSettings> & { authToken?: string };
}

export type FieldError = { field: string; message: string };
export type Split = { ok: true; settings: InboxSettings; secrets: InboxSecrets } | ({ ok: false } & FieldError);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SECTIONS = { smtp: ['smtp', 'imap'], sendgrid: ['sendgrid'], sms: ['twilio'] } as const;

const fail = (field: string, message: string): { ok: false } & FieldError => ({ ok: false, field, message });

/** Exactly one way to give a secret; an env var name must look like one. */
function secretOf(section: string, name: string, inline: string | undefined, envName: string | undefined, old: { inline?: string; env?: string }) {
  if (inline !== undefined && envName !== undefined) return fail(`${section}.${name}`, `give ${section}.${name} or ${section}.${name}Env, not both`);
  if (envName !== undefined && !ENV_NAME.test(envName)) return fail(`${section}.${name}Env`, `${section}.${name}Env must be an environment variable name`);
  if (inline !== undefined) return { ok: true as const, inline, env: undefined };
  if (envName !== undefined) return { ok: true as const, inline: undefined, env: envName };
  return { ok: true as const, inline: old.inline, env: old.env };
}

function server(
  section: 'smtp' | 'imap',
  input: (Partial<ServerSettings> & { password?: string; mailbox?: string }) | undefined,
  old: ServerSettings | undefined,
  oldSecret: string | undefined,
  defaultPort: number,
): FieldError | { settings: ServerSettings & { mailbox?: string }; secret: string | undefined } {
  const merged = { ...old, ...input };
  if (typeof merged.host !== 'string' || merged.host.trim() === '') return { field: `${section}.host`, message: `${section}.host is required` };
  const s = secretOf(section, 'password', input?.password, input?.passwordEnv, {
    ...(oldSecret !== undefined && { inline: oldSecret }),
    ...(old?.passwordEnv !== undefined && { env: old.passwordEnv }),
  });
  if (!s.ok) return s;
  const user = merged.user;
  if (user === undefined && (s.inline !== undefined || s.env !== undefined))
    return { field: `${section}.user`, message: `${section}.user is required with a password` };
  if (user !== undefined && s.inline === undefined && s.env === undefined)
    return { field: `${section}.password`, message: `${section}.password (or ${section}.passwordEnv) is required with a user` };
  const settings: ServerSettings & { mailbox?: string } = {
    host: merged.host.trim(),
    port: merged.port ?? defaultPort,
    secure: merged.secure ?? (merged.port ?? defaultPort) === (section === 'smtp' ? 465 : 993),
    ...(user !== undefined && { user }),
    ...(s.env !== undefined && { passwordEnv: s.env }),
    ...(section === 'imap' && { mailbox: (merged as { mailbox?: string }).mailbox ?? 'INBOX' }),
  };
  return { settings, secret: s.inline };
}

/** A new IMAP section that names no login takes SMTP's (the usual case: one mailbox, one login). */
function imapWithSmtpLogin(
  input: ConnectionInput['imap'],
  old: ImapSettings | undefined,
  smtp: { settings: ServerSettings; secret: string | undefined },
): ConnectionInput['imap'] {
  if (input === undefined || input.user !== undefined || old !== undefined || smtp.settings.user === undefined) return input;
  if (input.password !== undefined || input.passwordEnv !== undefined) return { ...input, user: smtp.settings.user };
  const secret =
    smtp.secret !== undefined ? { password: smtp.secret } : smtp.settings.passwordEnv !== undefined ? { passwordEnv: smtp.settings.passwordEnv } : {};
  return { ...input, user: smtp.settings.user, ...secret };
}

/**
 * Splits the connection of an inbox of `kind` into settings and secrets, merged onto the stored
 * ones (PATCH; empty on create). A section that does not belong to the kind is refused by name.
 */
export function splitConnection(
  kind: InboxKindName,
  input: ConnectionInput,
  old: { settings: InboxSettings; secrets: InboxSecrets } = { settings: {}, secrets: {} },
): Split {
  const allowed: readonly string[] = SECTIONS[kind];
  for (const section of ['smtp', 'imap', 'sendgrid', 'twilio'] as const) {
    if (input[section] !== undefined && !allowed.includes(section)) return fail(section, `${section} settings do not belong to an inbox of kind ${kind}`);
  }
  const settings: InboxSettings = {};
  const secrets: InboxSecrets = {};
  if (kind === 'smtp') {
    if (input.smtp === undefined && old.settings.smtp === undefined) return fail('smtp', 'an smtp inbox needs smtp settings (host, port, user, password)');
    const smtp = server('smtp', input.smtp, old.settings.smtp, old.secrets.smtpPassword, 587);
    if ('field' in smtp) return { ok: false, ...smtp };
    settings.smtp = smtp.settings;
    if (smtp.secret !== undefined) secrets.smtpPassword = smtp.secret;
    if (input.imap !== undefined || old.settings.imap !== undefined) {
      const imap = server('imap', imapWithSmtpLogin(input.imap, old.settings.imap, smtp), old.settings.imap, old.secrets.imapPassword, 993);
      if ('field' in imap) return { ok: false, ...imap };
      settings.imap = imap.settings as ImapSettings;
      if (imap.secret !== undefined) secrets.imapPassword = imap.secret;
    }
  } else if (kind === 'sendgrid') {
    const i = input.sendgrid ?? {};
    const o = old.settings.sendgrid ?? {};
    const s = secretOf('sendgrid', 'apiKey', i.apiKey, i.apiKeyEnv, {
      ...(old.secrets.sendgridApiKey !== undefined && { inline: old.secrets.sendgridApiKey }),
      ...(o.apiKeyEnv !== undefined && { env: o.apiKeyEnv }),
    });
    if (!s.ok) return s;
    if (s.inline === undefined && s.env === undefined) return fail('sendgrid.apiKey', 'sendgrid.apiKey (or sendgrid.apiKeyEnv) is required');
    const baseUrl = i.baseUrl ?? o.baseUrl;
    settings.sendgrid = { ...(baseUrl !== undefined && { baseUrl }), ...(s.env !== undefined && { apiKeyEnv: s.env }) };
    if (s.inline !== undefined) secrets.sendgridApiKey = s.inline;
  } else {
    const i = input.twilio ?? {};
    const o: Partial<TwilioSettings> = old.settings.twilio ?? {};
    const accountSid = i.accountSid ?? o.accountSid;
    if (accountSid === undefined) return fail('twilio.accountSid', 'twilio.accountSid is required');
    const s = secretOf('twilio', 'authToken', i.authToken, i.authTokenEnv, {
      ...(old.secrets.twilioAuthToken !== undefined && { inline: old.secrets.twilioAuthToken }),
      ...(o.authTokenEnv !== undefined && { env: o.authTokenEnv }),
    });
    if (!s.ok) return s;
    if (s.inline === undefined && s.env === undefined) return fail('twilio.authToken', 'twilio.authToken (or twilio.authTokenEnv) is required');
    const baseUrl = i.baseUrl ?? o.baseUrl;
    const service = i.messagingServiceSid ?? o.messagingServiceSid;
    settings.twilio = {
      accountSid,
      ...(baseUrl !== undefined && { baseUrl }),
      ...(service !== undefined && { messagingServiceSid: service }),
      ...(s.env !== undefined && { authTokenEnv: s.env }),
    };
    if (s.inline !== undefined) secrets.twilioAuthToken = s.inline;
  }
  return { ok: true, settings, secrets };
}

/** How settings are shown: secrets only as their presence or the variable's name. */
export function publicSettings(settings: InboxSettings, secrets: InboxSecrets): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (settings.smtp) view.smtp = { ...settings.smtp, hasPassword: secrets.smtpPassword !== undefined || settings.smtp.passwordEnv !== undefined };
  if (settings.imap) view.imap = { ...settings.imap, hasPassword: secrets.imapPassword !== undefined || settings.imap.passwordEnv !== undefined };
  if (settings.sendgrid) view.sendgrid = { ...settings.sendgrid, hasApiKey: secrets.sendgridApiKey !== undefined || settings.sendgrid.apiKeyEnv !== undefined };
  if (settings.twilio) view.twilio = { ...settings.twilio, hasAuthToken: secrets.twilioAuthToken !== undefined || settings.twilio.authTokenEnv !== undefined };
  return view;
}

/** Settings with every secret filled in, ready for a client library. */
export interface ResolvedConnection {
  smtp?: ServerSettings & { password?: string };
  imap?: ImapSettings & { password?: string };
  sendgrid?: SendGridSettings & { apiKey: string };
  twilio?: TwilioSettings & { authToken: string };
}

/** Logs in with the connection (activities/inboxes/verify.ts): null when it works, else the field to fix. */
export type InboxVerifier = (kind: InboxKindName, connection: ResolvedConnection, opts?: { timeoutMs?: number }) => Promise<FieldError | null>;

export class MissingSecretError extends Error {
  constructor(
    readonly field: string,
    variable: string,
  ) {
    super(`${field} names the environment variable ${variable}, which is not set in this process`);
  }
}

/** Fills in the secrets: sealed ones as opened, named ones from `env` (throws MissingSecretError naming the field). */
export function resolveConnection(settings: InboxSettings, secrets: InboxSecrets, env: Readonly<Record<string, string | undefined>>): ResolvedConnection {
  const pick = (field: string, inline: string | undefined, name: string | undefined): string | undefined => {
    if (inline !== undefined) return inline;
    if (name === undefined) return undefined;
    const v = env[name];
    if (v === undefined || v === '') throw new MissingSecretError(field, name);
    return v;
  };
  const out: ResolvedConnection = {};
  if (settings.smtp) {
    const password = pick('smtp.passwordEnv', secrets.smtpPassword, settings.smtp.passwordEnv);
    out.smtp = { ...settings.smtp, ...(password !== undefined && { password }) };
  }
  if (settings.imap) {
    const password = pick('imap.passwordEnv', secrets.imapPassword, settings.imap.passwordEnv);
    out.imap = { ...settings.imap, ...(password !== undefined && { password }) };
  }
  if (settings.sendgrid) out.sendgrid = { ...settings.sendgrid, apiKey: pick('sendgrid.apiKeyEnv', secrets.sendgridApiKey, settings.sendgrid.apiKeyEnv) ?? '' };
  if (settings.twilio) out.twilio = { ...settings.twilio, authToken: pick('twilio.authTokenEnv', secrets.twilioAuthToken, settings.twilio.authTokenEnv) ?? '' };
  return out;
}
