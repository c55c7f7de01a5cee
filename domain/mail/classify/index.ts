// Classifies one inbound message (RFC 5322 bytes) for the mailbox watcher and
// `leadflow mail classify`: an ADF lead, a bounce (RFC 3464), a complaint (ARF, RFC 5965), an
// auto-reply (RFC 3834 and vendor conventions), a human reply (quotes and signature stripped, with a
// rule-based intent), or other. Pure apart from parsing: no network, no clock but the message's own.
import type { Attachment, ParsedMail } from 'mailparser';
import EmailReplyParser from 'email-reply-parser';
import { parseAdf } from '../../adf/parse.js';
import type { AdfProspect } from '../../adf/types.js';
import { candidatesFromMail, readMail } from '../extract.js';
import { isAutoReply, returnDate } from './auto-reply.js';
import { parseDeliveryStatus, parseTextBounce } from './bounce.js';
import { headerIn, messageIds, returnedMessageId } from './headers.js';
import { ruleIntent } from './intent.js';
import { replyTokensIn } from '../../ids/index.js';
import type { Classification } from './types.js';

export type * from './types.js';
export { ruleIntent } from './intent.js';

/** The input is not an e-mail message at all (empty, binary, or without a single header). */
export class UnreadableMailError extends Error {
  override readonly name = 'UnreadableMailError';
}

// Bounds on what the text scans read (found by the fuzzer: grown messages took seconds). What
// they look for is at the top of a body: a reply's new text, a bounce's status and recipient.
/** The part of a body the scans below read at all. */
const BODY_SCAN_MAX = 64 * 1024;
/**
 * email-reply-parser's quote-header regexes (`^(.+\son.*at.*wrote:)$`, `^(在[\s\S]+写道：)$`, ...)
 * are super-linear in a line's length and, across lines, in the text's: a 4 KB line of "on at "
 * took 1.3 s, 64 KB of "在 x" lines 1.6 s. It reads at most this much, in lines of at most this.
 */
const REPLY_TEXT_MAX = 16 * 1024;
const REPLY_LINE_MAX = 2 * 1024;

/**
 * The bounded text email-reply-parser (and chrono, for a return date) reads: runs of blank lines collapsed to one (it is also
 * quadratic in those: 10,000 newlines took 2 s), long lines cut, the whole capped. The pattern
 * starts only at a newline, so a long run of spaces is scanned once (`(?:[ \t]*\r?\n){3,}` tried
 * every position of the run: quadratic). A reply's new text sits above all of these bounds.
 */
export function replyParserInput(body: string): string {
  return body
    .slice(0, BODY_SCAN_MAX)
    .replace(/\n(?:[ \t]*\r?\n){2,}/g, '\n\n')
    .split('\n')
    .map((line) => (line.length > REPLY_LINE_MAX ? line.slice(0, REPLY_LINE_MAX) : line))
    .join('\n')
    .slice(0, REPLY_TEXT_MAX);
}

const text = (a: Attachment) => a.content.toString('utf8');
// mailparser leaves contentType unset on a part without a Content-Type header (found by the fuzzer).
const typeOf = (a: Attachment) => String(a.contentType ?? '').toLowerCase();

/** Our message a report refers to: the returned headers' Message-ID, else the report's own In-Reply-To. */
function originalFrom(attachments: Attachment[], fallback: string | null): string | null {
  const returned = attachments.find((a) => ['text/rfc822-headers', 'message/rfc822', 'message/global-headers', 'message/global'].includes(typeOf(a)));
  return (returned !== undefined ? returnedMessageId(text(returned)) : null) ?? fallback;
}

/** Reuses the classifier's own parse: the ADF search needs no second pass over the bytes. */
function prospectsIn(mail: ParsedMail): AdfProspect[] {
  const found: AdfProspect[] = [];
  for (const c of candidatesFromMail(mail)) {
    try {
      found.push(...parseAdf(c.bytes).prospects);
    } catch {
      /* not ADF after all: classified as whatever else it is */
    }
  }
  return found;
}

