// Checks for optional integrations: run only when configured, and then required — a configured
// provider that does not answer means mail or SMS would silently not go out.
import { Client as SendGridClient } from '@sendgrid/client';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import OpenAI from 'openai';
import twilio from 'twilio';
import type { Config } from '../../config/index.js';
import { probe, type CheckOutcome } from '../../domain/health/probe.js';

export function providerChecks(config: Readonly<Config>): Array<Promise<CheckOutcome>> {
  const checks: Array<Promise<CheckOutcome>> = [];
  const { imap, smtp, sendgrid, twilio: tw, openai } = config;
  if (imap) {
    checks.push(
      probe('imap', true, async () => {
        const client = new ImapFlow({
          host: imap.host,
          port: imap.port,
          secure: imap.secure,
          logger: false,
          ...(imap.user !== undefined ? { auth: { user: imap.user, pass: imap.password ?? '' } } : {}),
        });
        await client.connect();
        await client.logout();
        return `${imap.host}:${imap.port} login ok`;
      }),
    );
  }
  if (smtp) {
    checks.push(
      probe('smtp', true, async () => {
        const transport = nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
        });
        try {
          await transport.verify();
        } finally {
          transport.close();
        }
        return `${smtp.host}:${smtp.port} accepts connections`;
      }),
    );
  }
  if (sendgrid) {
    checks.push(
      probe('sendgrid', true, async () => {
        // A private client: doctor must not change the defaults of the one the senders use.
        const client = new SendGridClient();
        client.setApiKey(sendgrid.apiKey);
        // setApiKey resets the request defaults, so the base URL must be set after it.
        if (sendgrid.baseUrl !== undefined) client.setDefaultRequest('baseUrl', sendgrid.baseUrl);
        const [res] = await client.request({ method: 'GET', url: '/v3/scopes' });
        const scopes = (res.body as { scopes?: string[] }).scopes ?? [];
        if (!scopes.includes('mail.send')) throw new Error('API key lacks the mail.send scope');
        return 'API key valid with mail.send';
      }),
    );
  }
  if (tw) {
    checks.push(
      probe('twilio', true, async () => {
        const client = twilio(tw.accountSid, tw.authToken);
        if (tw.baseUrl !== undefined) client.api.baseUrl = tw.baseUrl.replace(/\/$/, '');
        const account = await client.api.v2010.accounts(tw.accountSid).fetch();
        if (account.status !== 'active') throw new Error(`account is ${account.status}`);
        return `account ${account.friendlyName || tw.accountSid.slice(0, 6) + '…'} active`;
      }),
    );
  }
  if (openai) {
    checks.push(
      probe('openai', true, async () => {
        const client = new OpenAI({
          apiKey: openai.apiKey,
          ...(openai.baseUrl !== undefined ? { baseURL: openai.baseUrl } : {}),
          maxRetries: 0,
          timeout: 5000,
        });
        const model = await client.models.retrieve(openai.model);
        return `model ${model.id} available`;
      }),
    );
  }
  return checks;
}
