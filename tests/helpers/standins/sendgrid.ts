// SendGrid v3 stand-in: bearer-key auth, the error body SendGrid sends, and POST /v3/mail/send
// with the request-shape checks the real API makes (so a client-side mapping bug fails a test
// instead of production), scripted faults, and 202 + X-Message-Id on success.
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { lostAnswer, stormReply, type FaultStorms } from './faults.js';
import { retryAfterHeader, startStandIn, takeFault, type Reply, type ScriptedFault, type StandIn } from './http.js';

export interface SendGridOptions {
  apiKey: string;
  scopes?: string[];
  /** Consumed one per mail/send request, after authentication; push more at any time. */
  faults?: ScriptedFault[];
  /**
   * Like SendGrid's Event Webhook: after accepting a message, POST its events (custom_args
   * flattened into each, ECDSA-signed over timestamp + body) to `url`. `outcome` picks the events
   * per recipient; by default every message is `delivered`.
   */
  eventWebhook?: {
    url: string;
    privateKey: KeyObject;
    outcome?: (to: string) => Array<Record<string, unknown>>;
    /** Like SendGrid, keep re-posting a batch the endpoint did not answer 2xx (down, 5xx) for this long; default: one try. */
    retryForMs?: number;
  };
  /** Delay before each successful answer (the message is already accepted): widens the window in which a client can die mid-call. */
  latencyMs?: () => number;
  /** Time-boxed fault storms (chaos tests), checked on every mail/send after authentication and scripted faults. */
  storms?: FaultStorms;
}

/** What the stand-in accepted, as SendGrid would have delivered it. */
export interface AcceptedMail {
  to: string;
  body: Record<string, unknown>;
  messageId: string;
  /** When the stand-in accepted it (epoch ms). */
  at: number;
}

/** Event Webhook batches: how many reached the endpoint with a 2xx, and how many tries failed. */
export interface WebhookStats {
  delivered: number;
  failedTries: number;
  givenUp: number;
}

async function postEvents(hook: NonNullable<SendGridOptions['eventWebhook']>, mail: AcceptedMail, stats: WebhookStats): Promise<void> {
  const p = (mail.body.personalizations as Array<Record<string, unknown>>)[0] ?? {};
  const customArgs = { ...(mail.body.custom_args as Record<string, string> | undefined), ...(p.custom_args as Record<string, string> | undefined) };
  const events = (hook.outcome?.(mail.to) ?? [{ event: 'delivered' }]).map((e) => ({
    email: mail.to,
    timestamp: Math.floor(Date.now() / 1000),
    sg_event_id: randomBytes(12).toString('base64url'),
    sg_message_id: `${mail.messageId}.filter0001`,
    ...customArgs,
    ...e,
  }));
  const body = JSON.stringify(events);
  const giveUpAt = Date.now() + (hook.retryForMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    // Signed at each try, as SendGrid does: the timestamp is the time of the POST.
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(ts + body), hook.privateKey).toString('base64');
    const ok = await fetch(hook.url, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': ts },
    }).then(
      async (r) => {
        await r.arrayBuffer().catch(() => undefined);
        return r.ok;
      },
      () => false,
    );
    if (ok) {
      stats.delivered += 1;
      return;
    }
    stats.failedTries += 1;
    if (Date.now() >= giveUpAt) {
      if (hook.retryForMs !== undefined) stats.givenUp += 1;
      return;
    }
    await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))));
  }
}

type FieldError = { field: string | null; message: string };
const bad = (errors: FieldError[]): Reply => ({ status: 400, body: { errors } });
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkAddress(v: unknown, field: string, errors: FieldError[]): void {
  if (!isObject(v) || typeof v.email !== 'string') errors.push({ field, message: 'The email address is required.' });
  else if (!EMAIL.test(v.email)) errors.push({ field: `${field}.email`, message: 'Does not contain a valid address.' });
}

function checkStringMap(v: unknown, field: string, errors: FieldError[]): void {
  if (v === undefined) return;
  if (!isObject(v)) {
    errors.push({ field, message: `Invalid type. Expected: object, given: ${typeof v}.` });
    return;
  }
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') errors.push({ field: `${field}.${k}`, message: `Invalid type. Expected: string, given: ${typeof value}.` });
  }
}