function recipientsOf(mail: ParsedMail): string[] {
  const list = (v: ParsedMail['to']) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((a) => a.value.map((x) => x.address ?? '')));
  const header = (k: string) => {
    const v = mail.headers.get(k);
    return typeof v === 'string' ? [v.replace(/[<>]/g, '').trim()] : [];
  };
  return [...list(mail.to), ...list(mail.cc), ...header('delivered-to'), ...header('x-original-to')].filter((a) => a !== '').map((a) => a.toLowerCase());
}

async function parse(raw: Buffer): Promise<ParsedMail> {
  if (raw.length === 0) throw new UnreadableMailError('the input is empty');
  try {
    return await readMail(raw);
  } catch (err) {
    throw new UnreadableMailError(`not a readable e-mail message: ${(err as Error).message}`);
  }
}

function checkIsMail(mail: ParsedMail): void {
  if (mail.headers.size === 0 || (!mail.headers.has('from') && !mail.headers.has('subject') && !mail.headers.has('message-id'))) {
    throw new UnreadableMailError('not an e-mail message: no From, Subject or Message-ID header');
  }
}

/** Classifies raw bytes (the CLI, tests): one parse, then classifyParsedMail. */
export async function classifyMail(raw: Buffer): Promise<Classification> {
  return classifyParsedMail(await parse(raw), raw);
}

/** Classifies a message the intake already parsed (with readMail): the bytes are not parsed again. */
export function classifyParsedMail(mail: ParsedMail, raw: Buffer): Classification {
  checkIsMail(mail);
  const inReplyTo = messageIds(mail.inReplyTo)[0] ?? null;
  const references = messageIds(mail.references);
  const from = mail.from?.value[0]?.address?.toLowerCase() ?? null;
  const fromName = mail.from?.value[0]?.name ?? null;
  const subject = mail.subject ?? null;
  const body = mail.text ?? '';
  const base = {
    inReplyTo,
    references,
    originalMessageId: inReplyTo ?? references.at(-1) ?? null,
    messageId: messageIds(mail.messageId)[0] ?? null,
    recipients: recipientsOf(mail),
    from,
    subject,
  };

  const prospects = prospectsIn(mail);
  if (prospects.length > 0) return { ...base, kind: 'adf-lead', prospects };

  const report = (headerIn(raw.toString('latin1').slice(0, 64 * 1024), 'Content-Type') ?? '').toLowerCase();
  const feedback = mail.attachments.find((a) => typeOf(a) === 'message/feedback-report');
  if (feedback !== undefined || report.includes('report-type=feedback-report')) {
    return { ...base, kind: 'complaint', originalMessageId: originalFrom(mail.attachments, base.originalMessageId) };
  }
  const status = mail.attachments.find((a) => typeOf(a) === 'message/delivery-status' || typeOf(a) === 'message/global-delivery-status');
  const dsn = status !== undefined ? parseDeliveryStatus(text(status)) : null;
  const scanned = body.slice(0, BODY_SCAN_MAX);
  const bounce = dsn ?? parseTextBounce(from, fromName, subject, scanned);
  if (bounce !== null) {
    // Prose bounces often quote the original's headers in the body instead of attaching them.
    // `[ \t]*`, not `\s*`: with `m`, `^\s*` rescanned a whitespace run from each of its lines (quadratic).
    const quoted = /^[ \t]*Message-ID:[ \t]*(<[^<>\s]+>)/im.exec(scanned)?.[1] ?? null;
    const returned = originalFrom(mail.attachments, null) ?? quoted;
    return { ...base, kind: 'bounce', bounce, originalMessageId: returned ?? base.originalMessageId };
  }

  const bounded = replyParserInput(body);
  const visible = new EmailReplyParser().read(bounded).getVisibleText().trim();
  if (isAutoReply(mail.headers, subject)) {
    // chrono reads the same bounded text: over a whole 200 KB body it took over a second.
    return { ...base, kind: 'auto-reply', intent: 'out_of_office', replyText: visible, returnDate: returnDate(bounded, mail.date ?? new Date()) };
  }
  // Sent to one of our plus-addressed Reply-To addresses: an answer to us, whatever its headers lost.
  const isReply = inReplyTo !== null || references.length > 0 || /^(re|aw|sv|antw):/i.test(subject ?? '') || replyTokensIn(base.recipients).length > 0;
  if (isReply) return { ...base, kind: 'reply', replyText: visible, intent: ruleIntent(visible) };
  return { ...base, kind: 'other' };
}
