// Twilio REST stand-in: basic auth with the account SID and auth token, Twilio's error shape,
// and POST .../Messages.json (form-encoded, as twilio-node sends it) answering 201 with a
// message resource, Twilio's validation error codes and scripted faults.
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { lostAnswer, stormReply, type FaultStorms } from './faults.js';
import { retryAfterHeader, startStandIn, takeFault, type Reply, type ScriptedFault, type StandIn } from './http.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  status?: string;
  /** Numbers that texted STOP: sending to them fails with 21610, as it does on Twilio. */
  unsubscribed?: string[];
  /** Consumed one per message create, after authentication; push more at any time. */
  faults?: ScriptedFault[];
  /** Time-boxed fault storms (chaos tests), checked on every message create after scripted faults. */
  storms?: FaultStorms;
  /**
   * Like Twilio: after accepting a message that names a StatusCallback, POST its status changes
   * there (form-encoded, X-Twilio-Signature with the auth token over URL + sorted params).
   * `retryForMs` keeps re-posting one the endpoint did not answer 2xx; default: one try.
   */
  statusCallbacks?: { statuses?: string[]; retryForMs?: number };
}

/** What the stand-in accepted (201), as Twilio would have sent it. */
export interface AcceptedSms {
  sid: string;
  to: string;
  body: string;
  statusCallback: string | null;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

export async function startTwilio(
  opts: TwilioOptions,
): Promise<StandIn & { faults: ScriptedFault[]; accepted: AcceptedSms[]; callbacks: { delivered: number; failedTries: number } }> {
  const faults = opts.faults ?? [];
  const accepted: AcceptedSms[] = [];
  const callbacks = { delivered: 0, failedTries: 0 };
  let stormSeq = 0;

  async function postStatus(url: string, sid: string, to: string, from: string | null, status: string): Promise<void> {
    const params: Record<string, string> = {
      AccountSid: opts.accountSid,
      ApiVersion: '2010-04-01',
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: status,
      SmsStatus: status,
      To: to,
      From: from ?? '',
    };
    const giveUpAt = Date.now() + (opts.statusCallbacks?.retryForMs ?? 0);
    for (let attempt = 1; ; attempt++) {
      const signature = twilio.getExpectedTwilioSignature(opts.authToken, url, params);
      const ok = await fetch(url, {
        method: 'POST',
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(10_000),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      }).then(
        async (r) => {
          await r.arrayBuffer().catch(() => undefined);
          return r.ok;
        },
        () => false,
      );
      if (ok) {
        callbacks.delivered += 1;
        return;
      }
      callbacks.failedTries += 1;
      if (Date.now() >= giveUpAt) return;
      await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))));
    }
  }
  const expected = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');
  const error = (status: number, code: number, message: string, headers: Record<string, string> = {}): Reply => ({
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    headers,
  });
  const defaults: Record<number, [number, string]> = {
    401: [20003, 'Authenticate'],
    429: [20429, 'Too Many Requests'],
    500: [20500, 'Internal Server Error'],
    503: [20503, 'Service Unavailable'],
  };

  function createMessage(form: URLSearchParams): Reply {
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body');
    if (to === null || to === '') return error(400, 21604, "A 'To' phone number is required.");
    if ((from === null || from === '') && (service === null || service === '')) return error(400, 21603, "A 'From' phone number is required.");
    if ((body === null || body === '') && form.get('MediaUrl') === null) return error(400, 21602, 'Message body is required.');
    if (!E164.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if ((body ?? '').length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (opts.unsubscribed?.includes(to) === true) return error(400, 21610, 'Attempt to send to unsubscribed recipient');
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = rfc2822(new Date());
    return {
      status: 201,
      body: {
        account_sid: opts.accountSid,
        api_version: '2010-04-01',
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: service === null ? from : null,
        messaging_service_sid: service,
        num_media: '0',
        num_segments: String(Math.max(1, Math.ceil((body ?? '').length / 153))),
        price: null,
        price_unit: 'USD',
        sid,
        status: service === null ? 'queued' : 'accepted',
        subresource_uris: { media: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}.json`,
      },
    };
  }

  const standIn = await startStandIn(
    [
      {
        method: 'GET',
        path: /^\/2010-04-01\/Accounts\/([^/]+)\.json$/,
        handle: (req, m) => {
          if (req.headers.authorization !== expected) return error(401, 20003, 'Authenticate');
          if (m[1] !== opts.accountSid) return error(404, 20404, `The requested resource /2010-04-01/Accounts/${m[1]}.json was not found`);
          return {
            status: 200,
            body: {
              sid: opts.accountSid,
              friendly_name: 'Stand-in Dealer Group',
              status: opts.status ?? 'active',
              type: 'Full',
              date_created: 'Mon, 02 Mar 2026 10:00:00 +0000',
              date_updated: 'Mon, 02 Mar 2026 10:00:00 +0000',
              owner_account_sid: opts.accountSid,
              auth_token: opts.authToken,
              uri: `/2010-04-01/Accounts/${opts.accountSid}.json`,
              subresource_uris: {},
            },
          };
        },
      },
      {
        method: 'POST',
        path: /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/,
        handle: (req, m) => {
          if (req.headers.authorization !== expected) return error(401, 20003, 'Authenticate');
          if (m[1] !== opts.accountSid) return error(404, 20404, `The requested resource /2010-04-01/Accounts/${m[1]}/Messages.json was not found`);
          const fault = takeFault(faults);
          if (fault !== undefined) {
            const [code, message] = defaults[fault.status] ?? [20500, 'Internal Server Error'];
            return {
              ...error(fault.status, typeof fault.code === 'number' ? fault.code : code, fault.message ?? message, retryAfterHeader(fault)),
              ...(fault.delayMs === undefined ? {} : { delayMs: fault.delayMs }),
            };
          }
          const storm = opts.storms?.pick();
          if (storm !== undefined && !storm.afterAccept) {
            return stormReply(
              storm,
              (status, headers) => {
                const [code, message] = defaults[status] ?? [20500, 'Internal Server Error'];
                return error(status, code, message, headers);
              },
              stormSeq++,
            );
          }
          const form = new URLSearchParams(req.body);
          const reply = createMessage(form);
          if (reply.status === 201) {
            const created = reply.body as { sid: string; to: string; body: string; from: string | null };
            const statusCallback = form.get('StatusCallback');
            accepted.push({ sid: created.sid, to: created.to, body: created.body, statusCallback });
            if (statusCallback !== null && opts.statusCallbacks !== undefined) {
              const statuses = opts.statusCallbacks.statuses ?? ['sent', 'delivered'];
              setTimeout(
                () =>
                  void (async () => {
                    for (const st of statuses) await postStatus(statusCallback, created.sid, created.to, created.from, st);
                  })(),
                20,
              );
            }
            // Accepted, but the answer is held past the client's timeout or the connection drops.
            if (storm !== undefined) return lostAnswer(storm, reply);
          }
          return reply;
        },
      },
    ],
    () => error(404, 20404, 'The requested resource was not found'),
  );
  return { ...standIn, faults, accepted, callbacks };
}
