import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../config/index.js';

describe('config', () => {
  test('defaults run the local product with nothing set', () => {
    const c = loadConfig({}, '/srv/app');
    assert.equal(c.dataDir, path.resolve('/srv/app', '.leadflow'));
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.temporal.address, '127.0.0.1:7233');
    assert.equal(c.temporal.embedded, true);
    assert.equal(c.temporal.uiUrl, 'http://127.0.0.1:8233/');
    assert.equal(c.imap, undefined);
    assert.equal(c.sendgrid, undefined);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.temporal), 'config is frozen');
  });

  test('each bad value fails fast naming its variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ API_PORT: 'eighty' }, /^API_PORT must be a whole number/],
      [{ API_PORT: '70000' }, /^API_PORT must be between/],
      [{ TEMPORAL_ADDRESS: 'localhost' }, /^TEMPORAL_ADDRESS must look like host:port/],
      [{ TEMPORAL_TLS: 'maybe' }, /^TEMPORAL_TLS must be true or false/],
      [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be a postgres/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
      [{ SMTP_PORT: '25' }, /^SMTP_HOST must be set when SMTP_PORT is set/],
      [{ IMAP_HOST: 'imap.test', IMAP_USER: 'u' }, /^IMAP_PASSWORD must be set when IMAP_USER is set/],
      [{ TWILIO_ACCOUNT_SID: 'AC1' }, /^TWILIO_AUTH_TOKEN must be set/],
      [{ SENDGRID_API_KEY: 'k', SENDER_EMAIL: 'a@b.test', SENDGRID_BASE_URL: 'not a url' }, /^SENDGRID_BASE_URL must be an absolute URL/],
      [{ SENDGRID_API_KEY: 'k' }, /^SENDER_EMAIL \(the From address\) must be set/],
      [{ SENDER_EMAIL: 'nobody' }, /^SENDER_EMAIL must be an e-mail address/],
      [{ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't' }, /^TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID must be set/],
      [{ EMAIL_VERIFIER_URL: 'https://v.test/' }, /^EMAIL_VERIFIER_API_KEY must be set/],
      [{ UNSUBSCRIBE_SECRET: 'short' }, /^UNSUBSCRIBE_SECRET must be at least 32 characters/],
      [{ REPLY_TO_ADDRESS: 'replies+x@acme.test' }, /^REPLY_TO_ADDRESS must be a plain e-mail address/],
    ];
    for (const [env, re] of cases)
      assert.throws(
        () => loadConfig(env),
        (e: Error) => e instanceof ConfigError && re.test(e.message),
        JSON.stringify(env),
      );
  });

  test('configured providers are typed, and describeConfig never shows a secret', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://app:s3cret-pw@db.internal:5432/leadflow',
      SMTP_HOST: 'smtp.test',
      SMTP_USER: 'mailer',
      SMTP_PASSWORD: 'smtp-pw',
      SENDGRID_API_KEY: 'SG.key-value',
      TWILIO_ACCOUNT_SID: 'AC123',
      TWILIO_AUTH_TOKEN: 'tw-token',
      TWILIO_FROM: '+14155550000',
      OPENAI_API_KEY: 'sk-openai',
      TEMPORAL_API_KEY: 'temporal-key',
      SENDER_EMAIL: 'sales@dealer.test',
      UNSUBSCRIBE_SECRET: 'unsubscribe-secret-unsubscribe-secret',
      EMAIL_VERIFIER_URL: 'https://verify.test/',
      EMAIL_VERIFIER_API_KEY: 'verifier-key',
    });
    assert.equal(c.sender.email, 'sales@dealer.test');
    assert.equal(c.mxLookup, 'dns', 'with an e-mail provider, MX lookups are on');
    assert.equal(loadConfig({}).mxLookup, 'off', 'the local outbox needs no DNS');
    assert.equal(loadConfig({ MX_LOOKUP: 'dns' }).mxLookup, 'dns');
    assert.equal(c.twilio?.from, '+14155550000');
    assert.equal(c.smtp?.port, 587);
    assert.equal(c.openai?.model, 'gpt-4o-mini');
    const printed = JSON.stringify(describeConfig(c));
    for (const secret of [
      's3cret-pw',
      'smtp-pw',
      'SG.key-value',
      'tw-token',
      'sk-openai',
      'temporal-key',
      'unsubscribe-secret-unsubscribe-secret',
      'verifier-key',
    ]) {
      assert.ok(!printed.includes(secret), `${secret} leaked`);
    }
    assert.match(printed, /db\.internal/);
  });
});
