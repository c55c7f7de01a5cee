// pino JSON logs. Redaction is by key path: any field that can carry a person's data or a
// secret is censored wherever it appears, so a careless `log.info({ lead })` stays safe.
import { pino, type Logger } from 'pino';

export const REDACTED_KEYS = [
  'email',
  'emails',
  'phone',
  'phones',
  'firstName',
  'lastName',
  'fullName',
  'name',
  'address',
  'street',
  'body',
  'text',
  'html',
  'comments',
  'password',
  'apiKey',
  'authToken',
  // An inbox's opened secrets (domain/inboxes/connection.ts InboxSecrets) and the sealed column.
  'smtpPassword',
  'imapPassword',
  'sendgridApiKey',
  'twilioAuthToken',
  'secrets_enc',
  'authorization',
  'token',
  'databaseUrl',
];

// Top-level `name` is pino's own logger name, not a person's: only nested `name`s are redacted.
const paths = REDACTED_KEYS.flatMap((k) => [...(k === 'name' ? [] : [k]), `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export function createLogger(level: string, name = 'leadflow', destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths, censor: '[redacted]' } }, destination);
}

export type { Logger } from 'pino';