/** The subset of https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send validation the product relies on. */
export function validateMailSend(body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (!isObject(body)) return [{ field: null, message: 'Bad Request' }];
  const hasTemplate = typeof body.template_id === 'string';
  const ps = body.personalizations;
  if (!Array.isArray(ps) || ps.length === 0) {
    errors.push({ field: 'personalizations', message: 'The personalizations field is required and must have at least one personalization.' });
  } else {
    ps.forEach((p: unknown, i) => {
      const to = isObject(p) ? p.to : undefined;
      if (!Array.isArray(to) || to.length === 0)
        errors.push({
          field: `personalizations.${i}.to`,
          message: 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
        });
      else to.forEach((a: unknown, j) => checkAddress(a, `personalizations.${i}.to.${j}`, errors));
      if (isObject(p)) checkStringMap(p.custom_args, `personalizations.${i}.custom_args`, errors);
    });
  }
  checkAddress(body.from, 'from', errors);
  if (body.reply_to !== undefined) checkAddress(body.reply_to, 'reply_to', errors);
  const subjectEverywhere = Array.isArray(ps) && ps.length > 0 && ps.every((p: unknown) => isObject(p) && typeof p.subject === 'string');
  if (!hasTemplate && !subjectEverywhere && (typeof body.subject !== 'string' || body.subject === '')) {
    errors.push({
      field: 'subject',
      message:
        'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
    });
  }
  const content = body.content;
  if (!hasTemplate && (!Array.isArray(content) || content.length === 0)) {
    errors.push({
      field: 'content',
      message: 'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
    });
  } else if (Array.isArray(content)) {
    content.forEach((c: unknown, i) => {
      if (!isObject(c) || typeof c.type !== 'string' || typeof c.value !== 'string' || c.value === '')
        errors.push({ field: `content.${i}`, message: 'Each content block must have a type and a non-empty value.' });
      else if (i > 0 && c.type === 'text/plain')
        errors.push({ field: `content.${i}.type`, message: 'If present, text/plain content must be first, followed by any other content.' });
    });
  }
  checkStringMap(body.custom_args, 'custom_args', errors);
  checkStringMap(body.headers, 'headers', errors);
  return errors;
}

function faultReply(f: ScriptedFault): Reply {
  const message =
    f.message ??
    (
      { 401: 'The provided authorization grant is invalid, expired, or revoked', 413: 'Request entity too large', 429: 'too many requests' } as Record<
        number,
        string
      >
    )[f.status] ??
    'internal server error';
  return {
    status: f.status,
    body: { errors: [{ field: f.code === undefined ? null : String(f.code), message }] },
    headers: retryAfterHeader(f),
    ...(f.delayMs === undefined ? {} : { delayMs: f.delayMs }),
  };
}

export async function startSendGrid(
  opts: SendGridOptions,
): Promise<StandIn & { faults: ScriptedFault[]; accepted: AcceptedMail[]; answering(): number; webhook: WebhookStats }> {
  const faults = opts.faults ?? [];
  const accepted: AcceptedMail[] = [];
  const webhook: WebhookStats = { delivered: 0, failedTries: 0, givenUp: 0 };
  let stormSeq = 0;
  // Accepted messages whose 202 has not been written yet: a client dying now loses the answer.
  let answering = 0;
  const unauthorized = { status: 401, body: { errors: [{ field: null, message: 'The provided authorization grant is invalid, expired, or revoked' }] } };
  const authed = (h: string | undefined) => h === `Bearer ${opts.apiKey}`;
  const standIn = await startStandIn(
    [
      {
        method: 'GET',
        path: /^\/v3\/scopes$/,
        handle: (req) => (authed(req.headers.authorization) ? { status: 200, body: { scopes: opts.scopes ?? ['mail.send'] } } : unauthorized),
      },
      {
        method: 'POST',
        path: /^\/v3\/mail\/send$/,
        handle: (req) => {
          if (!authed(req.headers.authorization)) return unauthorized;
          const fault = takeFault(faults);
          if (fault !== undefined) return faultReply(fault);
          const storm = opts.storms?.pick();
          if (storm !== undefined && !storm.afterAccept) {
            return stormReply(storm, (status, headers) => ({ ...faultReply({ status }), headers }), stormSeq++);
          }
          let body: unknown;
          try {
            body = JSON.parse(req.body);
          } catch {
            return bad([{ field: null, message: 'Bad Request' }]);
          }
          const errors = validateMailSend(body);
          if (errors.length > 0) return bad(errors);
          // Sandbox mode validates and answers 200 without queueing anything, hence no message ID.
          const mailSettings = (body as { mail_settings?: { sandbox_mode?: { enable?: boolean } } }).mail_settings;
          if (mailSettings?.sandbox_mode?.enable === true) return { status: 200, body: undefined };
          const messageId = randomBytes(16).toString('base64url').slice(0, 22);
          const b = body as Record<string, unknown>;
          const to = (b.personalizations as Array<{ to: Array<{ email: string }> }>)[0]?.to[0]?.email ?? '';
          const mail: AcceptedMail = { to, body: b, messageId, at: Date.now() };
          accepted.push(mail);
          if (opts.eventWebhook !== undefined) {
            const hook = opts.eventWebhook;
            setTimeout(() => void postEvents(hook, mail, webhook), 20);
          }
          const delayMs = opts.latencyMs?.() ?? 0;
          answering += 1;
          setTimeout(() => {
            answering -= 1;
          }, delayMs);
          const ok: Reply = { status: 202, body: undefined, headers: { 'x-message-id': messageId }, delayMs };
          // Accepted, but the answer is held past the client's timeout or the connection drops.
          return storm !== undefined ? lostAnswer(storm, ok) : ok;
        },
      },
    ],
    () => ({ status: 404, body: { errors: [{ field: null, message: 'resource not found' }] } }),
  );
  return { ...standIn, faults, accepted, answering: () => answering, webhook };
}
