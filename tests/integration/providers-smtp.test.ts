// The SMTP adapter through nodemailer against a real SMTP server (the smtp-server package on a
// free loopback port): the raw message it transmits and how reply codes are classified.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { deterministicMessageId } from '../../domain/ids/index.js';
import { createSmtpSender, type SmtpConfig, type SmtpMessage } from '../../activities/mail/smtp-send.js';
import { PermanentSendError, TransientSendError } from '../../activities/send/errors.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

/** Recipients on these addresses are refused at RCPT TO with the given reply code. */
const REFUSE: Record<string, [number, string]> = {
  'unknown@example.com': [550, '5.1.1 <unknown@example.com>: Recipient address rejected: User unknown'],
  'greylisted@example.com': [451, '4.7.1 Greylisted, please try again later'],
};

describe('SMTP sender', () => {
  let server: SMTPServer;
  let config: SmtpConfig;
  const received: Received[] = [];

  before(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'sender' && auth.password === 'smtp-secret') cb(null, { user: auth.username });
        else cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, cb) {
        const refusal = REFUSE[address.address];
        if (refusal === undefined) {
          cb();
          return;
        }
        cb(Object.assign(new Error(refusal[1]), { responseCode: refusal[0] }));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString(),
            user: session.user as string | undefined,
          });
          cb(null, 'Ok: queued as STANDIN1');
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    config = { host: '127.0.0.1', port, secure: false, user: 'sender', password: 'smtp-secret', messageIdDomain: 'mail.dealer.example' };
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const message = (over: Partial<SmtpMessage> = {}): SmtpMessage => ({
    to: 'ana.buyer@example.com',
    from: 'Dealer Sales <sales@dealer.example>',
    replyTo: 'replies@dealer.example',
    subject: 'Your 2024 Honda Civic',
    text: 'Hi Ana, the Civic is available.',
    headers: {
      'List-Unsubscribe': '<https://dealer.example/u/abc>, <mailto:unsub@dealer.example?subject=abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    idempotencyKey: 'lead-42:step-1',
    ...over,
  });
  const header = (raw: string, name: string) => new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, 'mi').exec(raw)?.[1]?.replace(/\r\n[ \t]+/g, ' ');
  const failure = (cfg: SmtpConfig, msg: SmtpMessage) => {
    const sender = createSmtpSender(cfg);
    return sender
      .send(msg)
      .then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      )
      .finally(() => sender.close());
  };

  test('sends with the deterministic Message-ID and the unsubscribe headers, authenticated', async () => {
    const sender = createSmtpSender(config);
    const expectedId = deterministicMessageId('lead-42:step-1', 'mail.dealer.example');
    assert.match(expectedId, /^<[0-9a-f]{32}@mail\.dealer\.example>$/);
    const result = await sender.send(message());
    sender.close();
    assert.equal(result.providerMessageId, expectedId);
    assert.match(result.response, /^250 .*STANDIN1/);
    const got = received.at(-1);
    assert.ok(got);
    assert.equal(got.user, 'sender');
    assert.equal(got.from, 'sales@dealer.example');
    assert.deepEqual(got.to, ['ana.buyer@example.com']);
    assert.equal(header(got.raw, 'Message-ID'), expectedId);
    assert.equal(header(got.raw, 'List-Unsubscribe'), '<https://dealer.example/u/abc>, <mailto:unsub@dealer.example?subject=abc>');
    assert.equal(header(got.raw, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    assert.equal(header(got.raw, 'Reply-To'), 'replies@dealer.example');
    assert.equal(header(got.raw, 'Subject'), 'Your 2024 Honda Civic');
  });

  test('a retried send carries the same Message-ID; another step a different one', async () => {
    const sender = createSmtpSender(config);
    const first = await sender.send(message());
    const retry = await sender.send(message());
    const next = await sender.send(message({ idempotencyKey: 'lead-42:step-2' }));
    sender.close();
    assert.equal(first.providerMessageId, retry.providerMessageId);
    assert.notEqual(first.providerMessageId, next.providerMessageId);
    assert.equal(header(received.at(-2)?.raw ?? '', 'Message-ID'), first.providerMessageId);
  });

  test('550 user unknown is permanent', async () => {
    const err = await failure(config, message({ to: 'unknown@example.com' }));
    assert.ok(err instanceof PermanentSendError, String(err));
    assert.equal(err.code, 550);
    assert.match(err.providerMessage, /User unknown/);
  });

  test('451 greylisting is transient', async () => {
    const err = await failure(config, message({ to: 'greylisted@example.com' }));
    assert.ok(err instanceof TransientSendError, String(err));
    assert.equal(err.code, 451);
  });

  test('bad credentials (535) are permanent', async () => {
    const err = await failure({ ...config, password: 'wrong' }, message());
    assert.ok(err instanceof PermanentSendError, String(err));
    assert.equal(err.code, 535);
  });

  test('no server listening is transient', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.server.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure({ ...config, port, timeoutMs: 2000 }, message());
    assert.ok(err instanceof TransientSendError, String(err));
    assert.equal(err.code, 'ESOCKET');
  });
});
