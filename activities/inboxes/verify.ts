// Proof that an inbox can send before it is stored: an SMTP login (nodemailer verify) and an IMAP
// login (connect + logout) for a mailbox, GET /v3/scopes for a SendGrid key, the account fetch
// for Twilio. Each within a deadline; a failure names the field the operator must fix.
import { Client as SendGridClient } from '@sendgrid/client';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import type { FieldError, InboxVerifier, ResolvedConnection, ServerSettings } from '../../domain/inboxes/connection.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKET', 'ECONNECTION', 'EDNS']);

class Timeout extends Error {}

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined); // a late failure after the deadline must not go unhandled
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const codeOf = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
};

async function verifySmtp(s: ServerSettings & { password?: string }, ms: number): Promise<FieldError | null> {
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user !== undefined && { auth: { user: s.user, pass: s.password ?? '' } }),
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
  });
  try {
    await within(ms, transport.verify());
    return null;
  } catch (err) {
    const e = err as { code?: string; responseCode?: number };
    if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534)
      return {
        field: s.passwordEnv !== undefined ? 'smtp.passwordEnv' : 'smtp.password',
        message: `the SMTP server refused the login of ${s.user ?? '(no user)'}: ${text(err)}`,
      };
    if (err instanceof Timeout || NETWORK.has(codeOf(err) ?? ''))
      return { field: 'smtp.host', message: `the SMTP server ${s.host}:${s.port} is unreachable: ${text(err)}` };
    return { field: 'smtp', message: `the SMTP server ${s.host}:${s.port} did not accept the session: ${text(err)}` };
  } finally {
    transport.close();
  }
}

async function verifyImap(s: ServerSettings & { password?: string; mailbox: string }, ms: number): Promise<FieldError | null> {
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: s.secure,
    logger: false,
    ...(s.user !== undefined && { auth: { user: s.user, pass: s.password ?? '' } }),
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
  });
  client.on('error', () => undefined); // surfaced through the failing command instead
  try {
    await within(ms, client.connect());
    // The watched mailbox must exist: a typo would otherwise only show up as replies never arriving.
    const status = await within(ms, client.status(s.mailbox, { messages: true })).catch(() => null);
    await client.logout().catch(() => undefined);
    return status === null ? { field: 'imap.mailbox', message: `the IMAP mailbox ${JSON.stringify(s.mailbox)} does not exist on ${s.host}` } : null;
  } catch (err) {
    client.close();
    if ((err as { authenticationFailed?: boolean }).authenticationFailed === true)
      return {
        field: s.passwordEnv !== undefined ? 'imap.passwordEnv' : 'imap.password',
        message: `the IMAP server refused the login of ${s.user ?? '(no user)'}`,
      };
    if (err instanceof Timeout || NETWORK.has(codeOf(err) ?? ''))
      return { field: 'imap.host', message: `the IMAP server ${s.host}:${s.port} is unreachable: ${text(err)}` };
    return { field: 'imap', message: `the IMAP server ${s.host}:${s.port} did not accept the session: ${text(err)}` };
  }
}

async function verifySendGrid(s: NonNullable<ResolvedConnection['sendgrid']>, ms: number): Promise<FieldError | null> {
  // A private client: the senders' defaults must not change.
  const client = new SendGridClient();
  client.setApiKey(s.apiKey);
  if (s.baseUrl !== undefined) client.setDefaultRequest('baseUrl', s.baseUrl.endsWith('/') ? s.baseUrl : `${s.baseUrl}/`);
  const keyField = s.apiKeyEnv !== undefined ? 'sendgrid.apiKeyEnv' : 'sendgrid.apiKey';
  try {
    const [res] = await within(ms, client.request({ method: 'GET', url: '/v3/scopes' }));
    const scopes = (res.body as { scopes?: string[] }).scopes ?? [];
    return scopes.includes('mail.send') ? null : { field: keyField, message: 'the SendGrid API key lacks the mail.send scope' };
  } catch (err) {
    const status = (err as { code?: unknown }).code;
    if (status === 401 || status === 403) return { field: keyField, message: `SendGrid refused the API key (HTTP ${status})` };
    return { field: 'sendgrid.baseUrl', message: `SendGrid did not answer: ${text(err)}` };
  }
}

async function verifyTwilio(s: NonNullable<ResolvedConnection['twilio']>, ms: number): Promise<FieldError | null> {
  const client = twilio(s.accountSid, s.authToken, { timeout: ms });
  if (s.baseUrl !== undefined) client.api.baseUrl = s.baseUrl.replace(/\/$/, '');
  try {
    const account = await within(ms, client.api.v2010.accounts(s.accountSid).fetch());
    return account.status === 'active' ? null : { field: 'twilio.accountSid', message: `the Twilio account is ${account.status}` };
  } catch (err) {
    if (err instanceof twilio.RestException) {
      if (err.status === 401)
        return { field: s.authTokenEnv !== undefined ? 'twilio.authTokenEnv' : 'twilio.authToken', message: 'Twilio refused the auth token' };
      if (err.status === 404) return { field: 'twilio.accountSid', message: `Twilio knows no account ${s.accountSid}` };
    }
    return { field: 'twilio.baseUrl', message: `Twilio did not answer: ${text(err)}` };
  }
}

export const verifyInboxConnection: InboxVerifier = async (kind, c, opts = {}) => {
  const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (kind === 'smtp') {
    if (c.smtp === undefined) return { field: 'smtp', message: 'smtp settings are required' };
    const [smtp, imap] = await Promise.all([verifySmtp(c.smtp, ms), c.imap === undefined ? null : verifyImap(c.imap, ms)]);
    return smtp ?? imap;
  }
  if (kind === 'sendgrid') return c.sendgrid === undefined ? { field: 'sendgrid', message: 'sendgrid settings are required' } : verifySendGrid(c.sendgrid, ms);
  return c.twilio === undefined ? { field: 'twilio', message: 'twilio settings are required' } : verifyTwilio(c.twilio, ms);
};
